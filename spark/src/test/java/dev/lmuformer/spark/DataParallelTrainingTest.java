package dev.lmuformer.spark;

import dev.lmuformer.data.Split;
import dev.lmuformer.data.speech.Labels;
import dev.lmuformer.data.speech.PreparedFeatures;
import dev.lmuformer.data.speech.SpeechCommands;
import dev.lmuformer.io.Safetensors;
import dev.lmuformer.model.Init;
import dev.lmuformer.model.ModelConfig;
import dev.lmuformer.model.Models;
import dev.lmuformer.model.SequenceModel;
import dev.lmuformer.model.StateDict;
import dev.lmuformer.testing.TinySpeechCommands;
import dev.lmuformer.train.Adam;
import dev.lmuformer.train.TrainConfig;
import dev.lmuformer.train.Trainer;
import dev.lmuformer.train.Training;
import dev.lmuformer.train.TrainingState;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Training by parameter averaging on Spark in local mode, against single-machine training. */
class DataParallelTrainingTest {
    @TempDir
    static Path dir;

    static SparkSession spark;
    static Path data;

    @BeforeAll
    static void start() {
        data = TinySpeechCommands.create(dir.resolve("data"), Labels.speechCommands().names(), 4); // 70 training clips: 9 batches of 8
        spark = SparkSessions.start("local[2]", "DataParallelTrainingTest");
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
    }

    private static TrainConfig config() {
        TrainConfig c = new TrainConfig();
        c.set("model", "lmu_rnn_conv1d").set("dim", 16).set("batch_size", 8).set("n_epochs", 3).set("lrscheduler_start", 1)
                .set("lrscheduler_step", 1).set("seed", 3); // the recipe's mixup, masks and noise stay on
        return c;
    }

    @Test
    void oneWorkerIsSingleMachineTrainingBitForBit() {
        Path single = dir.resolve("single");
        Training t = Training.speechCommands(config(), data);
        t.run(single, t.start(single, false), 2, new Trainer.Listener() {
        });
        for (int k : new int[] {1, 4}) { // rounds of one step, and rounds that cut epochs unevenly (9 batches)
            Path spread = dir.resolve("one-worker-k" + k);
            List<Double> losses = new ArrayList<>();
            TrainingState s = DataParallelTraining.run(spark, config(), data.toString(), spread, new DataParallelTraining.Settings(1, k), false, 2,
                    new Trainer.Listener() {
                        @Override
                        public void epoch(Trainer.EpochResult r) {
                            losses.add(r.trainLoss());
                        }
                    });
            assertEquals(3, s.epochsDone());
            assertEquals(27, s.steps(), "one step per batch");
            assertEquals(3, losses.size());
            for (String file : List.of(Trainer.LAST, Trainer.BEST)) {
                Safetensors a = Safetensors.read(single.resolve(file));
                Safetensors b = Safetensors.read(spread.resolve(file));
                assertEquals(a.names(), b.names(), file);
                for (String name : a.names()) assertArrayEquals(a.tensor(name).data, b.tensor(name).data, file + " " + name + ", K = " + k);
                assertEquals(a.metadata(), b.metadata(), file);
            }
        }
    }

    @Test
    void twoWorkersAverageAndTakeHalfTheSteps() {
        Path out = dir.resolve("two-workers");
        TrainingState s = DataParallelTraining.run(spark, config(), data.toString(), out, new DataParallelTraining.Settings(2, 1), false, 1,
                new Trainer.Listener() {
                });
        assertEquals(3, s.epochsDone());
        assertEquals(3 * 5, s.steps(), "9 batches over 2 workers: 5 rounds of one step per epoch");
        Safetensors averaged = Safetensors.read(out.resolve(Trainer.LAST));
        for (String name : averaged.names()) {
            for (float v : averaged.tensor(name).data) assertTrue(Float.isFinite(v), name);
        }
        // resumable like train's runs: a finished run resumes to itself
        TrainingState again = DataParallelTraining.run(spark, config(), data.toString(), out, new DataParallelTraining.Settings(2, 1), true, 1,
                new Trainer.Listener() {
                });
        assertEquals(s, again);
    }

    @Test
    void theAverageIsTheMeanOfTheWorkersStates() {
        SequenceModel a = model(1), b = model(2), mean = model(3);
        Adam adamA = adam(a), adamB = adam(b), adamMean = adam(mean);
        adamA.expAvg(0)[0] = 1f;
        adamB.expAvg(0)[0] = 2f;
        adamA.setSteps(5);
        adamB.setSteps(5);
        Trainer.EpochTotals one = new Trainer.EpochTotals(1.5, 2, 8);
        DataParallelTraining.Part sum = DataParallelTraining.Part.plus(
                DataParallelTraining.Part.of(DataParallelTraining.State.of(b, adamB), 1, one),
                DataParallelTraining.Part.plus(DataParallelTraining.Part.of(DataParallelTraining.State.of(a, adamA), 0, one),
                        DataParallelTraining.Part.of(DataParallelTraining.State.of(mean, adamMean), 2, new Trainer.EpochTotals(0, 0, 0))));
        assertEquals(2, sum.workers(), "a worker without steps is not averaged in");
        assertEquals(new Trainer.EpochTotals(3, 4, 16), sum.totals());
        sum.averageInto(mean, adamMean);
        Map<String, StateDict.Entry> ea = a.state().entries(), eb = b.state().entries();
        for (StateDict.Entry e : mean.state().entries().values()) {
            float[] x = ea.get(e.name()).data(), y = eb.get(e.name()).data();
            for (int i = 0; i < x.length; i++) assertEquals((float) (((double) x[i] + y[i]) / 2), e.data()[i], e.name());
        }
        assertEquals(1.5f, adamMean.expAvg(0)[0]);
        assertEquals(5, adamMean.steps());
        assertFalse(java.util.Arrays.equals(ea.values().iterator().next().data(), mean.state().entries().values().iterator().next().data()));
    }

    @Test
    void featuresPreparedOnSparkTrainAsTheAudioDoes() {
        String parquet = dir.resolve("features.parquet").toString();
        assertEquals(35 * 4, FeaturePreparation.write(spark, data, 128, parquet, false));
        PreparedFeatures read = FeaturePreparation.read(spark, parquet);
        PreparedFeatures local = PreparedFeatures.compute(SpeechCommands.open(data), 128);
        assertEquals(local.words(), read.words());
        for (Split split : Split.values()) {
            assertArrayEquals(local.split(split).names(), read.split(split).names(), split.id());
            assertArrayEquals(local.split(split).labels(), read.split(split).labels());
            for (int i = 0; i < local.split(split).size(); i++) assertArrayEquals(local.split(split).fbank()[i], read.split(split).fbank()[i]);
        }
        IllegalArgumentException exists = assertThrows(IllegalArgumentException.class, () -> FeaturePreparation.write(spark, data, 128, parquet, false));
        assertTrue(exists.getMessage().contains("--overwrite"), exists.getMessage());

        TrainConfig noMixup = config().set("mixup", 0);
        Path audio = dir.resolve("audio-no-mixup");
        Training t = Training.speechCommands(noMixup, data);
        t.run(audio, t.start(audio, false), 2, new Trainer.Listener() {
        });
        Path spread = dir.resolve("features-one-worker");
        DataParallelTraining.run(spark, noMixup, read, spread, new DataParallelTraining.Settings(1, 3), false, 2, new Trainer.Listener() {
        });
        Safetensors a = Safetensors.read(audio.resolve(Trainer.LAST)), b = Safetensors.read(spread.resolve(Trainer.LAST));
        for (String name : a.names()) assertArrayEquals(a.tensor(name).data, b.tensor(name).data, name);
        assertThrows(IllegalArgumentException.class, () -> FeaturePreparation.read(spark, dir.resolve("nothing").toString()));
    }

    @Test
    void settingsMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new DataParallelTraining.Settings(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new DataParallelTraining.Settings(2, 0));
    }

    private static SequenceModel model(long seed) {
        SequenceModel m = Models.create(ModelConfig.fromMap("lmu_rnn_conv1d", Map.of("embed_dims", 8, "num_classes", 3)));
        Init.pytorchDefault(m, seed);
        return m;
    }

    private static Adam adam(SequenceModel m) {
        return new Adam(m.state().parameters(), 1e-3, 0.9, 0.999, 1e-8, 0);
    }
}
