package dev.lmuformer.nn;

import dev.lmuformer.engine.Gemm;
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
 *
 * <p>Sequences of at least {@link LmuMemory#FFT_FROM} frames never form m: the memory columns of
 * W_h are folded into H ({@link MemoryProjection}), so {@code W_h [m ; x] = (W_m H) ∗ u + W_x x}, and
 * {@link #memoryAndInput()} is null after such a forward.
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
    private final MemoryProjection projection;

    private float[] cat;   // (B, N, D + I) [m ; x], the input of W_h
    private float[] du;    // (B, N)
    private float[] duPre; // (B, N)
    private float[] dhPre; // (B, N, Hd)
    private float[] dcat;  // (B, N, D + I)
    private float[] input; // (B, N, I) x of the last forward
    private float[] pre;   // (B, N, Hd) W_h [m ; x] + b_h, when folded
    private boolean folded;
    private float[] inputWeightT; // (I, Hd) scratch of the folded backward
    /** Sequences at least this long fold the memory into W_h; a field so tests can compare both forms. */
    int foldFrom = LmuMemory.FFT_FROM;
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
        projection = new MemoryProjection(memorySize, hiddenSize);
    }

    /** Forward over x {@code [batch, frames, I]}; returns h {@code [batch, frames, Hd]} (owned by this layer). */
    public float[] forward(float[] x, int batch, int frames) {
        LmuMemory mem = buffers.memory(frames);
        this.batch = batch;
        this.frames = frames;
        int rows = batch * frames;
        int width = memorySize + inputSize;
        float[] u = fU.forward(wU.forward(x, rows), rows);
        input = x;
        folded = frames >= foldFrom;
        if (folded) {
            cat = null;
            // W_x x + b_h, then the memory half as a convolution of u
            pre = Ops.ensure(pre, rows * hiddenSize);
            Gemm.gemm(rows, hiddenSize, inputSize, x, 0, inputSize, 1, wH.weight.data, memorySize, 1, width, pre, 0, hiddenSize, false);
            Ops.addBias(pre, rows, hiddenSize, wH.bias.data);
            projection.forward(buffers.impulseResponse(), buffers.length(), wH.weight.data, width, u, batch, frames, pre);
            return fH.forward(pre, rows * hiddenSize);
        }
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
        if (folded) {
            float[] w = wH.weight.data, dw = wH.weight.grad;
            // The input columns of W_h and their gradient, transposed ([I, Hd]): both products then
            // run over contiguous rows of dh instead of strided columns.
            inputWeightT = Ops.ensure(inputWeightT, inputSize * hiddenSize);
            for (int k = 0; k < hiddenSize; k++) {
                for (int i = 0; i < inputSize; i++) inputWeightT[i * hiddenSize + k] = w[k * width + memorySize + i];
            }
            Gemm.gemm(rows, inputSize, hiddenSize, dhPre, 0, hiddenSize, 1, inputWeightT, 0, 1, hiddenSize, dx, 0, inputSize, true);
            Gemm.gemm(inputSize, hiddenSize, rows, input, 0, 1, inputSize, dhPre, 0, hiddenSize, 1, inputWeightT, 0, hiddenSize, false);
            for (int k = 0; k < hiddenSize; k++) {
                for (int i = 0; i < inputSize; i++) dw[k * width + memorySize + i] += inputWeightT[i * hiddenSize + k];
            }
            Ops.addColumnSums(dhPre, rows, hiddenSize, wH.bias.grad);
            du = Ops.zeroed(du, rows);
            projection.backward(dhPre, du, dw, width);
            duPre = Ops.ensure(duPre, rows);
            fU.backward(du, duPre, false);
            wU.backward(duPre, dx);
            return;
        }
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

    /**
     * The per-frame form (weights and buffers copied): the memory as its recurrence
     * {@code m_t = Ā m_{t−1} + B̄ u_t}, which each stream carries (REFERENCE §1):
     * {@code u = ReLU(W_u x)}, then m, then {@code h = ReLU(W_h [m ; x])}.
     */
    public FrameLayer frames(FrameBuild build) {
        return new Frames(build);
    }

    private final class Frames implements FrameLayer {
        private final int d = memorySize;
        private final int wide = memorySize + inputSize;
        private final FrameProduct drive;
        private final FrameProduct recurrence; // m_tᵀ = m_{t−1}ᵀ Āᵀ
        private final FrameProduct hidden;
        private final float[] bBar;
        private final int slot;
        private final int uIds;
        private final int previous;
        private final int cats;

        Frames(FrameBuild build) {
            drive = FrameProduct.ofWeight(wU.weight.data, inputSize, 1, wU.bias.data, build, false);
            recurrence = new FrameProduct(d, d, buffers.aBar(), 1, d, null, build, false);
            hidden = FrameProduct.ofWeight(wH.weight.data, wide, hiddenSize, wH.bias.data, build, false);
            bBar = buffers.bBar().clone();
            slot = build.state(window -> new FrameState.Floats(d));
            uIds = build.scratch();
            previous = build.scratch();
            cats = build.scratch();
        }

        @Override
        public int in() {
            return inputSize;
        }

        @Override
        public int out() {
            return hiddenSize;
        }

        @Override
        public void step(FrameGroup g, float[] x, float[] y) {
            int rows = g.rows();
            float[] u = g.scratch(uIds, 1), m = g.scratch(previous, d), cat = g.scratch(cats, wide);
            drive.apply(rows, x, 0, inputSize, u, 0, 1, false);
            for (int r = 0; r < rows; r++) {
                float ur = Math.max(u[r], 0f);
                for (int j = 0; j < d; j++) cat[r * wide + j] = bBar[j] * ur;
                System.arraycopy(((FrameState.Floats) g.state(r, slot)).values, 0, m, r * d, d);
            }
            recurrence.apply(rows, m, 0, d, cat, 0, wide, true);
            for (int r = 0; r < rows; r++) {
                System.arraycopy(cat, r * wide, ((FrameState.Floats) g.state(r, slot)).values, 0, d);
                System.arraycopy(x, r * inputSize, cat, r * wide + d, inputSize);
            }
            hidden.apply(rows, cat, 0, wide, y, 0, hiddenSize, false);
            for (int i = 0; i < rows * hiddenSize; i++) y[i] = Math.max(y[i], 0f);
        }
    }

    /** The [m ; x] rows of the last forward (the input of W_h), or null when it folded the memory into W_h. */
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
