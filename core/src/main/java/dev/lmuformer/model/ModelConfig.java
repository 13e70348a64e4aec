package dev.lmuformer.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model's architecture and sizes, with the reference's argument names, one record per model
 * family: {@link Keyword} (the Speech Commands models), {@link Psmnist} (the psMNIST notebook's) and
 * {@link Lra} (the Long Range Arena token model). {@link #fromMap} reads checkpoint metadata or
 * JSON; keys absent there take the family's {@link #defaults}.
 */
public sealed interface ModelConfig permits ModelConfig.Keyword, ModelConfig.Psmnist, ModelConfig.Lra {

    /** The registry name, e.g. {@code lmu_rnn_conv1d}. */
    String arch();

    /** Output classes. */
    int numClasses();

    /** N, the frames the LMU's impulse response is built for. */
    int seqLen();

    /** The LMU window θ. */
    double theta();

    /** The config as reference-named keys (numbers), for checkpoint metadata. */
    Map<String, Object> toMap();

    /**
     * About how many float values a model of these sizes allocates for its weights and buffers,
     * reckoned from the sizes alone (no allocation): what {@link #checkFits} weighs.
     */
    long valueEstimate();

    /**
     * Refuses sizes that would build a model far larger than the {@code storedValues} values that
     * come with them, before anything is allocated: a corrupted or hostile checkpoint's config
     * (embed_dims 20000 beside width-64 weights) would otherwise exhaust the heap.
     *
     * @throws IllegalArgumentException when the estimate exceeds four times the stored values and a million
     */
    default void checkFits(long storedValues) {
        long need = valueEstimate();
        if (need > 4 * (double) storedValues + (1 << 20)) {
            throw new IllegalArgumentException("these sizes need about " + need + " values but the file holds " + storedValues);
        }
    }

    /** A block's values: the LMU's and MLP's weights and the impulse response over N frames. */
    private static double blockValues(double c, int mlpRatio, int seqLen) {
        return c * c * (2.0 * mlpRatio + 16) + 4 * c * seqLen;
    }

    /** An estimate reckoned in double (sizes near 2^31 overflow a long's products), as a long. */
    private static long saturated(double values) {
        return values >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) values;
    }

    /**
     * The Speech Commands models ({@code lmu_rnn_conv1d}, {@code slmu_rnn_ms_conv1d},
     * {@code slmu_rnn_conv1d}, {@code attn_ms_conv1d}); defaults C 256, depth 1, MLP ratio 4,
     * F 128, 35 classes, 16 heads, N 128, θ 128.
     *
     * @param arch       registry name
     * @param embedDims  C, the embedding width
     * @param depths     number of blocks
     * @param mlpRatios  MLP hidden width / C
     * @param inChannels F, input features per frame
     * @param numClasses classes
     * @param numHeads   attention heads (attention baseline only)
     * @param seqLen     N, frames the impulse response is built for
     * @param theta      LMU window θ
     */
    record Keyword(String arch, int embedDims, int depths, int mlpRatios, int inChannels, int numClasses, int numHeads, int seqLen, double theta)
            implements ModelConfig {
        /** Validates sizes. */
        public Keyword {
            ConfigValues.check(arch, theta, "embed_dims", embedDims, "depths", depths, "mlp_ratios", mlpRatios, "in_channels", inChannels,
                    "num_classes", numClasses, "num_heads", numHeads, "seq_len", seqLen);
        }

        @Override
        public long valueEstimate() {
            double c = embedDims;
            return saturated(c * inChannels * 3 + 12 * c * c + depths * blockValues(c, mlpRatios, seqLen) + numClasses * c);
        }

        static Keyword read(String arch, Map<String, ?> v) {
            return new Keyword(arch, ConfigValues.integer(v, "embed_dims", 256), ConfigValues.integer(v, "depths", 1), ConfigValues.integer(v, "mlp_ratios", 4),
                    ConfigValues.integer(v, "in_channels", 128), ConfigValues.integer(v, "num_classes", 35), ConfigValues.integer(v, "num_heads", 16),
                    ConfigValues.integer(v, "seq_len", 128), ConfigValues.number(v, "theta", 128));
        }

        @Override
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("embed_dims", embedDims);
            m.put("depths", depths);
            m.put("mlp_ratios", mlpRatios);
            m.put("in_channels", inChannels);
            m.put("num_classes", numClasses);
            m.put("num_heads", numHeads);
            m.put("seq_len", seqLen);
            m.put("theta", theta);
            return m;
        }
    }

    /**
     * The psMNIST notebook's models ({@code psmnist_lmu}, {@code psmnist_slmu}); defaults hidden 346,
     * memory 468, N 784, θ 784, 10 classes.
     *
     * @param arch       registry name
     * @param hiddenSize the LMU's hidden size
     * @param memorySize the LMU's memory size
     * @param seqLen     N, pixels per image
     * @param theta      LMU window θ
     * @param numClasses classes
     */
    record Psmnist(String arch, int hiddenSize, int memorySize, int seqLen, double theta, int numClasses) implements ModelConfig {
        /** Validates sizes. */
        public Psmnist {
            ConfigValues.check(arch, theta, "hidden_size", hiddenSize, "memory_size", memorySize, "seq_len", seqLen, "num_classes", numClasses);
        }

        @Override
        public long valueEstimate() {
            double m = memorySize;
            return saturated((double) hiddenSize * (m + 1) + m * (m + seqLen) + (double) numClasses * hiddenSize); // one input: a lower estimate
        }

        static Psmnist read(String arch, Map<String, ?> v) {
            return new Psmnist(arch, ConfigValues.integer(v, "hidden_size", 346), ConfigValues.integer(v, "memory_size", 468),
                    ConfigValues.integer(v, "seq_len", 784), ConfigValues.number(v, "theta", 784), ConfigValues.integer(v, "num_classes", 10));
        }

        @Override
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("hidden_size", hiddenSize);
            m.put("memory_size", memorySize);
            m.put("seq_len", seqLen);
            m.put("theta", theta);
            m.put("num_classes", numClasses);
            return m;
        }
    }

    /**
     * The Long Range Arena token model ({@code lra_lmu}); defaults ListOps-sized: C 64, depth 2,
     * MLP ratio 2, vocabulary 16, one tower, 10 classes, N 2000, θ 2000.
     *
     * @param arch       registry name
     * @param embedDims  C, the embedding width
     * @param depths     number of blocks
     * @param mlpRatios  MLP hidden width / C
     * @param vocabSize  vocabulary size (token 0 is padding)
     * @param towers     sequences per example, 1, or 2 for a two-tower (retrieval) model
     * @param numClasses classes
     * @param seqLen     N, tokens per sequence
     * @param theta      LMU window θ
     */
    record Lra(String arch, int embedDims, int depths, int mlpRatios, int vocabSize, int towers, int numClasses, int seqLen, double theta)
            implements ModelConfig {
        /** Validates sizes. */
        public Lra {
            ConfigValues.check(arch, theta, "embed_dims", embedDims, "depths", depths, "mlp_ratios", mlpRatios, "num_classes", numClasses, "seq_len", seqLen);
            if (vocabSize < 2) throw new IllegalArgumentException("vocab_size must be at least 2 (padding and one token), got " + vocabSize);
            if (towers != 1 && towers != 2) throw new IllegalArgumentException("towers must be 1 or 2, got " + towers);
        }

        @Override
        public long valueEstimate() {
            double c = embedDims;
            return saturated(vocabSize * c + depths * blockValues(c, mlpRatios, seqLen) + (towers == 1 ? 1 : 4) * c * numClasses);
        }

        static Lra read(String arch, Map<String, ?> v) {
            return new Lra(arch, ConfigValues.integer(v, "embed_dims", 64), ConfigValues.integer(v, "depths", 2), ConfigValues.integer(v, "mlp_ratios", 2),
                    ConfigValues.integer(v, "vocab_size", 16), ConfigValues.integer(v, "towers", 1), ConfigValues.integer(v, "num_classes", 10),
                    ConfigValues.integer(v, "seq_len", 2000), ConfigValues.number(v, "theta", 2000));
        }

        @Override
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("embed_dims", embedDims);
            m.put("depths", depths);
            m.put("mlp_ratios", mlpRatios);
            m.put("vocab_size", vocabSize);
            m.put("towers", towers);
            m.put("num_classes", numClasses);
            m.put("seq_len", seqLen);
            m.put("theta", theta);
            return m;
        }
    }

    /** The defaults of an architecture's family. */
    static ModelConfig defaults(String arch) {
        return fromMap(arch, Map.of());
    }

    /**
     * Reads a config from string values (checkpoint metadata or a JSON object) into the record of
     * the architecture's family ({@link Models#family}); absent keys take the family's defaults,
     * malformed values raise {@link IllegalArgumentException} naming the key.
     */
    static ModelConfig fromMap(String arch, Map<String, ?> values) {
        if (arch == null || arch.isBlank()) throw new IllegalArgumentException("arch must be given");
        return switch (Models.family(arch)) {
            case KEYWORD -> Keyword.read(arch, values);
            case PSMNIST -> Psmnist.read(arch, values);
            case LRA -> Lra.read(arch, values);
        };
    }
}
