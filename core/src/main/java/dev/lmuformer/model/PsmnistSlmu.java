package dev.lmuformer.model;

import dev.lmuformer.nn.Dropout;
import dev.lmuformer.nn.Lif;
import dev.lmuformer.nn.SpikingLmuCell;

import java.util.List;

/**
 * The psMNIST spiking LMU of the authors' notebook ({@code psmnist_slmu}, REFERENCE §4): input
 * {@code [B, 784, 1]} → spiking LMU cell with u = LIF(W_u x), no batch norm, no neuron on m,
 * h = LIF(W_h [m ; x]) (hidden 346, memory 468, θ 784) → h at the last frame → dropout 0.5 →
 * classifier Linear(346 → 10). Streaming, one pixel per step, with no look-ahead.
 */
public final class PsmnistSlmu extends ModelBase {
    /** Registry name. */
    public static final String ARCH = "psmnist_slmu";

    final SpikingLmuCell lmu;
    final LastFrameHead classifier;

    /** A model with the given sizes (hidden_size, memory_size, seq_len, theta, num_classes). */
    public PsmnistSlmu(ModelConfig.Psmnist config) {
        super(config);
        lmu = new SpikingLmuCell("lmu_fft", 1, config.hiddenSize(), config.memorySize(), config.theta(), config.seqLen(), false, false);
        classifier = new LastFrameHead("classifier", config.hiddenSize(), config.numClasses(), new Dropout(0.5, 0x5eed));
        compose(Op.seq(Op.spikingCell("lmu_fft", lmu, 1)), classifier);
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

    /** The neurons f_u and f_h. */
    public List<Lif> neurons() {
        return allNeurons();
    }
}
