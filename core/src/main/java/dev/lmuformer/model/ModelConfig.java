package dev.lmuformer.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model's architecture and sizes, with the reference's argument names. Keys absent from a
 * checkpoint take the Speech Commands values (C 256, depth 1, MLP ratio 4, F 128, 35 classes,
 * 16 heads, N 128, θ 128) or, for the psMNIST models, the notebook's (hidden 346, memory 468,
 * N 784, θ 784, 10 classes), or for the Long Range Arena model {@code lra_lmu} ListOps-sized ones
 * (C 64, depth 2, MLP ratio 2, vocabulary 16, 10 classes, N 2000, θ 2000, one tower).
 *
 * @param arch        registry name, e.g. {@code lmu_rnn_conv1d}
 * @param embedDims   C, the embedding width
 * @param depths      number of blocks
 * @param mlpRatios   MLP hidden width / C
 * @param inChannels  F, input features per frame
 * @param numClasses  classes
 * @param numHeads    attention heads (attention baseline only)
 * @param seqLen      N, frames the impulse response is built for
 * @param theta       LMU window θ
 * @param hiddenSize  psMNIST: LMU hidden size
 * @param memorySize  psMNIST: LMU memory size
 * @param vocabSize   token models: vocabulary size (token 0 is padding)
 * @param towers      token models: sequences per example, 1, or 2 for a two-tower (retrieval) model
 */
public record ModelConfig(String arch, int embedDims, int depths, int mlpRatios, int inChannels, int numClasses,
                          int numHeads, int seqLen, double theta, int hiddenSize, int memorySize, int vocabSize, int towers) {

    /** Validates sizes. */
    public ModelConfig {
        if (arch == null || arch.isBlank()) throw new IllegalArgumentException("arch must be given");
        positive("embed_dims", embedDims);
        positive("depths", depths);
        positive("mlp_ratios", mlpRatios);
        positive("in_channels", inChannels);
        positive("num_classes", numClasses);
        positive("num_heads", numHeads);
        positive("seq_len", seqLen);
        positive("hidden_size", hiddenSize);
        positive("memory_size", memorySize);
        if (vocabSize < 2) throw new IllegalArgumentException("vocab_size must be at least 2 (padding and one token), got " + vocabSize);
        if (towers != 1 && towers != 2) throw new IllegalArgumentException("towers must be 1 or 2, got " + towers);
        if (!(theta > 0) || Double.isInfinite(theta)) throw new IllegalArgumentException("theta must be positive, got " + theta);
    }

    /** A config of a model without token inputs (vocabulary 257, one tower). */
    public ModelConfig(String arch, int embedDims, int depths, int mlpRatios, int inChannels, int numClasses,
                       int numHeads, int seqLen, double theta, int hiddenSize, int memorySize) {
        this(arch, embedDims, depths, mlpRatios, inChannels, numClasses, numHeads, seqLen, theta, hiddenSize, memorySize, 257, 1);
    }

    private static void positive(String key, int v) {
        if (v <= 0) throw new IllegalArgumentException(key + " must be positive, got " + v);
    }

    /** True for the psMNIST models, whose sizes are hidden/memory rather than embed_dims. */
    public boolean isPsmnist() {
        return arch.startsWith("psmnist");
    }

    /** True for the Long Range Arena token models, whose inputs are token ids. */
    public boolean isLra() {
        return arch.startsWith("lra");
    }

    /** The defaults of an architecture. */
    public static ModelConfig defaults(String arch) {
        if (arch.startsWith("psmnist")) return new ModelConfig(arch, 256, 1, 4, 1, 10, 16, 784, 784, 346, 468);
        if (arch.startsWith("lra")) return new ModelConfig(arch, 64, 2, 2, 1, 10, 16, 2000, 2000, 346, 468, 16, 1);
        return new ModelConfig(arch, 256, 1, 4, 128, 35, 16, 128, 128, 346, 468);
    }

    /**
     * Reads a config from string values (checkpoint metadata or a JSON object); absent keys take
     * the defaults, malformed values raise {@link IllegalArgumentException} naming the key.
     */
    public static ModelConfig fromMap(String arch, Map<String, ?> values) {
        ModelConfig d = defaults(arch);
        return new ModelConfig(arch,
                intOf(values, "embed_dims", d.embedDims), intOf(values, "depths", d.depths),
                intOf(values, "mlp_ratios", d.mlpRatios), intOf(values, "in_channels", d.inChannels),
                intOf(values, "num_classes", d.numClasses), intOf(values, "num_heads", d.numHeads),
                intOf(values, "seq_len", d.seqLen), doubleOf(values, "theta", d.theta),
                intOf(values, "hidden_size", d.hiddenSize), intOf(values, "memory_size", d.memorySize),
                intOf(values, "vocab_size", d.vocabSize), intOf(values, "towers", d.towers));
    }

    private static int intOf(Map<String, ?> m, String key, int fallback) {
        Object v = m.get(key);
        if (v == null) return fallback;
        String s = String.valueOf(v).trim();
        // The reference passes some sizes as one-element lists, e.g. [256].
        if (s.startsWith("[") && s.endsWith("]")) s = s.substring(1, s.length() - 1).trim();
        try {
            double x = Double.parseDouble(s);
            if (x != Math.rint(x) || Math.abs(x) > Integer.MAX_VALUE) throw new NumberFormatException();
            return (int) x;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("config key '" + key + "' must be an integer, got '" + v + "'");
        }
    }

    private static double doubleOf(Map<String, ?> m, String key, double fallback) {
        Object v = m.get(key);
        if (v == null) return fallback;
        try {
            return Double.parseDouble(String.valueOf(v).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("config key '" + key + "' must be a number, got '" + v + "'");
        }
    }

    /** The config as reference-named keys (numbers), for checkpoint metadata. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (isPsmnist()) {
            m.put("hidden_size", hiddenSize);
            m.put("memory_size", memorySize);
            m.put("seq_len", seqLen);
            m.put("theta", theta);
            m.put("num_classes", numClasses);
        } else if (isLra()) {
            m.put("embed_dims", embedDims);
            m.put("depths", depths);
            m.put("mlp_ratios", mlpRatios);
            m.put("vocab_size", vocabSize);
            m.put("towers", towers);
            m.put("num_classes", numClasses);
            m.put("seq_len", seqLen);
            m.put("theta", theta);
        } else {
            m.put("embed_dims", embedDims);
            m.put("depths", depths);
            m.put("mlp_ratios", mlpRatios);
            m.put("in_channels", inChannels);
            m.put("num_classes", numClasses);
            m.put("num_heads", numHeads);
            m.put("seq_len", seqLen);
            m.put("theta", theta);
        }
        return m;
    }
}
