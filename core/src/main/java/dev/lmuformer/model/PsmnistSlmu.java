package dev.lmuformer.model;

import dev.lmuformer.nn.Dropout;
import dev.lmuformer.nn.Linear;
import dev.lmuformer.nn.Lif;
import dev.lmuformer.nn.Ops;
import dev.lmuformer.nn.SpikingLmuCell;

import java.util.List;

/**
 * The psMNIST spiking LMU of the authors' notebook ({@code psmnist_slmu}, REFERENCE §4): input
 * {@code [B, 784, 1]} → spiking LMU cell with u = LIF(W_u x), no batch norm, no neuron on m,
 * h = LIF(W_h [m ; x]) (hidden 346, memory 468, θ 784) → h at the last frame → dropout 0.5 →
 * classifier Linear(346 → 10).
 */
public final class PsmnistSlmu extends ModelBase {
    /** Registry name. */
    public static final String ARCH = "psmnist_slmu";

    final SpikingLmuCell lmu;
    final Dropout dropout = new Dropout(0.5, 0x5eed);
    final Linear classifier;
    private float[] last; // (B, hidden) h at the last frame
    private float[] dHidden; // (B, N, hidden)
    private float[] dLast; // (B, hidden)
    private int batch;
    private int frames;

    /** A model with the given sizes (hidden_size, memory_size, seq_len, theta, num_classes). */
    public PsmnistSlmu(ModelConfig config) {
        super(config);
        lmu = new SpikingLmuCell("lmu_fft", 1, config.hiddenSize(), config.memorySize(), config.theta(), config.seqLen(), false, false);
        classifier = new Linear("classifier", config.hiddenSize(), config.numClasses(), true);
        LmuRnnConv1d.registerBuffers(state, "lmu_fft", lmu.buffers());
        state.params(lmu.parameters()).params(classifier.parameters());
    }

    @Override
    public String arch() {
        return ARCH;
    }

    @Override
    public List<ForwardStep> steps() {
        return Structure.of(this);
    }

    @Override
    public int inputFeatures() {
        return 1;
    }

    @Override
    public float[] forward(float[] x, int batch, int frames, boolean training) {
        this.batch = batch;
        this.frames = frames;
        int hidden = config.hiddenSize();
        float[] h = lmu.forward(x, batch, frames, training);
        last = Ops.ensure(last, batch * hidden);
        for (int b = 0; b < batch; b++) System.arraycopy(h, ((b + 1) * frames - 1) * hidden, last, b * hidden, hidden);
        float[] in = dropout.forward(last, batch * hidden, training);
        return java.util.Arrays.copyOf(classifier.forward(in, batch), batch * config.numClasses());
    }

    /** The readout if the sequence ended at each frame: {@code classifier(h_t)}, {@code [N, B, classes]}. */
    @Override
    public float[] allSeqLogits(float[] x, int batch, int frames) {
        int hidden = config.hiddenSize();
        float[] h = lmu.forward(x, batch, frames, false);
        float[] byFrame = new float[frames * batch * hidden]; // (N, B, hidden)
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < frames; t++) System.arraycopy(h, (b * frames + t) * hidden, byFrame, (t * batch + b) * hidden, hidden);
        }
        return java.util.Arrays.copyOf(classifier.forward(byFrame, frames * batch), frames * batch * config.numClasses());
    }

    @Override
    public void backward(float[] dLogits) {
        int hidden = config.hiddenSize();
        dLast = Ops.zeroed(dLast, batch * hidden);
        float[] dIn = new float[batch * hidden];
        classifier.backward(dLogits, dIn);
        dropout.backward(dIn, dLast);
        dHidden = Ops.zeroed(dHidden, batch * frames * hidden);
        for (int b = 0; b < batch; b++) System.arraycopy(dLast, b * hidden, dHidden, ((b + 1) * frames - 1) * hidden, hidden);
        lmu.backward(dHidden, null);
    }

    @Override
    public List<Dropout> dropouts() {
        return List.of(dropout);
    }

    /** The dropout before the classifier (to disable it or reseed it). */
    public Dropout dropout() {
        return dropout;
    }

    /** The neurons f_u and f_h. */
    public List<Lif> neurons() {
        return lmu.neurons();
    }
}
