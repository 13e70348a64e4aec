package dev.lmuformer.model;

import dev.lmuformer.nn.BatchNorm1d;
import dev.lmuformer.nn.Embedding;
import dev.lmuformer.nn.Parameter;

import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * PyTorch's default initialisation, seeded: Conv1d and Linear weights and biases uniform in
 * ±1/√fan_in (kaiming_uniform with a = √5), batch norm γ = 1 and β = 0 as constructed, embedding
 * weights standard normal with the padding row zero; and running statistics calibrated on data,
 * for untrained spiking models.
 */
public final class Init {
    private Init() {
    }

    /** Initialises every weight and bias of a model from {@code seed}, and seeds its dropout masks from it. */
    public static void pytorchDefault(SequenceModel model, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, Integer> fanIn = new HashMap<>();
        Map<Parameter, Embedding> embeddings = new IdentityHashMap<>();
        for (Embedding e : model.state().embeddings()) embeddings.put(e.weight, e);
        for (Parameter p : model.state().parameters()) {
            if (embeddings.containsKey(p)) continue;
            int[] s = p.shape();
            if (s.length >= 2 && p.name().endsWith(".weight")) {
                int fan = 1;
                for (int i = 1; i < s.length; i++) fan *= s[i];
                fanIn.put(p.name().substring(0, p.name().length() - ".weight".length()), fan);
            }
        }
        for (Parameter p : model.state().parameters()) {
            Embedding e = embeddings.get(p);
            if (e != null) {
                for (int i = 0; i < p.data.length; i++) p.data[i] = (float) rnd.nextGaussian();
                if (e.paddingIdx() >= 0) java.util.Arrays.fill(p.data, e.paddingIdx() * e.dim(), (e.paddingIdx() + 1) * e.dim(), 0f);
                continue;
            }
            String prefix = p.name().substring(0, p.name().lastIndexOf('.'));
            Integer fan = fanIn.get(prefix);
            if (fan == null) continue; // batch-norm γ and β keep 1 and 0
            double bound = 1 / Math.sqrt(fan);
            for (int i = 0; i < p.data.length; i++) p.data[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
        }
        // the dropout masks follow the seed too; drawn after the weights, which stay as they were
        for (dev.lmuformer.nn.Dropout d : model.dropouts()) d.seed(rnd.nextLong());
    }

    /**
     * Sets every batch norm's running statistics to the batch statistics of one training-mode forward
     * over x {@code [B, N, F]} (each layer normalised with its batch statistics, as in training): from
     * zero, one update leaves {@link BatchNorm1d#MOMENTUM} times them. An untrained model's running
     * statistics (0 and 1) leave most spiking neurons silent in evaluation; with these they fire
     * about as often as in training, which is what benchmarks and demonstrations of untrained models need.
     */
    public static void calibrateNorms(SequenceModel model, float[] x, int batch, int frames) {
        List<BatchNorm1d> norms = model.state().norms();
        if (norms.isEmpty()) return;
        for (BatchNorm1d bn : norms) {
            Arrays.fill(bn.runningMean, 0f);
            Arrays.fill(bn.runningVar, 0f);
        }
        model.forward(x, batch, frames, true);
        for (BatchNorm1d bn : norms) {
            for (int c = 0; c < bn.channels(); c++) {
                bn.runningMean[c] = (float) (bn.runningMean[c] / BatchNorm1d.MOMENTUM);
                bn.runningVar[c] = (float) (bn.runningVar[c] / BatchNorm1d.MOMENTUM);
            }
        }
    }
}
