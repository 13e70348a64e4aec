package dev.lmuformer.cli;

import dev.lmuformer.audio.Resampler;
import dev.lmuformer.audio.WavReader;
import dev.lmuformer.testing.TinySpeechCommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped model as a user meets it in a fresh clone: {@code ./lmuformer stream clip.wav}, no
 * {@code --checkpoint}, through the launcher script and the jar the build just packaged (hence an
 * integration test: it runs after {@code package}).
 */
class ShippedModelIT {
    /** The project's folder: failsafe runs in cli/. */
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    @TempDir
    Path dir;

    @Test
    void streamWithoutCheckpointRunsTheShippedModel() throws Exception {
        String clip = "data/keywords/" + testClips().get(0);
        Run r = run(List.of("bash", "lmuformer", "stream", clip), ROOT);
        assertEquals(0, r.code, r.output);
        assertTrue(r.output.contains(ShippedModel.LMU.toString()) && r.output.contains(clip) && r.output.contains("end of input at 1.000 s"),
                "the shipped model should be named and the clip streamed: " + r.output);
    }

    @Test
    void theShippedModelSpotsTheBundledTestKeywordsInARecording() throws Exception {
        // a recording as a user makes one: every bundled test clip (voices the model never heard) after 2 s of quiet room noise
        List<String> clips = testClips();
        List<Double> starts = new ArrayList<>();
        List<Float> audio = new ArrayList<>();
        SplittableRandom noise = new SplittableRandom(1);
        for (String c : clips) {
            for (int i = 0; i < 2 * 16000; i++) audio.add((float) (0.002 * (noise.nextDouble() - 0.5)));
            starts.add(audio.size() / 16000.0);
            for (float v : Resampler.toRate(WavReader.read(ROOT.resolve("data/keywords").resolve(c)), 16000).samples()) audio.add(v);
        }
        short[] pcm = new short[audio.size()];
        for (int i = 0; i < pcm.length; i++) pcm[i] = (short) Math.max(-32768, Math.min(32767, Math.round(audio.get(i) * 32768)));
        Path recording = dir.resolve("recording.wav");
        TinySpeechCommands.writePcm16(recording, pcm, 16000);

        Run r = run(List.of("bash", "lmuformer", "stream", recording.toString()), ROOT);
        assertEquals(0, r.code, r.output);
        // per clip: the first keyword emitted from its start to 0.5 s after its end
        int right = 0;
        int wrong = 0;
        List<String[]> events = r.output.lines().map(String::strip).filter(l -> l.matches("\\d+\\.\\d{3} s\\s+\\S+\\s+score .*"))
                .map(l -> l.split("\\s+")).toList();
        for (int i = 0; i < clips.size(); i++) {
            double from = starts.get(i);
            String truth = clips.get(i).split("/")[0];
            for (String[] e : events) {
                double t = Double.parseDouble(e[0]);
                if (t < from || t > from + 1.5) continue;
                if (e[2].equals(truth)) right++;
                else wrong++;
                break;
            }
        }
        System.out.printf("shipped model, recording of the %d bundled test clips: %d right first, %d wrong first%n", clips.size(), right, wrong);
        // the model card gives the exact figures of the streams of eval --stream; here: it finds most keywords, and the right word far more often
        assertTrue(right >= clips.size() / 2, right + " of " + clips.size() + " keywords spotted right (" + wrong + " wrong first):\n" + r.output);
        assertTrue(wrong * 4 < right, wrong + " wrong first, " + right + " right");
    }

    private static List<String> testClips() throws IOException {
        return Files.readAllLines(ROOT.resolve("data/keywords/testing_list.txt")).stream().filter(l -> !l.isBlank()).toList();
    }

    @Test
    void withoutTheShippedModelTheErrorSaysWhatToGive() throws Exception {
        Path jar = dir.resolve("lmuformer.jar");
        Files.copy(ROOT.resolve("cli/target/lmuformer.jar"), jar);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Run r = run(List.of(java.toString(), "--add-modules", "jdk.incubator.vector", "-jar", jar.toString(), "stream",
                ROOT.resolve("data/keywords/yes").toString()), dir);
        assertEquals(1, r.code, r.output);
        String error = r.output.lines().filter(l -> l.startsWith("lmuformer: ")).findFirst().orElse("");
        assertTrue(error.contains("no --checkpoint given") && error.contains("give --checkpoint"), r.output);
        assertTrue(error.contains(dir.resolve(ShippedModel.LMU).toString()), "the places looked in should be named: " + error);
        assertFalse(r.output.contains("at dev.lmuformer"), r.output);
    }

    private record Run(int code, String output) {
    }

    private static Run run(List<String> command, Path cwd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "timed out");
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
