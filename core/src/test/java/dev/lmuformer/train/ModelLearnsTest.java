package dev.lmuformer.train;

import dev.lmuformer.model.Init;
import dev.lmuformer.model.ModelConfig;
import dev.lmuformer.model.Models;
import dev.lmuformer.model.SequenceModel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each model learns: a few dozen steps of its recipe on one tiny batch bring the loss far down. A
 * backward that returns zeros, a gradient of the wrong sign or an optimiser that does not step
 * leaves the loss where it started.
 */
class ModelLearnsTest {
    private static final int BATCH = 8, FRAMES = 16, FEATURES = 8, CLASSES = 3, STEPS = 60;
    /** The loss after the steps must be below this share of the first step's. */
    private static final double FALL = 0.5;

    @ParameterizedTest
    @ValueSource(strings = {"lmu_rnn_conv1d", "slmu_rnn_ms_conv1d", "psmnist_lmu"})
    void lossFallsOnATinyBatch(String arch) {
        boolean pixels = arch.startsWith("psmnist");
        ModelConfig config = ModelConfig.fromMap(arch, pixels
                ? Map.of("hidden_size", 16, "memory_size", 8, "seq_len", FRAMES, "theta", FRAMES, "num_classes", CLASSES)
                : Map.of("embed_dims", 16, "in_channels", FEATURES, "num_classes", CLASSES, "seq_len", FRAMES, "theta", FRAMES));
        SequenceModel model = Models.create(config);
        Init.pytorchDefault(model, 5);
        model.dropouts().forEach(d -> d.setProbability(0));
        int features = model.inputFeatures();
        SplittableRandom rnd = new SplittableRandom(9);
        float[] x = new float[BATCH * FRAMES * features];
        float[] targets = new float[BATCH * CLASSES];
        for (int b = 0; b < BATCH; b++) {
            int label = b % CLASSES;
            targets[b * CLASSES + label] = 1f;
            // each class its own offset pattern under the noise: learnable, but only by training
            for (int t = 0; t < FRAMES; t++) {
                for (int f = 0; f < features; f++) {
                    x[(b * FRAMES + t) * features + f] = (float) (rnd.nextGaussian() * 0.5 + ((f + label) % CLASSES == 0 ? 1 : -0.5));
                }
            }
        }
        TrainStep step = Recipe.forModel(arch).withLr(1e-2).step(model);
        double first = step.run(x, targets, BATCH, FRAMES);
        double last = first;
        for (int i = 1; i < STEPS; i++) last = step.run(x, targets, BATCH, FRAMES);
        assertTrue(last < FALL * first, arch + ": loss " + first + " → " + last + " after " + STEPS + " steps");
    }
}
