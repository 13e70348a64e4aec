package dev.lmuformer.model;

import dev.lmuformer.nn.BatchNorm1d;
import dev.lmuformer.nn.Conv1d;
import dev.lmuformer.nn.Ops;
import dev.lmuformer.nn.Relu;

/**
 * LMUFormer's patch embedding (REFERENCE §4, lmu_rnn_conv1d): four stages
 * {@code conv_layers.i = Conv1d(k3, no bias) → ReLU → BatchNorm} (F→C, then C→C), then a
 * relative position branch {@code x + rpe_conv(x)}. Channels-last: [B, N, F] → [B, N, C].
 */
final class ConvPatchEmbed {
    private static final int STAGES = 4;
    final Conv1d[] convs = new Conv1d[STAGES];
    final Relu[] relus = new Relu[STAGES];
    final BatchNorm1d[] norms = new BatchNorm1d[STAGES];
    final Conv1d rpe;
    private final int width;
    private float[] out;    // (B, N, C)
    private float[] dStage; // (B, N, C) gradient at a stage's output
    private float[] dRelu;  // (B, N, C) gradient at a ReLU's output
    private float[] dConv;  // (B, N, C) gradient at a convolution's output
    private int batch;
    private int frames;

    ConvPatchEmbed(String prefix, int features, int width) {
        this.width = width;
        for (int i = 0; i < STAGES; i++) {
            String p = prefix + ".conv_layers." + i;
            convs[i] = new Conv1d(p + ".0", i == 0 ? features : width, width, 3, false);
            relus[i] = new Relu();
            norms[i] = new BatchNorm1d(p + ".3", width);
        }
        rpe = new Conv1d(prefix + ".rpe_conv", width, width, 3, false);
    }

    float[] forward(float[] x, int batch, int frames, boolean training) {
        this.batch = batch;
        this.frames = frames;
        int rows = batch * frames;
        float[] h = x;
        for (int i = 0; i < STAGES; i++) {
            h = norms[i].forward(relus[i].forward(convs[i].forward(h, batch, frames), rows * width), rows, training);
        }
        out = Ops.ensure(out, rows * width);
        Ops.add(h, rpe.forward(h, batch, frames), out, rows * width);
        return out;
    }

    /** Adds parameter gradients for dOut [B, N, C]; the input gradient is not needed (the input is data). */
    void backward(float[] dOut) {
        int n = batch * frames * width;
        dStage = Ops.ensure(dStage, n); // d(stage output): first dOut + rpe_convᵀ·dOut
        System.arraycopy(dOut, 0, dStage, 0, n);
        rpe.backward(dOut, dStage);
        for (int i = STAGES - 1; i >= 0; i--) {
            dRelu = Ops.ensure(dRelu, n);
            norms[i].backward(dStage, dRelu, false);
            dConv = Ops.ensure(dConv, n);
            relus[i].backward(dRelu, dConv, false);
            convs[i].backward(dConv, i > 0 ? dStage : null, false);
        }
    }
}
