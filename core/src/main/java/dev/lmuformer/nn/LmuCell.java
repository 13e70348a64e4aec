package dev.lmuformer.nn;

import dev.lmuformer.engine.Parallel;

import java.util.ArrayList;
import java.util.List;

/**
 * The non-spiking LMU cell of LMUFormer (REFERENCE §1), in parallel (training) mode over
 * channels-last rows:
 * <pre>
 *   u_t = ReLU(W_u x_t + b_u)                       W_u: Linear(I → 1)
 *   m_t = Σ_{j≤t} H[:, t−j] u_j                     the memory (= Ā m_{t−1} + B̄ u_t)
 *   h_t = ReLU(W_h [m_t ; x_t] + b_h)               W_h: Linear(D + I → Hd), memory first
 * </pre>
 * Ā, B̄ (zero-order hold, {@link LmuMatrices}) are fixed buffers named {@code A}, {@code B};
 * {@code H [D, N]} is their impulse response.
 */
public final class LmuCell {
    /** {@code prefix.W_u}: Linear(I → 1). */
    public final Linear wU;
    /** {@code prefix.W_h}: Linear(D + I → Hd). */
    public final Linear wH;
    private final int inputSize;
    private final int memorySize;
    private final int hiddenSize;
    private final Relu fU = new Relu();
    private final Relu fH = new Relu();
    private final LmuBuffers buffers;

    private float[] cat;   // (B, N, D + I) [m ; x], the input of W_h
    private float[] du;    // (B, N)
    private float[] duPre; // (B, N)
    private float[] dhPre; // (B, N, Hd)
    private float[] dcat;  // (B, N, D + I)
    private int batch;
    private int frames;

    /** A cell named {@code prefix} (for example {@code block.0.attn.lmu}) with impulse response for {@code seqLen} frames. */
    public LmuCell(String prefix, int inputSize, int hiddenSize, int memorySize, double theta, int seqLen) {
        this.inputSize = inputSize;
        this.memorySize = memorySize;
        this.hiddenSize = hiddenSize;
        wU = new Linear(prefix + ".W_u", inputSize, 1, true);
        wH = new Linear(prefix + ".W_h", memorySize + inputSize, hiddenSize, true);
        buffers = new LmuBuffers(memorySize, theta, seqLen);
    }

    /** Forward over x {@code [batch, frames, I]}; returns h {@code [batch, frames, Hd]} (owned by this layer). */
    public float[] forward(float[] x, int batch, int frames) {
        LmuMemory mem = buffers.memory(frames);
        this.batch = batch;
        this.frames = frames;
        int rows = batch * frames;
        int width = memorySize + inputSize;
        float[] u = fU.forward(wU.forward(x, rows), rows);
        cat = Ops.ensure(cat, rows * width);
        mem.forward(u, batch, frames, cat, width);
        float[] c = cat;
        Parallel.forChunks(rows, 256, (from, to) -> {
            for (int r = from; r < to; r++) System.arraycopy(x, r * inputSize, c, r * width + memorySize, inputSize);
        });
        return fH.forward(wH.forward(cat, rows), rows * hiddenSize);
    }

    /** Adds parameter gradients for {@code dh [B, N, Hd]} and adds the input gradient into {@code dx}. */
    public void backward(float[] dhOut, float[] dx) {
        int rows = batch * frames;
        int width = memorySize + inputSize;
        dhPre = Ops.ensure(dhPre, rows * hiddenSize);
        fH.backward(dhOut, dhPre, false);
        dcat = Ops.ensure(dcat, rows * width);
        wH.backward(dhPre, dcat, false);
        float[] dc = dcat;
        Parallel.forChunks(rows, 256, (from, to) -> {
            for (int r = from; r < to; r++) {
                int o = r * width + memorySize;
                int xo = r * inputSize;
                for (int i = 0; i < inputSize; i++) dx[xo + i] += dc[o + i];
            }
        });
        du = Ops.zeroed(du, rows);
        buffers.memory(frames).backward(dcat, width, batch, frames, du);
        duPre = Ops.ensure(duPre, rows);
        fU.backward(du, duPre, false);
        wU.backward(duPre, dx);
    }

    /** The [m ; x] rows of the last forward (the input of W_h). */
    public float[] memoryAndInput() {
        return cat;
    }

    /** The drive u of the last forward {@code [B, N]}. */
    public float[] drive() {
        return fU.output();
    }

    /** The buffers A, B, H. */
    public LmuBuffers buffers() {
        return buffers;
    }

    /** Memory size D. */
    public int memorySize() {
        return memorySize;
    }

    /** Hidden size Hd. */
    public int hiddenSize() {
        return hiddenSize;
    }

    /** Input size I. */
    public int inputSize() {
        return inputSize;
    }

    /** W_u then W_h parameters. */
    public List<Parameter> parameters() {
        List<Parameter> p = new ArrayList<>(wU.parameters());
        p.addAll(wH.parameters());
        return p;
    }
}
