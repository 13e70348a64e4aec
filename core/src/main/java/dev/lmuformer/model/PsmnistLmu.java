package dev.lmuformer.model;

import dev.lmuformer.nn.BatchNorm1d;
import dev.lmuformer.nn.Conv1d;
import dev.lmuformer.nn.Dropout;
import dev.lmuformer.nn.LmuCell;

/**
 * The psMNIST LMU of the authors' notebook ({@code psmnist_lmu}, REFERENCE §4): input
 * {@code [B, 784, 1]} → conv1 (1→3, k=1, bias) → bn1 → LMU cell (I = 3, ReLU, hidden 346,
 * memory 468, θ 784) → mean of h over time → dropout 0.4 → classifier Linear(346 → 10).
 * Streaming, one pixel per step, with no look-ahead.
 */
public final class PsmnistLmu extends ModelBase {
    /** Registry name. */
    public static final String ARCH = "psmnist_lmu";
    private static final int EXPANDED = 3;

    final Conv1d conv1;
    final BatchNorm1d bn1;
    final LmuCell lmu;
    final FrameMeanHead classifier;

    /** A model with the given sizes (hidden_size, memory_size, seq_len, theta, num_classes). */
    public PsmnistLmu(ModelConfig.Psmnist config) {
        super(config);
        conv1 = new Conv1d("conv1", 1, EXPANDED, 1, true);
        bn1 = new BatchNorm1d("bn1", EXPANDED);
        lmu = new LmuCell("lmu_fft", EXPANDED, config.hiddenSize(), config.memorySize(), config.theta(), config.seqLen());
        classifier = new FrameMeanHead("classifier", config.hiddenSize(), config.numClasses(), new Dropout(0.4, 0x5eed), false);
        compose(Op.seq(Op.conv(conv1), Op.norm(bn1), Op.cell("lmu_fft", lmu)), classifier);
    }

    @Override
    public String arch() {
        return ARCH;
    }

    @Override
    public ModelConfig.Psmnist config() {
        return (ModelConfig.Psmnist) config;
    }

    @Override
    public int inputFeatures() {
        return 1;
    }

    /** The dropout before the classifier (to disable it or reseed it). */
    public Dropout dropout() {
        return classifier.dropout();
    }
}
