package dev.lmuformer.model;

import dev.lmuformer.nn.BatchNorm1d;
import dev.lmuformer.nn.Conv1d;
import dev.lmuformer.nn.LmuCell;
import dev.lmuformer.nn.Ops;

/** The token mixer of an LMUFormer block ({@code block.k.attn}): LMU cell → proj_conv (1×1, bias) → proj_bn. */
final class LmuMixer implements Sublayer {
    final LmuCell lmu;
    final Conv1d projConv;
    final BatchNorm1d projBn;
    private final int width;
    private float[] dProj; // (B, N, C)
    private float[] dHidden; // (B, N, C)
    private int rows;

    LmuMixer(String prefix, int width, double theta, int seqLen) {
        this.width = width;
        lmu = new LmuCell(prefix + ".lmu", width, width, width, theta, seqLen);
        projConv = new Conv1d(prefix + ".proj_conv", width, width, 1, true);
        projBn = new BatchNorm1d(prefix + ".proj_bn", width);
    }

    @Override
    public float[] forward(float[] x, int batch, int frames, boolean training) {
        rows = batch * frames;
        return projBn.forward(projConv.forward(lmu.forward(x, batch, frames), batch, frames), rows, training);
    }

    @Override
    public void backward(float[] dy, float[] dx) {
        int n = rows * width;
        dProj = Ops.ensure(dProj, n);
        projBn.backward(dy, dProj, false);
        dHidden = Ops.ensure(dHidden, n);
        projConv.backward(dProj, dHidden, false);
        lmu.backward(dHidden, dx);
    }
}
