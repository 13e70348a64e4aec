package dev.lmuformer.nn;

import dev.lmuformer.engine.Parallel;

import java.util.ArrayList;
import java.util.List;

/**
 * The spiking LMU cell (REFERENCE §4) over channels-last rows:
 * <pre>
 *   u = LIF(bn_u(W_u x))                 W_u: Linear(I → 1); bn_u normalises the one channel over (B, N)
 *   m = Σ_{j≤t} H[:, t−j] u_j            the memory, as in {@link LmuCell}
 *   m' = LIF(bn_m(m))                    spiking memory (D channels)
 *   h = LIF(bn_h(W_h [m' ; x]))          W_h: Linear(D + I → Hd), memory first
 * </pre>
 * The psMNIST variant has no batch norms and no neuron on m ({@code normalised = false},
 * {@code spikingMemory = false}). All three neurons have threshold 1.
 */
public final class SpikingLmuCell {
    /** {@code prefix.W_u}. */
    public final Linear wU;
    /** {@code prefix.W_h}. */
    public final Linear wH;
    /** {@code prefix.bn_u}, {@code bn_m}, {@code bn_h}; null without normalisation. */
    public final BatchNorm1d bnU;
    /** Normalises the memory; null without normalisation. */
    public final BatchNorm1d bnM;
    /** Normalises W_h's output; null without normalisation. */
    public final BatchNorm1d bnH;
    /** The drive neuron f_u. */
    public final Lif fU = new Lif(1.0);
    /** The memory neuron f_m; null without a spiking memory. */
    public final Lif fM;
    /** The output neuron f_h. */
    public final Lif fH = new Lif(1.0);
    private final int inputSize;
    private final int hiddenSize;
    private final int memorySize;
    private final LmuBuffers buffers;

    private float[] m;     // (B, N, D) memory
    private float[] cat;   // (B, N, D + I) [m' ; x]
    // Gradients, named after the value they belong to.
    private float[] dHidden;     // (B, N, Hd) at f_h's input
    private float[] dHiddenPre;  // (B, N, Hd) at bn_h's input
    private float[] dCat;        // (B, N, D + I)
    private float[] dMemOut;     // (B, N, D) at m'
    private float[] dMemSpike;   // (B, N, D) at f_m's input
    private float[] dMemNorm;    // (B, N, D) at bn_m's input (= at m)
    private float[] dDrive;      // (B, N) at u
    private float[] dDriveSpike; // (B, N) at f_u's input
    private float[] dDriveNorm;  // (B, N) at bn_u's input
    private int batch;
    private int frames;

    /** A cell named {@code prefix}. */
    public SpikingLmuCell(String prefix, int inputSize, int hiddenSize, int memorySize, double theta, int seqLen,
                          boolean normalised, boolean spikingMemory) {
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.memorySize = memorySize;
        wU = new Linear(prefix + ".W_u", inputSize, 1, true);
        wH = new Linear(prefix + ".W_h", memorySize + inputSize, hiddenSize, true);
        bnU = normalised ? new BatchNorm1d(prefix + ".bn_u", 1) : null;
        bnM = normalised ? new BatchNorm1d(prefix + ".bn_m", memorySize) : null;
        bnH = normalised ? new BatchNorm1d(prefix + ".bn_h", hiddenSize) : null;
        fM = spikingMemory ? new Lif(1.0) : null;
        buffers = new LmuBuffers(memorySize, theta, seqLen);
    }

    /** Output spikes h {@code [B, N, Hd]} for x {@code [B, N, I]} (owned by this layer). */
    public float[] forward(float[] x, int batch, int frames, boolean training) {
        this.batch = batch;
        this.frames = frames;
        int rows = batch * frames;
        int width = memorySize + inputSize;
        float[] u = wU.forward(x, rows);
        if (bnU != null) u = bnU.forward(u, rows, training);
        u = fU.forward(u, batch, frames, 1);
        m = Ops.ensure(m, rows * memorySize);
        buffers.memory(frames).forward(u, batch, frames, m, memorySize);
        float[] mOut = m;
        if (bnM != null) mOut = bnM.forward(mOut, rows, training);
        if (fM != null) mOut = fM.forward(mOut, batch, frames, memorySize);
        cat = Ops.ensure(cat, rows * width);
        float[] mem = mOut, c = cat;
        Parallel.forChunks(rows, 256, (from, to) -> {
            for (int r = from; r < to; r++) {
                System.arraycopy(mem, r * memorySize, c, r * width, memorySize);
                System.arraycopy(x, r * inputSize, c, r * width + memorySize, inputSize);
            }
        });
        float[] h = wH.forward(cat, rows);
        if (bnH != null) h = bnH.forward(h, rows, training);
        return fH.forward(h, batch, frames, hiddenSize);
    }

    /** Adds parameter gradients for {@code dh [B, N, Hd]} and the input gradient into {@code dx} (unless null). */
    public void backward(float[] dh, float[] dx) {
        int rows = batch * frames;
        int width = memorySize + inputSize;
        // h = f_h(bn_h(W_h [m' ; x]))
        dHidden = Ops.zeroed(dHidden, rows * hiddenSize);
        fH.backward(dh, dHidden);
        float[] dPre = dHidden;
        if (bnH != null) {
            dHiddenPre = Ops.zeroed(dHiddenPre, rows * hiddenSize);
            bnH.backward(dHidden, dHiddenPre);
            dPre = dHiddenPre;
        }
        dCat = Ops.zeroed(dCat, rows * width);
        wH.backward(dPre, dCat);
        dMemOut = Ops.ensure(dMemOut, rows * memorySize);
        float[] dc = dCat, dmo = dMemOut;
        Parallel.forChunks(rows, 256, (from, to) -> {
            for (int r = from; r < to; r++) {
                System.arraycopy(dc, r * width, dmo, r * memorySize, memorySize);
                if (dx != null) for (int i = 0; i < inputSize; i++) dx[r * inputSize + i] += dc[r * width + memorySize + i];
            }
        });
        // m' = f_m(bn_m(m))
        float[] dMem = dMemOut;
        if (fM != null) {
            dMemSpike = Ops.zeroed(dMemSpike, rows * memorySize);
            fM.backward(dMem, dMemSpike);
            dMem = dMemSpike;
        }
        if (bnM != null) {
            dMemNorm = Ops.zeroed(dMemNorm, rows * memorySize);
            bnM.backward(dMem, dMemNorm);
            dMem = dMemNorm;
        }
        // m = H * u, u = f_u(bn_u(W_u x))
        dDrive = Ops.zeroed(dDrive, rows);
        buffers.memory(frames).backward(dMem, memorySize, batch, frames, dDrive);
        dDriveSpike = Ops.zeroed(dDriveSpike, rows);
        fU.backward(dDrive, dDriveSpike);
        float[] dUPre = dDriveSpike;
        if (bnU != null) {
            dDriveNorm = Ops.zeroed(dDriveNorm, rows);
            bnU.backward(dDriveSpike, dDriveNorm);
            dUPre = dDriveNorm;
        }
        wU.backward(dUPre, dx);
    }

    /**
     * The per-frame form (weights, buffers and running statistics copied): the memory as its
     * recurrence {@code m_t = Ā m_{t−1} + B̄ u_t}, and the membranes of f_u, f_m and f_h, which each
     * stream carries; the batch norms as their evaluation scale and shift.
     *
     * @param spikes whether the input x is spikes, so that an accumulating build adds only the
     *               weight rows of the inputs that fired (W_u; W_h too when m' is spikes)
     */
    public FrameLayer frames(FrameBuild build, boolean spikes) {
        return new Frames(build, spikes);
    }

    private final class Frames implements FrameLayer {
        private final int d = memorySize;
        private final int wide = memorySize + inputSize;
        private final FrameProduct drive;
        private final FrameProduct recurrence; // m_tᵀ = m_{t−1}ᵀ Āᵀ
        private final FrameProduct hidden;
        private final float[] bBar;
        private final FrameLayer normU;
        private final FrameLayer normM;
        private final FrameLayer normH;
        private final FrameLayer neuronU;
        private final FrameLayer neuronM;
        private final FrameLayer neuronH;
        private final int slot;
        private final int uIds;
        private final int previous;
        private final int memories;
        private final int cats;
        private final int hiddens;

        Frames(FrameBuild build, boolean spikes) {
            drive = FrameProduct.ofWeight(wU.weight.data, inputSize, 1, wU.bias.data, build, spikes);
            recurrence = new FrameProduct(d, d, buffers.aBar(), 1, d, null, build, false);
            hidden = FrameProduct.ofWeight(wH.weight.data, wide, hiddenSize, wH.bias.data, build, spikes && fM != null);
            bBar = buffers.bBar().clone();
            normU = bnU == null ? null : bnU.frames();
            normM = bnM == null ? null : bnM.frames();
            normH = bnH == null ? null : bnH.frames();
            neuronU = fU.frames(1, build);
            neuronM = fM == null ? null : fM.frames(d, build);
            neuronH = fH.frames(hiddenSize, build);
            slot = build.state(window -> new FrameState.Floats(d));
            uIds = build.scratch();
            previous = build.scratch();
            memories = build.scratch();
            cats = build.scratch();
            hiddens = build.scratch();
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
            float[] u = g.scratch(uIds, 1), m = g.scratch(previous, d), mOut = g.scratch(memories, d);
            float[] cat = g.scratch(cats, wide), h = g.scratch(hiddens, hiddenSize);
            // u = f_u(bn_u(W_u x)), m = Ā m + B̄ u
            drive.apply(rows, x, 0, inputSize, u, 0, 1, false);
            if (normU != null) normU.step(g, u, u);
            neuronU.step(g, u, u);
            for (int r = 0; r < rows; r++) {
                float[] state = ((FrameState.Floats) g.state(r, slot)).values;
                System.arraycopy(state, 0, m, r * d, d);
                for (int j = 0; j < d; j++) mOut[r * d + j] = bBar[j] * u[r];
            }
            recurrence.apply(rows, m, 0, d, mOut, 0, d, true);
            for (int r = 0; r < rows; r++) System.arraycopy(mOut, r * d, ((FrameState.Floats) g.state(r, slot)).values, 0, d);
            // m' = f_m(bn_m(m)); h = f_h(bn_h(W_h [m' ; x]))
            if (normM != null) normM.step(g, mOut, mOut);
            if (neuronM != null) neuronM.step(g, mOut, mOut);
            for (int r = 0; r < rows; r++) {
                System.arraycopy(mOut, r * d, cat, r * wide, d);
                System.arraycopy(x, r * inputSize, cat, r * wide + d, inputSize);
            }
            hidden.apply(rows, cat, 0, wide, h, 0, hiddenSize, false);
            if (normH != null) normH.step(g, h, h);
            neuronH.step(g, h, y);
        }
    }

    /** The memory m of the last forward {@code [B, N, D]} (before bn_m). */
    public float[] memory() {
        return m;
    }

    /** The [m' ; x] rows of the last forward. */
    public float[] memoryAndInput() {
        return cat;
    }

    /** Buffers A, B, H. */
    public LmuBuffers buffers() {
        return buffers;
    }

    /** The neurons in order f_u, f_m (if any), f_h. */
    public List<Lif> neurons() {
        List<Lif> n = new ArrayList<>();
        n.add(fU);
        if (fM != null) n.add(fM);
        n.add(fH);
        return n;
    }

    /** W_u and W_h parameters (the batch norms are registered separately). */
    public List<Parameter> parameters() {
        List<Parameter> p = new ArrayList<>(wU.parameters());
        p.addAll(wH.parameters());
        return p;
    }
}
