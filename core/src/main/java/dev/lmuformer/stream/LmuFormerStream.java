package dev.lmuformer.stream;

import dev.lmuformer.engine.Kernels;
import dev.lmuformer.model.LmuRnnConv1d;
import dev.lmuformer.model.StateDict;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Streaming inference for the non-spiking LMUFormer ({@code lmu_rnn_conv1d}): one input frame in,
 * O(1) work, the streaming readout ("all_seq", REFERENCE §4) of one frame out.
 *
 * <p>The weights are read once from an evaluation-mode model (every BatchNorm becomes a per-channel
 * scale and shift, folded into the 1×1 convolution before it where there is one) and are immutable:
 * one {@code LmuFormerStream} serves any number of {@link State}s, from any threads, as long as
 * each state is stepped by one thread at a time.
 *
 * <p>Look-ahead: every k=3 "same" convolution (four in the patch embedding, one rpe) needs the next
 * frame, so the output for frame t is known once frame t + {@link #lookAhead()} (= 5) has arrived;
 * {@link #flush} produces the last frames with the zero padding the parallel model sees at the end.
 * The LMU memory runs as its recurrence {@code m_t = Ā m_{t−1} + B̄ u_t}.
 */
public final class LmuFormerStream implements StreamingModel {
    private static final double BN_EPS = 1e-5;

    /** The k=3 convolutions in order: patch_embed.conv_layers.0 … 3, then rpe_conv. */
    private final Conv3[] convs;
    /** Scale and shift of the BatchNorm after each patch-embedding ReLU. */
    private final float[][] bnScale;
    private final float[][] bnShift;
    private final Block[] blocks;
    private final Dense head;
    private final int features;
    private final int width;
    private final int hidden;
    private final int classes;
    private final int lookAhead;
    private final Kernels k = Kernels.get();

    /**
     * A k=3, pad=1 convolution without bias over the window [x_{t−1}; x_t; x_{t+1}], weights transposed
     * to {@code [3·I, O]}: a matrix-vector product as a sum of scaled rows needs no lane reductions.
     */
    private record Conv3(int in, int out, float[] wt) {
    }

    /** {@code y = W x + b} with W stored transposed, {@code [in, out]}. */
    private record Dense(int in, int out, float[] wt, float[] b) {
    }

    /** One residual block: the LMU mixer (proj_bn folded) and the MLP (both BNs folded); Ā transposed. */
    private record Block(int memory, float[] aT, float[] bBar, float[] wU, float uBias, Dense wH,
                         Dense proj, Dense fc1, Dense fc2) {
    }

    /** Prepares the weights of {@code model}, whose current state (weights and running statistics) is copied. */
    public LmuFormerStream(LmuRnnConv1d model) {
        Map<String, StateDict.Entry> st = model.state().entries();
        features = model.config().inChannels();
        width = model.config().embedDims();
        classes = model.config().numClasses();
        int depth = model.config().depths();
        convs = new Conv3[5];
        bnScale = new float[4][];
        bnShift = new float[4][];
        for (int i = 0; i < 4; i++) {
            String p = "patch_embed.conv_layers." + i;
            convs[i] = conv3(entry(st, p + ".0.weight"));
            float[][] ss = batchNorm(st, p + ".3");
            bnScale[i] = ss[0];
            bnShift[i] = ss[1];
        }
        convs[4] = conv3(entry(st, "patch_embed.rpe_conv.weight"));
        lookAhead = convs.length; // each k=3, pad=1 convolution needs one future frame
        blocks = new Block[depth];
        int wide = 0;
        for (int i = 0; i < depth; i++) {
            String p = "block." + i;
            StateDict.Entry a = entry(st, p + ".attn.lmu.A");
            int d = a.shape()[0];
            Dense wH = dense(st, p + ".attn.lmu.W_h", null);
            Dense fc1 = dense(st, p + ".mlp.fc1_conv", p + ".mlp.fc1_bn");
            wide = fc1.out();
            blocks[i] = new Block(d, transpose(a.data(), d, d), entry(st, p + ".attn.lmu.B").data().clone(),
                    entry(st, p + ".attn.lmu.W_u.weight").data().clone(), entry(st, p + ".attn.lmu.W_u.bias").data()[0],
                    wH, dense(st, p + ".attn.proj_conv", p + ".attn.proj_bn"), fc1,
                    dense(st, p + ".mlp.fc2_conv", p + ".mlp.fc2_bn"));
        }
        hidden = wide;
        head = dense(st, "head", null);
    }

    private static StateDict.Entry entry(Map<String, StateDict.Entry> st, String name) {
        StateDict.Entry e = st.get(name);
        if (e == null) throw new IllegalArgumentException("model has no tensor '" + name + "'");
        return e;
    }

    /** {@code m [rows, cols]} transposed. */
    private static float[] transpose(float[] m, int rows, int cols) {
        float[] t = new float[m.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) t[c * rows + r] = m[r * cols + c];
        }
        return t;
    }

    /** Repacks [O, I, 3] as [3·I, O] with rows ordered tap 0, tap 1, tap 2, so one product covers the window. */
    private static Conv3 conv3(StateDict.Entry e) {
        int out = e.shape()[0], in = e.shape()[1];
        if (e.shape()[2] != 3) throw new IllegalArgumentException(e.name() + ": kernel size " + e.shape()[2] + ", expected 3");
        float[] w = new float[out * 3 * in];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                for (int t = 0; t < 3; t++) w[(t * in + i) * out + o] = e.data()[(o * in + i) * 3 + t];
            }
        }
        return new Conv3(in, out, w);
    }

    /** Eval-mode BatchNorm as {scale, shift}, computed as {@code BatchNorm1d} does. */
    private static float[][] batchNorm(Map<String, StateDict.Entry> st, String p) {
        float[] g = entry(st, p + ".weight").data(), beta = entry(st, p + ".bias").data();
        float[] mean = entry(st, p + ".running_mean").data(), var = entry(st, p + ".running_var").data();
        float[] scale = new float[g.length], shift = new float[g.length];
        for (int c = 0; c < g.length; c++) {
            scale[c] = (float) (g[c] / Math.sqrt(var[c] + BN_EPS));
            shift[c] = beta[c] - mean[c] * scale[c];
        }
        return new float[][] {scale, shift};
    }

    /** A Linear or 1×1 convolution {@code prefix}, with the BatchNorm {@code bn} (if not null) folded in. */
    private static Dense dense(Map<String, StateDict.Entry> st, String prefix, String bn) {
        StateDict.Entry we = entry(st, prefix + ".weight");
        int out = we.shape()[0], in = we.shape()[1];
        float[] w = we.data().clone();
        float[] b = entry(st, prefix + ".bias").data().clone();
        if (bn != null) {
            float[][] ss = batchNorm(st, bn);
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) w[o * in + i] *= ss[0][o];
                b[o] = b[o] * ss[0][o] + ss[1][o];
            }
        }
        return new Dense(in, out, transpose(w, out, in), b);
    }

    /**
     * The state of one audio stream: conv windows, LMU memories, the running feature sum and
     * scratch, all allocated here so that {@link #step} allocates nothing.
     */
    public static final class State {
        private final float[][] windows; // per k=3 conv: [x_{t−1}; x_t; x_{t+1}], zero = the left padding
        private final int[] seen;        // inputs each conv has received, padding zeros included
        private final float[][] convOut;
        private final float[][] cat;     // per block: [m ; x], the input of W_h
        private final float[] memNext;
        private final float[] x;
        private final float[] h;
        private final float[] mid;
        private final float[] wide;
        private final float[] wideAct;
        private final float[] cdf;
        private final float[] narrow;
        private final double[] sum;
        private final float[] pooled;
        private final float[] logits;
        private final State[] self = {this};
        private float[] src;   // the pending input of the next conv (null = a padding zero)
        private int srcOffset;
        private boolean live;  // still producing in the current step
        private float u;       // the LMU drive of the current block
        private float[] catNow; // the current block's [m ; x]
        private float[] winNow; // the current conv's window and output
        private float[] outNow;
        private long pushed;
        private long emitted;
        private boolean flushed;

        private State(LmuFormerStream m) {
            windows = new float[m.convs.length][];
            convOut = new float[m.convs.length][];
            for (int i = 0; i < m.convs.length; i++) {
                windows[i] = new float[3 * m.convs[i].in()];
                convOut[i] = new float[m.convs[i].out()];
            }
            seen = new int[m.convs.length];
            cat = new float[m.blocks.length][];
            int maxMemory = 0;
            for (int i = 0; i < m.blocks.length; i++) {
                cat[i] = new float[m.blocks[i].memory() + m.width];
                maxMemory = Math.max(maxMemory, m.blocks[i].memory());
            }
            memNext = new float[maxMemory];
            x = new float[m.width];
            h = new float[m.width];
            mid = new float[m.width];
            wide = new float[m.hidden];
            wideAct = new float[m.hidden];
            cdf = new float[m.hidden];
            narrow = new float[m.width];
            sum = new double[m.width];
            pooled = new float[m.width];
            logits = new float[m.classes];
        }

        /** Frames pushed so far. */
        public long pushed() {
            return pushed;
        }

        /** The logits of the last step if it produced an output (overwritten by the next step), else null. */
        public float[] output() {
            return live ? logits : null;
        }

        /** Per-frame outputs produced so far; the next one is for frame {@code emitted()}. */
        public long emitted() {
            return emitted;
        }
    }

    @Override
    public FrameStream open() {
        State s = newState();
        return new FrameStream() {
            @Override
            public float[] step(float[] frame, int offset) {
                return LmuFormerStream.this.step(s, frame, offset);
            }

            @Override
            public List<float[]> flush() {
                return LmuFormerStream.this.flush(s);
            }

            @Override
            public void reset() {
                LmuFormerStream.this.reset(s);
            }

            @Override
            public long pushed() {
                return s.pushed;
            }

            @Override
            public long emitted() {
                return s.emitted;
            }
        };
    }

    /** A fresh stream state (before its first frame). */
    public State newState() {
        return new State(this);
    }

    /** Clears {@code s} for a new stream, reusing its memory. */
    public void reset(State s) {
        for (float[] w : s.windows) Arrays.fill(w, 0f);
        Arrays.fill(s.seen, 0);
        for (float[] c : s.cat) Arrays.fill(c, 0f);
        Arrays.fill(s.sum, 0.0);
        s.pushed = 0;
        s.emitted = 0;
        s.flushed = false;
        s.live = false;
    }

    /** Frames of delay: the output for frame t comes with input frame t + lookAhead (5 for this model, 50 ms at 10 ms/frame). */
    @Override
    public int lookAhead() {
        return lookAhead;
    }

    /** Input features F per frame. */
    @Override
    public int inputFeatures() {
        return features;
    }

    /** Classes (logits per output). */
    @Override
    public int numClasses() {
        return classes;
    }

    /**
     * Pushes one frame {@code frame[offset … offset+F)}; returns the streaming-readout logits
     * {@code head(mean_{j≤t} feature_j)} for frame {@code t = s.emitted()} (that is pushed − 1 − lookAhead)
     * when it became available, else null. The returned array belongs to {@code s} and is
     * overwritten by the next call.
     *
     * @throws IllegalStateException after {@link #flush}
     */
    public float[] step(State s, float[] frame, int offset) {
        begin(s, frame, offset);
        advance(s.self, 1, 0);
        return s.live ? s.logits : null;
    }

    /**
     * Pushes {@code frames[i]} into {@code states[i]} for every i &lt; count, as {@link #step} each,
     * with identical results, layer by layer over the group so that every weight row is read once
     * per group. (With the present row-scaling products the work is compute-bound, and the measured
     * throughput is about that of stepping the states one after another; a register-blocked batched
     * kernel would build on this.) Afterwards {@link State#output()} of each state holds its logits
     * or null. States must be distinct.
     */
    public void step(State[] states, float[][] frames, int count) {
        for (int i = 0; i < count; i++) begin(states[i], frames[i], 0);
        advance(states, count, 0);
    }

    private void begin(State s, float[] frame, int offset) {
        if (s.flushed) throw new IllegalStateException("stream already flushed; reset it first");
        s.pushed++;
        s.src = frame;
        s.srcOffset = offset;
        s.live = true;
    }

    /** {@link #step(State, float[], int)} at offset 0. */
    public float[] step(State s, float[] frame) {
        return step(s, frame, 0);
    }

    /**
     * Pushes {@code count} frames {@code frames [count, F]} and writes each available output row
     * consecutively into {@code logitsOut} (room for {@code count · classes} suffices); returns the rows written.
     */
    public int push(State s, float[] frames, int count, float[] logitsOut) {
        int rows = 0;
        for (int i = 0; i < count; i++) {
            float[] y = step(s, frames, i * features);
            if (y != null) System.arraycopy(y, 0, logitsOut, rows++ * classes, classes);
        }
        return rows;
    }

    /**
     * Ends the stream: the convolutions see zeros beyond the last frame, as in the parallel model,
     * and the remaining (at most {@link #lookAhead()}) outputs come out, oldest first.
     */
    public List<float[]> flush(State s) {
        if (s.flushed) throw new IllegalStateException("stream already flushed; reset it first");
        s.flushed = true;
        List<float[]> rest = new ArrayList<>();
        for (int stage = 0; stage < convs.length; stage++) {
            s.src = null;
            s.live = true;
            advance(s.self, 1, stage);
            if (s.live) rest.add(s.logits.clone());
        }
        return rest;
    }

    /** Selects one of a state's vectors. */
    private interface Buf {
        float[] of(State s);
    }

    private static final Buf CAT = s -> s.catNow; // [m ; x] of the current block
    private static final Buf H = s -> s.h;
    private static final Buf WINDOW = s -> s.winNow;
    private static final Buf CONV_OUT = s -> s.outNow;
    private static final Buf MEM_NEXT = s -> s.memNext;
    private static final Buf MID = s -> s.mid;
    private static final Buf WIDE = s -> s.wide;
    private static final Buf WIDE_ACT = s -> s.wideAct;
    private static final Buf NARROW = s -> s.narrow;
    private static final Buf POOLED = s -> s.pooled;
    private static final Buf LOGITS = s -> s.logits;

    /**
     * Feeds each state's pending input (null = a padding zero) into conv {@code from} and onward,
     * layer by layer over the group so that each weight row is read once for all its states;
     * sets {@code live} on the states that produced a new output in {@code logits}.
     */
    private void advance(State[] g, int n, int from) {
        for (int stage = from; stage < convs.length; stage++) {
            Conv3 c = convs[stage];
            int in = c.in(), w3 = 3 * in;
            boolean any = false;
            for (int i = 0; i < n; i++) {
                State s = g[i];
                if (!s.live) continue;
                float[] win = s.windows[stage];
                System.arraycopy(win, in, win, 0, 2 * in);
                if (s.src == null) {
                    Arrays.fill(win, 2 * in, w3, 0f);
                } else {
                    System.arraycopy(s.src, s.srcOffset, win, 2 * in, in);
                }
                s.live = ++s.seen[stage] >= 2; // output t needs input t+1
                any |= s.live;
            }
            if (!any) return;
            for (int i = 0; i < n; i++) {
                State s = g[i];
                if (!s.live) continue;
                s.winNow = s.windows[stage];
                s.outNow = s.convOut[stage];
                Arrays.fill(s.outNow, 0f);
            }
            matvec(c.wt(), w3, c.out(), null, g, n, WINDOW, CONV_OUT);
            for (int i = 0; i < n; i++) {
                State s = g[i];
                if (!s.live) continue;
                float[] y = s.convOut[stage];
                if (stage < bnScale.length) {
                    for (int o = 0; o < c.out(); o++) y[o] = Math.max(y[o], 0f) * bnScale[stage][o] + bnShift[stage][o];
                } else {
                    float[] win = s.windows[stage];
                    for (int o = 0; o < c.out(); o++) y[o] += win[in + o]; // x + rpe_conv(x), x at the window's centre
                }
                s.src = y;
                s.srcOffset = 0;
            }
        }
        frame(g, n);
    }

    /** The per-frame part after the patch embedding for the live states: blocks, running mean, head. */
    private void frame(State[] g, int n) {
        for (int i = 0; i < n; i++) {
            if (g[i].live) System.arraycopy(g[i].src, 0, g[i].x, 0, width);
        }
        for (int bi = 0; bi < blocks.length; bi++) {
            Block b = blocks[bi];
            int d = b.memory();
            for (int i = 0; i < n; i++) {
                State s = g[i];
                if (s.live) s.u = Math.max(k.dot(width, b.wU(), 0, s.x, 0) + b.uBias(), 0f);
            }
            for (int i = 0; i < n; i++) {
                State s = g[i];
                if (!s.live) continue;
                s.catNow = s.cat[bi];
                for (int r = 0; r < d; r++) s.memNext[r] = b.bBar()[r] * s.u;
            }
            matvec(b.aT(), d, d, null, g, n, CAT, MEM_NEXT); // m_t = Ā m_{t−1} + B̄ u_t, m_{t−1} = cat[0, d)
            for (int i = 0; i < n; i++) {
                State s = g[i];
                if (!s.live) continue;
                System.arraycopy(s.memNext, 0, s.cat[bi], 0, d);
                System.arraycopy(s.x, 0, s.cat[bi], d, width);
            }
            apply(b.wH(), g, n, CAT, H);
            for (int i = 0; i < n; i++) {
                if (g[i].live) relu(g[i].h, width);
            }
            apply(b.proj(), g, n, H, MID);
            for (int i = 0; i < n; i++) {
                State s = g[i];
                if (!s.live) continue;
                for (int c = 0; c < width; c++) s.mid[c] += s.x[c];
            }
            apply(b.fc1(), g, n, MID, WIDE);
            for (int i = 0; i < n; i++) {
                State s = g[i];
                if (s.live) k.gelu(b.fc1().out(), s.wide, s.wideAct, s.cdf, 0);
            }
            apply(b.fc2(), g, n, WIDE_ACT, NARROW);
            for (int i = 0; i < n; i++) {
                State s = g[i];
                if (!s.live) continue;
                for (int c = 0; c < width; c++) s.x[c] = s.mid[c] + Math.max(s.narrow[c], 0f);
            }
        }
        for (int i = 0; i < n; i++) {
            State s = g[i];
            if (!s.live) continue;
            long t = ++s.emitted;
            for (int c = 0; c < width; c++) {
                s.sum[c] += s.x[c];
                s.pooled[c] = (float) (s.sum[c] / t);
            }
        }
        apply(head, g, n, POOLED, LOGITS);
    }

    private static void relu(float[] v, int n) {
        for (int i = 0; i < n; i++) v[i] = Math.max(v[i], 0f);
    }

    /** {@code out = W in + b} for every live state. */
    private void apply(Dense layer, State[] g, int n, Buf in, Buf out) {
        matvec(layer.wt(), layer.in(), layer.out(), layer.b(), g, n, in, out);
    }

    /**
     * {@code y = bias + W x} (or {@code y += …} when bias is null) for every live state, as a sum of
     * the rows of {@code wt [in, out]} scaled by x; each row is read once for the whole group, and
     * zeros of x (after a ReLU) are skipped.
     */
    private void matvec(float[] wt, int in, int out, float[] bias, State[] g, int n, Buf x, Buf y) {
        if (bias != null) {
            for (int i = 0; i < n; i++) {
                if (g[i].live) System.arraycopy(bias, 0, y.of(g[i]), 0, out);
            }
        }
        for (int j = 0; j < in; j++) {
            for (int i = 0; i < n; i++) {
                State s = g[i];
                if (!s.live) continue;
                float v = x.of(s)[j];
                if (v != 0f) k.axpy(out, v, wt, j * out, y.of(s), 0);
            }
        }
    }
}
