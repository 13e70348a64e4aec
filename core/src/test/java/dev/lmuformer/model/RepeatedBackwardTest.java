package dev.lmuformer.model;

import dev.lmuformer.nn.Parameter;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Every model's second backward over the same batch gives the first one's parameter gradients, bit
 * for bit: a gradient buffer a model reuses between steps is cleared where the add-into convention
 * needs it, and nothing of one step leaks into the next.
 */
class RepeatedBackwardTest {
    private static final int BATCH = 2, FRAMES = 8;

    @Test
    void secondBackwardEqualsTheFirst() {
        List<ModelConfig> configs = List.of(
                ModelConfig.fromMap("lmu_rnn_conv1d", Map.of("embed_dims", 16, "in_channels", 4, "num_classes", 3, "seq_len", FRAMES)),
                ModelConfig.fromMap("slmu_rnn_ms_conv1d", Map.of("embed_dims", 16, "in_channels", 4, "num_classes", 3, "seq_len", FRAMES)),
                ModelConfig.fromMap("slmu_rnn_conv1d", Map.of("embed_dims", 16, "in_channels", 4, "num_classes", 3, "seq_len", FRAMES)),
                ModelConfig.fromMap("attn_ms_conv1d", Map.of("embed_dims", 16, "num_heads", 4, "in_channels", 4, "num_classes", 3, "seq_len", FRAMES)),
                ModelConfig.fromMap("psmnist_lmu", Map.of("seq_len", FRAMES, "theta", FRAMES, "hidden_size", 12, "memory_size", 8, "num_classes", 3)),
                ModelConfig.fromMap("psmnist_slmu", Map.of("seq_len", FRAMES, "theta", FRAMES, "hidden_size", 12, "memory_size", 8, "num_classes", 3)),
                ModelConfig.fromMap("lra_lmu", Map.of("embed_dims", 16, "vocab_size", 12, "num_classes", 3, "seq_len", FRAMES, "theta", FRAMES)));
        for (ModelConfig config : configs) {
            SequenceModel m = Models.create(config);
            Init.pytorchDefault(m, 3);
            for (var d : m.dropouts()) d.setProbability(0); // the same forward twice
            SplittableRandom rnd = new SplittableRandom(11);
            ModelConfig.Lra tokens = config instanceof ModelConfig.Lra lra ? lra : null;
            int n = config.seqLen() * (tokens == null ? 1 : tokens.towers());
            float[] x = new float[BATCH * n * m.inputFeatures()];
            for (int i = 0; i < x.length; i++) x[i] = tokens != null ? 1 + rnd.nextInt(tokens.vocabSize() - 1) : (float) rnd.nextGaussian();
            float[] dLogits = new float[BATCH * m.numClasses()];
            for (int i = 0; i < dLogits.length; i++) dLogits[i] = (float) rnd.nextGaussian();
            List<float[]> first = gradients(m, x, n, dLogits);
            List<float[]> second = gradients(m, x, n, dLogits);
            List<Parameter> params = m.state().parameters();
            for (int k = 0; k < params.size(); k++) {
                assertArrayEquals(first.get(k), second.get(k), 0f, m.arch() + ": " + params.get(k).name() + " differs on the second backward");
            }
        }
    }

    private static List<float[]> gradients(SequenceModel m, float[] x, int frames, float[] dLogits) {
        m.zeroGrad();
        m.forward(x, BATCH, frames, true);
        m.backward(dLogits);
        List<float[]> g = new ArrayList<>();
        for (Parameter p : m.state().parameters()) g.add(p.grad.clone());
        return g;
    }
}
