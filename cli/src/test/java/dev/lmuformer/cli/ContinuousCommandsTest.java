package dev.lmuformer.cli;

import dev.lmuformer.checkpoint.Checkpoint;
import dev.lmuformer.model.Init;
import dev.lmuformer.model.ModelConfig;
import dev.lmuformer.model.Models;
import dev.lmuformer.model.SequenceModel;
import dev.lmuformer.testing.TinySpeechCommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code stream} in continuous mode (text and {@code --json}) and {@code eval --stream} / {@code --recording}. */
class ContinuousCommandsTest {
    private static final List<String> NAMES = List.of("left", "right", "up");
    private static final Pattern EVENT = Pattern.compile(
            "\\{\"type\":\"keyword\",\"word\":\"(left|right|up)\",\"score\":([0-9.]+),\"time\":([0-9.]+),\"known_at\":([0-9.]+)}");

    @TempDir
    Path dir;

    /** A randomly initialised lmu_rnn_conv1d with three named classes, trained (so its metadata says) with cross-entropy. */
    private Path checkpoint() {
        return checkpoint(NAMES.size());
    }

    /** The same with {@code classes} classes: three named ones, or the 35 Speech Commands words (no labels metadata). */
    private Path checkpoint(int classes) {
        SequenceModel m = Models.create(ModelConfig.fromMap("lmu_rnn_conv1d", Map.of("embed_dims", 16, "in_channels", 128, "num_classes", classes,
                "seq_len", 128)));
        Init.pytorchDefault(m, 7);
        Path p = dir.resolve("m" + classes + ".safetensors");
        Checkpoint.save(p, m, classes == NAMES.size() ? Map.of("labels", String.join(",", NAMES), "loss", "CE") : Map.of("loss", "CE"));
        return p;
    }

    private Path wav(String name, int samples) {
        Path p = dir.resolve(name);
        TinySpeechCommands.writeWav(p, samples, 16000, 5);
        return p;
    }

    @Test
    void jsonIsOneEventPerLineAndNothingElse() throws IOException {
        String ckpt = checkpoint().toString();
        Path audio = wav("long.wav", 16000 * 4);
        // softmax over 3 classes is at least 1/3: a threshold of 0.3 held one frame fires at once
        String[] rule = {"--threshold", "0.3", "--hold", "1", "--refractory", "0.2"};
        CliRun json = CliRun.run(concat(new String[]{"stream", "--checkpoint", ckpt, audio.toString(), "--json"}, rule));
        assertEquals(0, json.code(), json.err());
        List<String> lines = json.out().lines().toList();
        assertFalse(lines.isEmpty(), "events expected: " + json.err());
        double last = -1;
        for (String l : lines) {
            Matcher m = EVENT.matcher(l);
            assertTrue(m.matches(), "not an event line: " + l);
            double time = Double.parseDouble(m.group(3)), knownAt = Double.parseDouble(m.group(4));
            assertTrue(time >= last, "events in time order: " + l);
            assertTrue(knownAt >= time && knownAt <= 4.0 + 1e-9, l);
            assertTrue(Double.parseDouble(m.group(2)) >= 0.3, l);
            last = time;
        }
        assertTrue(json.err().contains("continuous, sliding readout"), "the header goes to stderr: " + json.err());
        // the text form reports the same events
        CliRun text = CliRun.run(concat(new String[]{"stream", "--checkpoint", ckpt, audio.toString()}, rule));
        List<String> printed = text.out().lines().filter(l -> l.matches("\\s+[0-9.]+ s .*score.*")).toList();
        assertEquals(lines.size(), printed.size(), text.out());
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = EVENT.matcher(lines.get(i));
            assertTrue(m.matches());
            assertTrue(printed.get(i).contains(m.group(1)) && printed.get(i).contains(String.format("%.3f s", Double.parseDouble(m.group(3)))),
                    printed.get(i) + " vs " + lines.get(i));
        }
        // stdin gives the same events as the file
        byte[] wavBytes = Files.readAllBytes(audio);
        byte[] pcm = java.util.Arrays.copyOfRange(wavBytes, 44, wavBytes.length);
        InputStream saved = System.in;
        System.setIn(new ByteArrayInputStream(pcm));
        try {
            CliRun stdin = CliRun.run(concat(new String[]{"stream", "--checkpoint", ckpt, "-", "--json"}, rule));
            assertEquals(json.out(), stdin.out());
        } finally {
            System.setIn(saved);
        }
        // a keyword subset: only those words
        CliRun subset = CliRun.run(concat(new String[]{"stream", "--checkpoint", ckpt, audio.toString(), "--json", "--keywords", "up"}, rule));
        assertEquals(0, subset.code(), subset.err());
        assertTrue(subset.out().lines().allMatch(l -> l.contains("\"word\":\"up\"")), subset.out());
    }

    @Test
    void badSpottingOptionsAreOneLineErrors() {
        String ckpt = checkpoint().toString();
        String audio = wav("a.wav", 8000).toString();
        CliRun.run("stream", "--checkpoint", ckpt, audio, "--keywords", "yess").assertOneLineError("--keywords", "yess", "left, right, up");
        CliRun.run("stream", "--checkpoint", ckpt, audio, "--json", "--windowed").assertOneLineError("--json", "--windowed");
        CliRun.run("stream", "--checkpoint", ckpt, audio, "--keywords", "up", "--keyword-threshold", "left=0.5").assertOneLineError("left");
        CliRun.run("stream", "--checkpoint", ckpt, audio, "--keyword-threshold", "up=1.5").assertOneLineError("up");
        CliRun.run("stream", "--checkpoint", ckpt, audio, "--score", "tanh").assertOneLineError("--score");
        CliRun.run("stream", "--checkpoint", ckpt, audio, "--refractory", "-1").assertOneLineError("--refractory");
        CliRun.run("stream", "--checkpoint", ckpt, audio, "--windowed", "--keywords", "up").assertOneLineError("--windowed");
    }

    @Test
    void evalScoresARecordingAgainstItsLabels() throws IOException {
        String ckpt = checkpoint().toString();
        Path audio = wav("day.wav", 16000 * 5);
        Path labels = dir.resolve("day.csv");
        Files.writeString(labels, "word,start,end\nleft,1.0,1.5\nup,3.0,3.4\n");
        Path out = dir.resolve("eval");
        CliRun r = CliRun.run("eval", "--checkpoint", ckpt, "--recording", audio.toString(), "--labels", labels.toString(), "--out", out.toString(),
                "--threshold", "0.3", "--hold", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("2 keywords in 0.1 min of audio: recall "), r.out());
        assertTrue(r.out().contains("| left | 1 |"), r.out());
        for (String f : List.of("det.csv", "det.png", "keywords.csv", "timeline.png")) assertTrue(Files.size(out.resolve(f)) > 0, f);
        assertEquals(1 + StreamEval.SWEEP.length, Files.readAllLines(out.resolve("det.csv")).size());

        String[] eval = {"eval", "--checkpoint", ckpt, "--recording", audio.toString(), "--labels", null, "--out", out.toString()};
        for (String[] bad : List.of(new String[]{"left,1.0,1.5\nyess,2,3\n", "day.csv:2", "yess"}, new String[]{"left,2.0,1.5\n", "day.csv:1", "start"},
                new String[]{"left,1.0,9.5\n", "day.csv:1", "past the end"}, new String[]{"left;1.0;1.5\n", "day.csv:1", "word,start,end"},
                new String[]{"left,1.0,abc\n", "day.csv:1", "abc"})) {
            Files.writeString(labels, bad[0]);
            eval[6] = labels.toString();
            CliRun.run(eval).assertOneLineError(bad[1], bad[2]);
        }
        CliRun.run("eval", "--checkpoint", ckpt, "--recording", audio.toString()).assertOneLineError("--labels");
        CliRun.run("eval", "--checkpoint", ckpt, "--stream", "--readout", "staggered:0").assertOneLineError("--readout");
    }

    @Test
    void evalStreamsASplit() throws IOException {
        Path root = TinySpeechCommands.create(dir.resolve("data"), NAMES, 3);
        Path out = dir.resolve("streams");
        for (String readout : List.of("continuous", "staggered:2")) {
            CliRun r = CliRun.run("eval", "--checkpoint", checkpoint(35).toString(), "--data", root.toString(), "--stream", "--seeds", "1,2",
                    "--readout", readout, "--out", out.toString(), "--threshold", "0.4", "--hold", "2");
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("test streams, seeds [1, 2]") && r.out().contains(readout + " readout"), r.out());
            assertTrue(r.out().contains("6 keywords in"), "3 test clips × 2 seeds: " + r.out());
            assertTrue(Files.size(out.resolve("det.png")) > 0);
        }
    }

    @Test
    void evalTuneWritesTheOperatingPointIntoTheCheckpoint() throws IOException {
        Path ckpt = checkpoint();
        // a steady tone never stands above its own noise floor: at a speech margin of 5 dB or more nothing fires, so some point
        // keeps the budget; 1.6 h of it, so that a point without false alarms shows at most 2 per hour with 95 % confidence
        Path audio = wav("tone.wav", 16000 * 5760);
        Path labels = dir.resolve("tone.csv");
        Files.writeString(labels, "word,start,end\nleft,100.0,100.5\n");
        String[] tune = {"eval", "--checkpoint", ckpt.toString(), "--recording", audio.toString(), "--labels", labels.toString(), "--out",
            dir.resolve("eval").toString(), "--tune"};
        CliRun r = CliRun.run(tune);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("speech margins tried: 0 dB: ") && r.out().contains("30 dB: "), r.out());
        Map<String, String> meta = Checkpoint.load(ckpt).metadata();
        double threshold = Double.parseDouble(meta.get("spot_threshold"));
        double margin = Double.parseDouble(meta.get("spot_speech_margin"));
        assertTrue(margin >= 0 && threshold > 0 && threshold < 1, margin + " dB, " + threshold);
        assertTrue(r.out().contains(String.format("speech margin %.0f dB, threshold %s, readout window 24 frames", margin, threshold)), r.out());
        assertEquals("24", meta.get("spot_window"), "the default window, which the point was chosen at");
        assertTrue(r.out().contains("0 false alarms"), "the streams at the chosen point: " + r.out());
        // stream defaults to the point now, and to the window it was chosen at
        Checkpoint.withMetadata(ckpt, Map.of("spot_window", "64"));
        CliRun s = CliRun.run("stream", "--checkpoint", ckpt.toString(), wav("short.wav", 16000).toString());
        assertTrue(s.out().contains("threshold " + threshold) && s.out().contains("readout of 64 frames"), s.out());
        for (String bad : List.of("-1", "2.5", "many")) {
            Checkpoint.withMetadata(ckpt, Map.of("spot_window", bad));
            CliRun.run("stream", "--checkpoint", ckpt.toString(), wav("short.wav", 16000).toString()).assertOneLineError("spot_window", bad);
        }
        Checkpoint.withMetadata(ckpt, Map.of("spot_window", "24"));

        byte[] before = Files.readAllBytes(ckpt);
        Path shortAudio = wav("short2.wav", 16000 * 60);
        Files.writeString(labels, "word,start,end\nleft,10.0,10.5\n");
        tune[4] = shortAudio.toString();
        CliRun.run(tune).assertOneLineError("no threshold", "unchanged");
        assertEquals(java.util.Arrays.toString(before), java.util.Arrays.toString(Files.readAllBytes(ckpt)), "unchanged");
        CliRun.run("eval", "--checkpoint", ckpt.toString(), "--tune").assertOneLineError("--tune", "--stream");
        CliRun.run("eval", "--stream", "--tune").assertOneLineError("--tune", "--checkpoint");
        CliRun.run(concat(tune, new String[]{"--threshold", "0.5"})).assertOneLineError("--tune", "--threshold");
        CliRun.run(concat(tune, new String[]{"--tune-for", "precision"})).assertOneLineError("--tune-for", "precision");
        CliRun.run("eval", "--checkpoint", ckpt.toString(), "--stream", "--tune-for", "recall").assertOneLineError("--tune-for", "--tune");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
