package dev.lmuformer.cli;

import dev.lmuformer.checkpoint.Checkpoint;
import dev.lmuformer.engine.Tensor;
import dev.lmuformer.io.Npy;
import dev.lmuformer.model.Init;
import dev.lmuformer.model.ModelConfig;
import dev.lmuformer.model.Models;
import dev.lmuformer.model.SequenceModel;
import dev.lmuformer.testing.TinySpeechCommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.DataLine;
import javax.sound.sampled.TargetDataLine;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static dev.lmuformer.testing.TensorAssert.assertTensorClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** {@code stream}: WAV files, stdin, the per-frame CSV against {@code predict --all-seq}, and one-line errors. */
class StreamCommandTest {
    private static final List<String> NAMES = List.of("left", "right", "up");

    @TempDir
    Path dir;

    /** A randomly initialised lmu_rnn_conv1d on 128 mel bins with three named classes. */
    private Path checkpoint(String arch, int features) {
        SequenceModel m = Models.create(ModelConfig.fromMap(arch, Map.of("embed_dims", 16, "in_channels", features, "num_classes", 3,
                "seq_len", 128, "num_heads", 2)));
        Init.pytorchDefault(m, 7);
        Path p = dir.resolve(arch + features + ".safetensors");
        Checkpoint.save(p, m, Map.of("labels", String.join(",", NAMES)));
        return p;
    }

    private Path wav(String name, int samples, int rate) {
        Path p = dir.resolve(name);
        TinySpeechCommands.writeWav(p, samples, rate, 3);
        return p;
    }

    /** The decision lines of a run's output: those that start with a time. */
    private static List<String> decisions(String out) {
        return out.lines().filter(l -> l.matches("\\s+[0-9.]+ s .*")).toList();
    }

    private static String withoutKnownAt(String decision) {
        return decision.replaceAll("known at [0-9.]+ s", "");
    }

    private static CliRun withStdin(byte[] in, String... args) {
        InputStream saved = System.in;
        System.setIn(new ByteArrayInputStream(in));
        try {
            return CliRun.run(args);
        } finally {
            System.setIn(saved);
        }
    }

    @Test
    void fileAndStdinGiveTheSameDecisions() throws IOException {
        Path ckpt = checkpoint("lmu_rnn_conv1d", 128);
        Path clip = wav("clip.wav", 16000, 16000);
        CliRun file = CliRun.run("stream", "--windowed", "--checkpoint", ckpt.toString(), clip.toString());
        assertEquals(0, file.code(), file.err());
        assertTrue(file.out().contains("5 frames (0.050 s) after its frame (look-ahead)"), file.out());
        assertTrue(file.out().contains("end of input at 1.000 s"), file.out());
        List<String> lines = decisions(file.out());
        assertEquals(1, lines.size(), "one window, one decision: " + file.out());
        assertTrue(NAMES.stream().anyMatch(lines.get(0)::contains), lines.get(0));

        byte[] wavBytes = Files.readAllBytes(clip);
        byte[] pcm = Arrays.copyOfRange(wavBytes, 44, wavBytes.length); // the writer's header is 44 bytes
        CliRun stdin = withStdin(pcm, "stream", "--windowed", "--checkpoint", ckpt.toString(), "-");
        assertEquals(0, stdin.code(), stdin.err());
        assertEquals(lines, decisions(stdin.out()));

        // Twice the clip, through one session: two windows, the first decided as before, though known earlier
        // when the window fills with audio rather than with padding at the end of the input.
        byte[] twice = new byte[2 * pcm.length];
        System.arraycopy(pcm, 0, twice, 0, pcm.length);
        System.arraycopy(pcm, 0, twice, pcm.length, pcm.length);
        List<String> two = decisions(withStdin(twice, "stream", "--windowed", "--checkpoint", ckpt.toString(), "-").out());
        assertEquals(2, two.size(), two.toString());
        assertEquals(withoutKnownAt(lines.get(0)), withoutKnownAt(two.get(0)));

        CliRun resampled = CliRun.run("stream", "--windowed", "--checkpoint", ckpt.toString(), wav("slow.wav", 12000, 8000).toString(), clip.toString());
        assertEquals(0, resampled.code(), resampled.err());
        assertTrue(resampled.out().contains("slow.wav (resampled from 8000 Hz)"), resampled.out());
        List<String> both = decisions(resampled.out());
        assertEquals(3, both.size(), "1.5 s: two windows, then the clip's: " + resampled.out());
        assertEquals(lines.get(0), both.get(2), "each input starts a fresh session");
    }

    @Test
    void framesCsvHoldsTheParallelStreamingReadout() throws IOException {
        Path ckpt = checkpoint("lmu_rnn_conv1d", 128);
        Path clip = wav("clip.wav", 16000, 16000);
        Path csv = dir.resolve("frames.csv");
        CliRun r = CliRun.run("stream", "--windowed", "--checkpoint", ckpt.toString(), clip.toString(), "--frames", csv.toString(), "--hold", "3");
        assertEquals(0, r.code(), r.err());
        List<String> rows = Files.readAllLines(csv);
        assertEquals("frame,time_s,left,right,up", rows.get(0));
        assertEquals(1 + 128, rows.size(), "one row per frame of the window, padding included");
        float[] logits = new float[128 * 3];
        for (int t = 0; t < 128; t++) {
            String[] f = rows.get(1 + t).split(",");
            assertEquals(5, f.length, rows.get(1 + t));
            assertEquals(t, Integer.parseInt(f[0]));
            assertEquals(0.025 + 0.01 * t, Double.parseDouble(f[1]), 1e-9);
            for (int j = 0; j < 3; j++) logits[t * 3 + j] = Float.parseFloat(f[2 + j]);
        }
        Path x = dir.resolve("x.npy");
        Path y = dir.resolve("y.npy");
        assertEquals(0, CliRun.run("features", "--input", clip.toString(), "--output", x.toString()).code());
        assertEquals(0, CliRun.run("predict", "--checkpoint", ckpt.toString(), "--features", x.toString(), "--all-seq",
                "--output", y.toString()).code());
        Tensor expected = Npy.read(y);
        assertTensorClose("stream --frames against predict --all-seq", expected.data, logits, 1e-4);
    }

    @Test
    void evalReportsTheEarlyDecisions() {
        Path root = TinySpeechCommands.create(dir.resolve("sc"), List.of("yes", "no", "up", "down"), 2);
        SequenceModel m = Models.create(ModelConfig.fromMap("lmu_rnn_conv1d", Map.of("embed_dims", 16)));
        Init.pytorchDefault(m, 7);
        Path ckpt = dir.resolve("sc.safetensors");
        Checkpoint.save(ckpt, m, Map.of());
        String[] eval = {"eval", "--checkpoint", ckpt.toString(), "--data", root.toString(), "--all-seq", "--out", dir.resolve("e").toString()};
        CliRun immediate = CliRun.run(concat(eval, "--threshold", "0.001", "--hold", "1"));
        assertEquals(0, immediate.code(), immediate.err());
        assertTrue(immediate.out().contains("early decisions (threshold 0.00, hold 1 frames): accuracy "), immediate.out());
        assertTrue(immediate.out().contains("4 of 4 clips decided early, 0.8 % of the frames read"), "one frame of 128: " + immediate.out());
        CliRun never = CliRun.run(concat(eval, "--threshold", "1", "--hold", "200"));
        assertEquals(0, never.code(), never.err());
        String finalAccuracy = never.out().replaceAll("(?s).*accuracy after all 128 frames ([0-9.]+ %).*", "$1");
        assertTrue(never.out().contains("accuracy " + finalAccuracy + ", 0 of 4 clips decided early, 100.0 % of the frames read"),
                "without decisions the final frames decide: " + never.out());
        CliRun.run("eval", "--checkpoint", ckpt.toString(), "--data", root.toString(), "--hold", "3").assertOneLineError("--all-seq");
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void microphoneWithoutAnInputDeviceIsAOneLineError() {
        AudioFormat format = new AudioFormat(16000, 16, 1, true, false);
        assumeFalse(AudioSystem.isLineSupported(new DataLine.Info(TargetDataLine.class, format)), "this machine has a microphone");
        CliRun.run("stream", "--checkpoint", checkpoint("lmu_rnn_conv1d", 128).toString(), "--mic").assertOneLineError("--mic", "no audio input");
    }

    @Test
    void badInputIsAOneLineError() throws IOException {
        String ckpt = checkpoint("lmu_rnn_conv1d", 128).toString();
        Path corrupt = dir.resolve("corrupt.wav");
        Files.write(corrupt, new byte[] {'R', 'I', 'F', 'F', 1, 0, 0, 0, 'W', 'A', 'V', 'E', 'd', 'a', 't', 'a', 9, 9, 9, 9});
        CliRun.run("stream", "--checkpoint", ckpt, corrupt.toString()).assertOneLineError("corrupt.wav");
        CliRun.run("stream", "--checkpoint", ckpt, dir.resolve("absent.wav").toString()).assertOneLineError("absent.wav");
        withStdin(new byte[] {1, 2, 3}, "stream", "--checkpoint", ckpt, "-").assertOneLineError("stdin", "16-bit sample");
        CliRun.run("stream", "--checkpoint", checkpoint("attn_ms_conv1d", 128).toString(), wav("a.wav", 8000, 16000).toString())
                .assertOneLineError("attn_ms_conv1d");
        CliRun.run("stream", "--checkpoint", checkpoint("lmu_rnn_conv1d", 4).toString(), wav("b.wav", 8000, 16000).toString())
                .assertOneLineError("4 features");
        CliRun.run("stream", "--checkpoint", ckpt).assertOneLineError("give WAV files");
        CliRun.run("stream", "--checkpoint", ckpt, "--mic", "x.wav").assertOneLineError("--mic");
        CliRun.run("stream", "--checkpoint", ckpt, "a.wav", "b.wav", "--frames", "f.csv").assertOneLineError("--frames");
        CliRun.run("stream", "--checkpoint", ckpt, "a.wav", "--threshold", "1.5").assertOneLineError("--threshold");
        CliRun.run("stream", "--checkpoint", ckpt, "a.wav", "--hold", "0").assertOneLineError("--hold");
        CliRun.run("stream", "--checkpoint", dir.resolve("absent.safetensors").toString(), "a.wav").assertOneLineError("absent.safetensors");
    }
}
