package dev.lmuformer.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.lmuformer.data.speech.Pipeline;
import dev.lmuformer.engine.Tensor;
import dev.lmuformer.io.Npy;
import dev.lmuformer.testing.TinySpeechCommands;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code spark predict} and {@code spark eval} on Spark in local mode with two task slots, against the
 * single-machine commands: {@code features} + {@code predict} for the logits, {@code stream --json} for the
 * events, {@code eval} for the metrics.
 */
class SparkCommandsTest {
    private static final String MASTER = "local[2]";

    @TempDir
    static Path dir;

    static String checkpoint;
    static Path input;
    static List<Path> recordings = new ArrayList<>();

    @BeforeAll
    static void recordings() throws IOException {
        checkpoint = SmallKeywordModel.trained().toString();
        input = dir.resolve("input");
        Files.createDirectories(input);
        List<String> clips = Files.readAllLines(SmallKeywordModel.DATA.resolve("testing_list.txt")).subList(0, 6);
        for (String clip : clips.subList(0, 3)) { // clips as they are
            Path f = input.resolve(clip.replace('/', '_'));
            Files.copy(SmallKeywordModel.DATA.resolve(clip), f);
            recordings.add(f);
        }
        // a recording of three keywords with quiet noise between them: events at several times
        float[] noise = SmallKeywordModel.quiet(TinySpeechCommands.busyAudio(16000, 16000, 3));
        List<Float> joined = new ArrayList<>();
        for (String clip : clips.subList(3, 6)) {
            for (float v : noise) joined.add(v);
            for (float v : Pipeline.load(SmallKeywordModel.DATA.resolve(clip))) joined.add(v);
        }
        for (float v : noise) joined.add(v);
        short[] pcm = new short[joined.size()];
        for (int i = 0; i < pcm.length; i++) pcm[i] = (short) Math.max(-32768, Math.min(32767, Math.round(joined.get(i) * 32768)));
        Path long1 = input.resolve("sub/three_words.wav");
        TinySpeechCommands.writePcm16(long1, pcm, 16000);
        recordings.add(long1);
        Files.write(input.resolve("corrupt.wav"), new byte[]{'R', 'I', 'F', 'F', 1, 2, 3});
    }

    @Test
    void predictGivesTheLogitsOfFeaturesAndPredictAndTheEventsOfStream() throws IOException {
        Path out = dir.resolve("spotted");
        CliRun run = CliRun.run("spark", "predict", "--master", MASTER, "--checkpoint", checkpoint, "--input", input.toString(),
                "--output", out.toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("5 files: 4 scored"), run.out());
        assertTrue(run.out().contains("1 could not be read"), run.out());
        Map<String, Map<String, Object>> rows = new HashMap<>();
        try (Stream<Path> parts = Files.list(out)) {
            for (Path part : parts.filter(p -> p.getFileName().toString().startsWith("part-")).toList()) {
                for (String line : Files.readAllLines(part)) {
                    Map<String, Object> row = JSON.std.mapFrom(line);
                    for (String key : List.of("path", "logits", "top", "probability", "events", "error")) {
                        assertTrue(row.containsKey(key), key + " in every line: " + line);
                    }
                    rows.put(Path.of(java.net.URI.create((String) row.get("path"))).getFileName().toString(), row);
                }
            }
        }
        assertEquals(5, rows.size());
        Map<String, Object> corrupt = rows.get("corrupt.wav");
        assertNotNull(corrupt.get("error"));
        assertTrue(((String) corrupt.get("error")).contains("corrupt.wav"), (String) corrupt.get("error"));
        assertNull(corrupt.get("logits"));

        int withEvents = 0;
        for (Path f : recordings) {
            Map<String, Object> row = rows.get(f.getFileName().toString());
            assertNull(row.get("error"), f + ": " + row.get("error"));
            // features + predict
            Path x = dir.resolve(f.getFileName() + ".x.npy");
            Path logitsFile = dir.resolve(f.getFileName() + ".logits.npy");
            CliRun features = CliRun.run("features", "--input", f.toString(), "--output", x.toString());
            assertEquals(0, features.code(), features.err());
            CliRun predict = CliRun.run("predict", "--checkpoint", checkpoint, "--features", x.toString(), "--output", logitsFile.toString());
            assertEquals(0, predict.code(), predict.err());
            Tensor expected = Npy.read(logitsFile);
            List<?> got = (List<?>) row.get("logits");
            assertEquals(expected.data.length, got.size());
            float largest = 0;
            int top = 0;
            for (int c = 0; c < expected.data.length; c++) {
                largest = Math.max(largest, Math.abs(expected.data[c]));
                if (expected.data[c] > expected.data[top]) top = c;
            }
            for (int c = 0; c < expected.data.length; c++) {
                assertEquals(expected.data[c], ((Number) got.get(c)).floatValue(), 1e-4 * largest, f + " class " + c);
            }
            assertEquals(dev.lmuformer.data.speech.Labels.speechCommands().name(top), row.get("top"));
            // stream --json
            CliRun stream = CliRun.run("stream", "--checkpoint", checkpoint, "--json", f.toString());
            assertEquals(0, stream.code(), stream.err());
            List<String> lines = stream.out().lines().toList();
            List<?> events = (List<?>) row.get("events");
            assertEquals(lines.size(), events.size(), f + ": events of stream --json " + lines + " vs " + events);
            for (int i = 0; i < lines.size(); i++) {
                Map<String, Object> e = JSON.std.mapFrom(lines.get(i));
                Map<?, ?> s = (Map<?, ?>) events.get(i);
                assertEquals(e.get("word"), s.get("word"));
                assertEquals(((Number) e.get("time")).doubleValue(), ((Number) s.get("time")).doubleValue(), 0.0005);
                assertEquals(((Number) e.get("known_at")).doubleValue(), ((Number) s.get("known_at")).doubleValue(), 0.0005);
                assertEquals(((Number) e.get("score")).doubleValue(), ((Number) s.get("score")).doubleValue(), 0.00005);
            }
            if (!lines.isEmpty()) withEvents++;
        }
        assertTrue(withEvents >= 2, "the trained model finds keywords in at least two of the recordings");
    }

    @Test
    void predictWritesParquetAndKeepsAnExistingOutput() throws IOException {
        Path out = dir.resolve("parquet");
        CliRun first = CliRun.run("spark", "predict", "--master", MASTER, "--checkpoint", checkpoint, "--input", input.resolve("sub").toString(),
                "--output", out.toString(), "--format", "parquet");
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("1 files: 1 scored"), first.out());
        try (Stream<Path> parts = Files.list(out)) {
            assertTrue(parts.anyMatch(p -> p.getFileName().toString().endsWith(".parquet")), "parquet part files");
        }
        CliRun again = CliRun.run("spark", "predict", "--master", MASTER, "--checkpoint", checkpoint, "--input", input.toString(),
                "--output", out.toString(), "--format", "parquet");
        again.assertOneLineError(out.toString(), "--overwrite");
        CliRun overwrite = CliRun.run("spark", "predict", "--master", MASTER, "--checkpoint", checkpoint, "--input", input.toString(),
                "--output", out.toString(), "--format", "parquet", "--overwrite");
        assertEquals(0, overwrite.code(), overwrite.err());
        assertTrue(overwrite.out().contains("5 files"), overwrite.out());
    }

    @Test
    void badArgumentsAreOneLineErrors() {
        CliRun.run("spark", "predict", "--checkpoint", checkpoint, "--input", input.toString(), "--output", dir.resolve("x").toString(),
                "--format", "csv").assertOneLineError("--format", "csv");
        CliRun.run("spark", "predict", "--master", MASTER, "--checkpoint", dir.resolve("none.safetensors").toString(), "--input", input.toString(),
                "--output", dir.resolve("y").toString()).assertOneLineError("none.safetensors");
        CliRun.run("spark", "predict", "--master", MASTER, "--checkpoint", checkpoint, "--input", dir.resolve("nowhere").toString(),
                "--output", dir.resolve("z").toString()).assertOneLineError("nowhere", "cannot list");
        CliRun.run("spark", "eval", "--checkpoint", checkpoint, "--split", "train").assertOneLineError("--split");
    }

    @Test
    void trainWithOneWorkerIsTrainBitForBit() {
        String[] recipe = {"--data", SmallKeywordModel.DATA.toString(), "--set", "model=lmu_rnn_conv1d", "--set", "dim=16", "--set", "batch_size=32",
            "--set", "lrscheduler_start=1", "--set", "lrscheduler_step=1", "--epochs", "3", "--seed", "4"};
        Path single = dir.resolve("train-single");
        Path spread = dir.resolve("train-spark");
        CliRun train = CliRun.run(Stream.concat(Stream.of("train", "--out", single.toString()), Stream.of(recipe)).toArray(String[]::new));
        assertEquals(0, train.code(), train.err());
        CliRun spark = CliRun.run(Stream.concat(Stream.of("spark", "train", "--master", MASTER, "--workers", "1", "--local-steps", "5",
                "--out", spread.toString()), Stream.of(recipe)).toArray(String[]::new));
        assertEquals(0, spark.code(), spark.err());
        for (String file : List.of("last.safetensors", "best.safetensors")) {
            dev.lmuformer.io.Safetensors a = dev.lmuformer.io.Safetensors.read(single.resolve(file));
            dev.lmuformer.io.Safetensors b = dev.lmuformer.io.Safetensors.read(spread.resolve(file));
            assertEquals(a.names(), b.names());
            for (String name : a.names()) {
                assertTrue(java.util.Arrays.equals(a.tensor(name).data, b.tensor(name).data), file + ": " + name + " differs");
            }
        }
        String best = train.err().lines().filter(l -> l.startsWith("best epoch")).findFirst().orElseThrow(() -> new AssertionError(train.err()));
        assertTrue(spark.out().lines().anyMatch(best::equals), "the same best epoch and test metrics: " + best + " in " + spark.out());
        assertEquals(3, spark.out().lines().filter(l -> l.startsWith("epoch ")).count(), spark.out());
        CliRun.run("spark", "train", "--master", MASTER, "--workers", "0", "--out", dir.resolve("none").toString()).assertOneLineError("--workers");
        CliRun.run("spark", "train", "--master", MASTER, "--task", "nosuch").assertOneLineError("--task", "nosuch");
    }

    @Test
    void trainFromSparkFeaturesIsTrainFromAudio() {
        Path parquet = dir.resolve("keywords.parquet");
        CliRun features = CliRun.run("spark", "features", "--master", MASTER, "--data", SmallKeywordModel.DATA.toString(), "--output", parquet.toString());
        assertEquals(0, features.code(), features.err());
        assertTrue(features.out().startsWith("490 clips: filterbanks of 128 frames"), features.out());
        String[] recipe = {"--set", "model=lmu_rnn_conv1d", "--set", "dim=8", "--set", "mixup=0", "--epochs", "2"};
        Path single = dir.resolve("audio-no-mixup");
        CliRun train = CliRun.run(Stream.concat(Stream.of("train", "--data", SmallKeywordModel.DATA.toString(), "--out", single.toString()),
                Stream.of(recipe)).toArray(String[]::new));
        assertEquals(0, train.code(), train.err());
        Path spread = dir.resolve("from-features");
        CliRun spark = CliRun.run(Stream.concat(Stream.of("spark", "train", "--master", MASTER, "--workers", "1", "--features", parquet.toString(),
                "--out", spread.toString()), Stream.of(recipe)).toArray(String[]::new));
        assertEquals(0, spark.code(), spark.err());
        dev.lmuformer.io.Safetensors a = dev.lmuformer.io.Safetensors.read(single.resolve("last.safetensors"));
        dev.lmuformer.io.Safetensors b = dev.lmuformer.io.Safetensors.read(spread.resolve("last.safetensors"));
        for (String name : a.names()) assertTrue(java.util.Arrays.equals(a.tensor(name).data, b.tensor(name).data), name + " differs");
        CliRun.run("spark", "train", "--master", MASTER, "--features", parquet.toString(), "--out", dir.resolve("mixing").toString())
                .assertOneLineError("mixup");
    }

    @Test
    void evalGivesTheSingleMachineMetrics() {
        String data = SmallKeywordModel.DATA.toString();
        for (String split : List.of("test", "validation")) {
            CliRun single = CliRun.run("eval", "--checkpoint", checkpoint, "--data", data, "--split", split);
            assertEquals(0, single.code(), single.err());
            CliRun spark = CliRun.run("spark", "eval", "--master", MASTER, "--checkpoint", checkpoint, "--data", data, "--split", split);
            assertEquals(0, spark.code(), spark.err());
            String line = single.out().lines().findFirst().orElseThrow();
            assertTrue(line.startsWith(split + ": accuracy"), line);
            assertEquals(line, spark.out().strip());
            assertFalse(spark.out().contains("NaN"), spark.out());
        }
    }
}
