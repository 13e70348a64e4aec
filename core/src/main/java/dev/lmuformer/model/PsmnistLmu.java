package dev.lmuformer.model;

import dev.lmuformer.nn.BatchNorm1d;
import dev.lmuformer.nn.Conv1d;
import dev.lmuformer.nn.Dropout;
import dev.lmuformer.nn.LmuCell;
import dev.lmuformer.nn.Ops;

import java.util.List;

/**
 * The psMNIST LMU of the authors' notebook ({@code psmnist_lmu}, REFERENCE §4): input
 * {@code [B, 784, 1]} → conv1 (1→3, k=1, bias) → bn1 → LMU cell (I = 3, ReLU, hidden 346,
 * memory 468, θ 784) → mean of h over time → dropout 0.4 → classifier Linear(346 → 10).
 */
public final class PsmnistLmu extends ModelBase {
    /** Registry name. */
    public static final String ARCH = "psmnist_lmu";
    private static final int EXPANDED = 3;

    final Conv1d conv1;
    final BatchNorm1d bn1;
    final LmuCell lmu;
    final FrameMeanHead classifier;
    private float[] dHidden; // (B, N, hidden)
    private float[] dCell; // (B, N, 3)
    private float[] dConv; // (B, N, 3)
    private int batch;
    private int frames;

    /** A model with the given sizes (hidden_size, memory_size, seq_len, theta, num_classes). */
    public PsmnistLmu(ModelConfig config) {
        super(config);
        conv1 = new Conv1d("conv1", 1, EXPANDED, 1, true);
        bn1 = new BatchNorm1d("bn1", EXPANDED);
        lmu = new LmuCell("lmu_fft", EXPANDED, config.hiddenSize(), config.memorySize(), config.theta(), config.seqLen());
        classifier = new FrameMeanHead("classifier", config.hiddenSize(), config.numClasses(), new Dropout(0.4, 0x5eed));
        state.params(conv1.parameters()).norm(bn1);
        LmuRnnConv1d.registerCell(state, "lmu_fft", lmu);
        state.params(classifier.parameters());
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

    private float[] hidden(float[] x, int batch, int frames, boolean training) {
        this.batch = batch;
        this.frames = frames;
        float[] e = bn1.forward(conv1.forward(x, batch, frames), batch * frames, training);
        return lmu.forward(e, batch, frames);
    }

    @Override
    public float[] forward(float[] x, int batch, int frames, boolean training) {
        return classifier.forward(hidden(x, batch, frames, training), batch, frames, training);
    }

    @Override
    public float[] allSeqLogits(float[] x, int batch, int frames) {
        return classifier.allSeq(hidden(x, batch, frames, false), batch, frames);
    }

    @Override
    public void backward(float[] dLogits) {
        int rows = batch * frames;
        dHidden = Ops.zeroed(dHidden, rows * config.hiddenSize());
        classifier.backward(dLogits, dHidden);
        dCell = Ops.zeroed(dCell, rows * EXPANDED);
        lmu.backward(dHidden, dCell);
        dConv = Ops.zeroed(dConv, rows * EXPANDED);
        bn1.backward(dCell, dConv);
        conv1.backward(dConv, null);
    }

    @Override
    public List<Dropout> dropouts() {
        return List.of(classifier.dropout());
    }

    /** The dropout before the classifier (to disable it or reseed it). */
    public Dropout dropout() {
        return classifier.dropout();
    }
}
