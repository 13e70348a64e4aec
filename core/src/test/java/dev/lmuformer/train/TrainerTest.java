package dev.lmuformer.train;

import dev.lmuformer.data.Batch;
import dev.lmuformer.data.BatchSource;
import dev.lmuformer.engine.Parallel;
import dev.lmuformer.engine.Tensor;
import dev.lmuformer.model.Init;
import dev.lmuformer.model.ModelConfig;
import dev.lmuformer.model.Models;
import dev.lmuformer.model.SequenceModel;
import dev.lmuformer.nn.Parameter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Resume gives the same weights as an uninterrupted run; same seed, same curve; a NaN loss stops cleanly. */
class TrainerTest {
    private static final int CLASSES = 3, FRAMES = 6, FEATURES = 4, BATCH = 4;
    @TempDir
    Path dir;
    private int threads;

    @BeforeEach
    void singleThread() {
        threads = Parallel.threads();
        Parallel.setThreads(1);
    }

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(threads);
    }

    /** A tiny deterministic source: batch (epoch, i) drawn from a seed, labels from the input's sign. */
    private static BatchSource source(int batches, long seed, boolean poison) {
        return source(batches, seed, poison, FRAMES, FEATURES);
    }

    private static BatchSource source(int batches, long seed, boolean poison, int frames, int features) {
        return new BatchSource() {
            public Iterator<Batch> epoch(int epoch) {
                List<Batch> list = new ArrayList<>();
                for (int i = 0; i < batches; i++) {
                    SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + epoch * 101L + i);
                    float[] x = new float[BATCH * frames * features];
                    float[] y = new float[BATCH * CLASSES];
                    for (int b = 0; b < BATCH; b++) {
                        int label = rnd.nextInt(CLASSES);
                        y[b * CLASSES + label] = 1f;
                        for (int j = 0; j < frames * features; j++) x[b * frames * features + j] = (float) (rnd.nextGaussian() + label);
                    }
                    if (poison) x[0] = Float.NaN;
                    list.add(new Batch(new Tensor(x, BATCH, frames, features), new Tensor(y, BATCH, CLASSES), new int[BATCH]));
                }
                return list.iterator();
            }

            public Batch batch(int epoch, int index) {
                Iterator<Batch> it = epoch(epoch);
                for (int i = 0; i < index; i++) it.next();
                return it.next();
            }

            public int batchesPerEpoch() {
                return batches;
            }

            public int size() {
                return batches * BATCH;
            }
        };
    }

    private static SequenceModel model() {
        SequenceModel m = Models.create(ModelConfig.fromMap("lmu_rnn_conv1d",
                Map.of("embed_dims", 8, "in_channels", FEATURES, "num_classes", CLASSES, "seq_len", FRAMES)));
        Init.pytorchDefault(m, 5);
        return m;
    }

    private static Trainer trainer(SequenceModel m, int epochs) {
        return new Trainer(new Recipe(Recipe.LossKind.BCE, 2.5e-3, 0.95, 0.999, 1e-8, 0, new StepLr(2.5e-3, 1, 1, 0.85), epochs, 8),
                m, "test", Map.of());
    }

    private static TrainingState fresh() {
        return new TrainingState(0, 0, Double.NaN, -1, "test");
    }

    private static final class StopAfter extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    @Test
    void resumedRunEqualsUninterruptedRun() {
        SequenceModel straight = model();
        trainer(straight, 3).run(source(3, 9, false), source(1, 77, false), dir.resolve("a"), fresh(), new Trainer.Listener() { });

        SequenceModel first = model();
        Trainer.Listener stopAfterOneEpoch = new Trainer.Listener() {
            public void epoch(Trainer.EpochResult r) {
                throw new StopAfter(); // as if killed after the first epoch's files were written
            }
        };
        assertThrows(StopAfter.class, () -> trainer(first, 3).run(source(3, 9, false), source(1, 77, false), dir.resolve("b"), fresh(), stopAfterOneEpoch));
        SequenceModel resumed = model();
        Trainer t = trainer(resumed, 3);
        TrainingState state = TrainingState.restore(dir.resolve("b").resolve(Trainer.LAST), resumed, t.optimizer());
        assertEquals(1, state.epochsDone());
        TrainingState end = t.run(source(3, 9, false), source(1, 77, false), dir.resolve("b"), state, new Trainer.Listener() { });
        assertEquals(3, end.epochsDone());
        assertEquals(9, end.steps());
        List<Parameter> a = straight.state().parameters(), b = resumed.state().parameters();
        for (int k = 0; k < a.size(); k++) assertArrayEquals(a.get(k).data, b.get(k).data, 0f, a.get(k).name() + " differs after resume");
        assertTrue(Files.exists(dir.resolve("b").resolve(Trainer.BEST)));
    }

    /** The psMNIST models with their dropout, at a test's size: 16 pixels, hidden 12, memory 8. */
    private static SequenceModel psmnist(String arch, long seed) {
        SequenceModel m = Models.create(ModelConfig.fromMap(arch,
                Map.of("seq_len", PIXELS, "theta", PIXELS, "hidden_size", 12, "memory_size", 8, "num_classes", CLASSES)));
        Init.pytorchDefault(m, seed);
        return m;
    }

    private static final int PIXELS = 16;

    private static Trainer crossEntropyTrainer(SequenceModel m, int epochs) {
        return new Trainer(new Recipe(Recipe.LossKind.CE, 1e-2, 0.9, 0.999, 1e-8, 0, new StepLr(1e-2, 1, 1, 0.5), epochs, 8), m, "test", Map.of());
    }

    /** Dropout masks are part of the training state: a resumed psMNIST run ends on the uninterrupted run's weights, bit for bit, on 2 threads. */
    @Test
    void resumedRunWithDropoutEqualsUninterruptedRun() {
        Parallel.setThreads(2);
        for (String arch : List.of("psmnist_lmu", "psmnist_slmu")) {
            BatchSource train = source(3, 9, false, PIXELS, 1), val = source(1, 77, false, PIXELS, 1);
            SequenceModel straight = psmnist(arch, 1);
            assertTrue(straight.dropouts().get(0).probability() > 0, arch + " has dropout");
            crossEntropyTrainer(straight, 3).run(train, val, dir.resolve(arch + "-a"), fresh(), new Trainer.Listener() { });

            SequenceModel first = psmnist(arch, 1);
            Trainer.Listener stopAfterOneEpoch = new Trainer.Listener() {
                public void epoch(Trainer.EpochResult r) {
                    throw new StopAfter();
                }
            };
            assertThrows(StopAfter.class, () -> crossEntropyTrainer(first, 3).run(train, val, dir.resolve(arch + "-b"), fresh(), stopAfterOneEpoch));
            SequenceModel resumed = psmnist(arch, 1);
            Trainer t = crossEntropyTrainer(resumed, 3);
            TrainingState state = TrainingState.restore(dir.resolve(arch + "-b").resolve(Trainer.LAST), resumed, t.optimizer());
            assertEquals(3, resumed.dropouts().get(0).forwards(), arch + ": the masks of epoch 1's three steps were drawn");
            t.run(train, val, dir.resolve(arch + "-b"), state, new Trainer.Listener() { });
            List<Parameter> a = straight.state().parameters(), b = resumed.state().parameters();
            for (int k = 0; k < a.size(); k++) assertArrayEquals(a.get(k).data, b.get(k).data, 0f, arch + ": " + a.get(k).name() + " differs after resume");

            // the seed decides the masks: the same weights trained with another dropout seed end elsewhere
            SequenceModel other = psmnist(arch, 1);
            other.dropouts().get(0).seed(psmnist(arch, 2).dropouts().get(0).seed());
            assertNotEquals(straight.dropouts().get(0).seed(), other.dropouts().get(0).seed(), arch + ": seeds 1 and 2 give other masks");
            crossEntropyTrainer(other, 3).run(train, val, dir.resolve(arch + "-c"), fresh(), new Trainer.Listener() { });
            boolean differs = false;
            List<Parameter> c = other.state().parameters();
            for (int k = 0; k < a.size(); k++) differs |= !java.util.Arrays.equals(a.get(k).data, c.get(k).data);
            assertTrue(differs, arch + ": another dropout seed trains to other weights");
        }
    }

    @Test
    void sameSeedSameLossCurve() {
        List<List<Double>> curves = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            List<Double> losses = new ArrayList<>();
            trainer(model(), 2).run(source(3, 9, false), source(1, 77, false), dir.resolve("run" + run), fresh(), new Trainer.Listener() {
                public void batch(int epoch, int index, int batches, double loss, double accuracy, double samplesPerSecond) {
                    losses.add(loss);
                }
            });
            curves.add(losses);
        }
        assertEquals(6, curves.get(0).size());
        assertEquals(curves.get(0), curves.get(1));
    }

    @Test
    void nonFiniteLossStopsWithoutTouchingTheWeights() {
        SequenceModel m = model();
        float[] before = m.state().parameters().get(0).data.clone();
        ArithmeticException e = assertThrows(ArithmeticException.class,
                () -> trainer(m, 1).run(source(1, 9, true), source(1, 77, false), dir.resolve("nan"), fresh(), new Trainer.Listener() { }));
        assertTrue(e.getMessage().contains("loss is NaN"), e.getMessage());
        assertTrue(e.getMessage().contains("last good checkpoint"), e.getMessage());
        assertArrayEquals(before, m.state().parameters().get(0).data, 0f);
    }
}
