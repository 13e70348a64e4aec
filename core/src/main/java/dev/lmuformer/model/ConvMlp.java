package dev.lmuformer.model;

import dev.lmuformer.nn.BatchNorm1d;
import dev.lmuformer.nn.Conv1d;
import dev.lmuformer.nn.Gelu;
import dev.lmuformer.nn.Ops;
import dev.lmuformer.nn.Relu;

/**
 * The channel mixer of an LMUFormer block ({@code block.k.mlp}):
 * fc1_conv (1×1, C→rC) → fc1_bn → GELU → fc2_conv (1×1, rC→C) → fc2_bn → ReLU.
 */
final class ConvMlp implements Sublayer {
    final Conv1d fc1;
    final BatchNorm1d fc1Bn;
    final Gelu gelu = new Gelu();
    final Conv1d fc2;
    final BatchNorm1d fc2Bn;
    final Relu relu = new Relu();
    private final int width;
    private final int hidden;
    private float[] dWide1; // (B, N, rC)
    private float[] dWide2; // (B, N, rC)
    private float[] dNarrow1; // (B, N, C)
    private float[] dNarrow2; // (B, N, C)
    private int rows;

    ConvMlp(String prefix, int width, int hidden) {
        this.width = width;
        this.hidden = hidden;
        fc1 = new Conv1d(prefix + ".fc1_conv", width, hidden, 1, true);
        fc1Bn = new BatchNorm1d(prefix + ".fc1_bn", hidden);
        fc2 = new Conv1d(prefix + ".fc2_conv", hidden, width, 1, true);
        fc2Bn = new BatchNorm1d(prefix + ".fc2_bn", width);
    }

    @Override
    public float[] forward(float[] x, int batch, int frames, boolean training) {
        rows = batch * frames;
        float[] h = gelu.forward(fc1Bn.forward(fc1.forward(x, batch, frames), rows, training), rows * hidden);
        return relu.forward(fc2Bn.forward(fc2.forward(h, batch, frames), rows, training), rows * width);
    }

    @Override
    public void backward(float[] dy, float[] dx) {
        // each gradient buffer is written by its first producer (accumulate = false), never cleared
        dNarrow1 = Ops.ensure(dNarrow1, rows * width);
        relu.backward(dy, dNarrow1, false);
        dNarrow2 = Ops.ensure(dNarrow2, rows * width);
        fc2Bn.backward(dNarrow1, dNarrow2, false);
        dWide1 = Ops.ensure(dWide1, rows * hidden);
        fc2.backward(dNarrow2, dWide1, false);
        dWide2 = Ops.ensure(dWide2, rows * hidden);
        gelu.backward(dWide1, dWide2, false);
        fc1Bn.backward(dWide2, dWide1, false);
        fc1.backward(dWide1, dx);
    }
}
