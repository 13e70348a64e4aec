package dev.lmuformer.spark;

import dev.lmuformer.audio.Resampler;
import dev.lmuformer.audio.WavReader;
import dev.lmuformer.audio.Waveform;
import dev.lmuformer.checkpoint.Checkpoint;
import dev.lmuformer.data.Split;
import dev.lmuformer.data.speech.Augment;
import dev.lmuformer.data.speech.Labels;
import dev.lmuformer.data.speech.Loader;
import dev.lmuformer.data.speech.Pipeline;
import dev.lmuformer.data.speech.SpeechCommands;
import dev.lmuformer.model.ModelConfig;
import dev.lmuformer.model.Models;
import dev.lmuformer.stream.KeywordSession;
import dev.lmuformer.stream.KeywordSpotter;
import dev.lmuformer.testing.TinySpeechCommands;
import dev.lmuformer.train.Evaluator;
import dev.lmuformer.train.Metrics;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Batch spotting and distributed evaluation on Spark in local mode (two task slots), against the single-machine code. */
class SparkJobsTest {
    @TempDir
    static Path dir;

    static SparkSession spark;
    static Path data;
    static Path checkpoint;
    static byte[] bytes;

    @BeforeAll
    static void start() throws IOException {
        data = TinySpeechCommands.create(dir.resolve("data"), Labels.speechCommands().names(), 3);
        // a random model of the keyword family, small enough for the suite; its logits are as checkable as a trained one's
        checkpoint = dir.resolve("model.safetensors");
        Checkpoint.save(checkpoint, Models.create(ModelConfig.fromMap("lmu_rnn_conv1d", Map.of("embed_dims", 16, "num_classes", 35))), Map.of());
        bytes = Files.readAllBytes(checkpoint);
        spark = SparkSessions.start("local[2]", "SparkJobsTest");
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
    }

    @Test
    void everyFileGetsItsResultAndBadFilesTheirError() throws IOException {
        Path input = dir.resolve("input");
        List<Path> good = new ArrayList<>();
        for (String w : List.of("yes", "no", "up")) {
            Path f = input.resolve(w + ".wav");
            Files.createDirectories(f.getParent());
            Files.copy(data.resolve(w + "/s2_nohash_0.wav"), f);
            good.add(f);
        }
        Path slow = input.resolve("nested/eight_khz.WAV"); // another rate, another case, a subfolder
        TinySpeechCommands.writeWav(slow, 12000, 8000, 7);
        good.add(slow);
        Files.write(input.resolve("corrupt.wav"), "this is not audio at all, just text".getBytes());
        byte[] whole = Files.readAllBytes(good.get(0));
        Files.write(input.resolve("truncated.wav"), java.util.Arrays.copyOf(whole, whole.length / 2));

        List<Row> rows = BatchSpotting.spot(spark, AudioFiles.read(spark, input.toString()).repartition(3), "model.safetensors", bytes).collectAsList();
        assertEquals(6, rows.size());
        Map<String, Row> byName = new HashMap<>();
        for (Row r : rows) byName.put(Path.of(java.net.URI.create(r.getString(0))).getFileName().toString(), r);

        for (String bad : List.of("corrupt.wav", "truncated.wav")) {
            Row r = byName.get(bad);
            assertNotNull(r.getString(5), bad + " has an error");
            assertTrue(r.getString(5).contains(bad), "the error names the file: " + r.getString(5));
            assertTrue(r.isNullAt(1) && r.isNullAt(2) && r.isNullAt(3) && r.isNullAt(4), bad + ": no results beside the error");
        }
        assertTrue(byName.get("truncated.wav").getString(5).contains("truncated"), byName.get("truncated.wav").getString(5));

        KeywordSpotter spotter = KeywordSpotter.load(checkpoint);
        for (Path f : good) {
            Row r = byName.get(f.getFileName().toString());
            assertNull(r.get(5), f + ": " + r.get(5));
            Waveform w = Resampler.toRate(WavReader.read(f), KeywordSession.SAMPLE_RATE);
            float[] expected = spotter.model().forward(spotter.input().fromWaveform(w).data, 1, spotter.input().frames(), false);
            List<Float> logits = r.getList(1);
            assertEquals(expected.length, logits.size());
            float largest = 0;
            for (float v : expected) largest = Math.max(largest, Math.abs(v));
            for (int c = 0; c < expected.length; c++) assertEquals(expected[c], logits.get(c), 1e-4 * largest, f + " class " + c);
            KeywordSpotter.Classification top = spotter.classify(WavReader.read(f));
            assertEquals(top.word(), r.getString(2));
            assertEquals(top.score(), r.getDouble(3), 1e-6);
            List<KeywordSession.Keyword> events = new ArrayList<>();
            KeywordSession session = spotter.session(KeywordSession.Listener.onKeywords(events::add));
            session.push(w.samples(), 0, w.samples().length);
            session.finish();
            List<Row> got = r.getList(4);
            assertEquals(events.size(), got.size(), f + ": events");
            for (int i = 0; i < events.size(); i++) {
                assertEquals(spotter.word(events.get(i).label()), got.get(i).getString(0));
                assertEquals(events.get(i).seconds(), got.get(i).getDouble(1), 1e-9);
                assertEquals(events.get(i).score(), got.get(i).getDouble(2), 1e-6);
            }
        }
    }

    @Test
    void theCheckpointIsParsedOncePerTaskSlotNotPerPartition() {
        int before = ExecutorModels.parsed();
        long n = BatchSpotting.spot(spark, AudioFiles.read(spark, data.toString()).repartition(12), "model.safetensors", bytes).count();
        assertEquals(35 * 3, n); // the clips; Spark skips folders whose names start with '_', _background_noise_ among them
        int parsed = ExecutorModels.parsed() - before;
        assertTrue(parsed <= 2, "12 partitions on 2 task slots parsed the checkpoint " + parsed + " times");
    }

    @Test
    void aBadCheckpointFailsOnTheDriverWithItsName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BatchSpotting.spot(spark, AudioFiles.read(spark, data.toString()), "broken.safetensors", "garbage".getBytes()));
        assertTrue(e.getMessage().contains("broken.safetensors"), e.getMessage());
    }

    @Test
    void aMissingInputIsAOneLineError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AudioFiles.read(spark, dir.resolve("nowhere").toString()));
        assertTrue(e.getMessage().startsWith(dir.resolve("nowhere") + ": cannot list the audio files"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void distributedEvaluationGivesTheSingleMachineMetrics() {
        for (Split split : List.of(Split.TEST, Split.VALIDATION)) {
            Evaluator.Outputs distributed = DistributedEvaluation.evaluate(spark, data.toString(), split, "model.safetensors", bytes);
            Checkpoint.Loaded loaded = Checkpoint.load(checkpoint);
            SpeechCommands set = SpeechCommands.open(data);
            Pipeline pipe = new Pipeline(Augment.NONE, KeywordSpotter.modelInput(loaded), 35);
            Evaluator.Outputs single;
            try (Loader loader = new Loader(set.examples(split), pipe, 256, false, 1, 2, 2)) {
                single = Evaluator.run(loaded.model(), loader);
            }
            assertEquals(35, distributed.clips());
            assertTrue(java.util.Arrays.equals(single.targets(), distributed.targets()), "targets in list order");
            for (int i = 0; i < single.logits().length; i++) assertEquals(single.logits()[i], distributed.logits()[i], 1e-5f, "logit " + i);
            Metrics a = single.metrics();
            Metrics b = distributed.metrics();
            assertEquals(a.accuracy(), b.accuracy(), 1e-12);
            assertEquals(a.meanAp(), b.meanAp(), 1e-9);
            assertEquals(a.meanAuc(), b.meanAuc(), 1e-9);
            assertEquals(a.dPrime(), b.dPrime(), 1e-9);
        }
    }

    @Test
    void evaluationNamesAListedClipThatIsMissing() throws IOException {
        Path copy = dir.resolve("missing");
        TinySpeechCommands.create(copy, Labels.speechCommands().names(), 2);
        Files.delete(copy.resolve("yes/s1_nohash_0.wav"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DistributedEvaluation.evaluate(spark, copy.toString(), Split.TEST, "model.safetensors", bytes));
        assertTrue(e.getMessage().contains("s1_nohash_0.wav"), e.getMessage());
    }
}
