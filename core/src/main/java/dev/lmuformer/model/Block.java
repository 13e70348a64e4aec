package dev.lmuformer.model;

import dev.lmuformer.nn.Ops;

import java.util.List;

/** A residual block ({@code block.k}): {@code x = x + attn(x); x = x + mlp(x)} (REFERENCE §4). */
final class Block<A extends Sublayer, M extends Sublayer> {
    final A attn;
    final M mlp;
    private final int width;
    private float[] mid; // (B, N, C) after the mixer's residual
    private float[] out; // (B, N, C)
    private float[] dMid; // (B, N, C)
    private int rows;

    Block(A attn, M mlp, int width) {
        this.attn = attn;
        this.mlp = mlp;
        this.width = width;
    }

    float[] forward(float[] x, int batch, int frames, boolean training) {
        rows = batch * frames;
        int n = rows * width;
        mid = Ops.ensure(mid, n);
        Ops.add(x, attn.forward(x, batch, frames, training), mid, n);
        out = Ops.ensure(out, n);
        Ops.add(mid, mlp.forward(mid, batch, frames, training), out, n);
        return out;
    }

    /** Adds the input gradient into dx, as every layer's backward does. */
    void backward(float[] dOut, float[] dx) {
        int n = rows * width;
        dMid = Ops.ensure(dMid, n);
        System.arraycopy(dOut, 0, dMid, 0, n); // the residual path
        mlp.backward(dOut, dMid);
        Ops.add(dx, dMid, dx, n);              // the residual path
        attn.backward(dMid, dx);
    }

    /**
     * Backward through a stack of blocks, last first, alternating between two buffers of
     * {@code [B, N, C]}: {@code dOut} holds the gradient of the last block's output (it is
     * overwritten), {@code spare} is scratch. Returns the buffer that holds the gradient of the
     * first block's input (only that: it is cleared before the block adds into it).
     */
    static float[] backwardAll(List<? extends Block<?, ?>> blocks, float[] dOut, float[] spare) {
        float[] dy = dOut, dx = spare;
        for (int i = blocks.size() - 1; i >= 0; i--) {
            Block<?, ?> block = blocks.get(i);
            java.util.Arrays.fill(dx, 0, block.rows * block.width, 0f);
            block.backward(dy, dx);
            float[] t = dy;
            dy = dx;
            dx = t;
        }
        return dy;
    }
}
