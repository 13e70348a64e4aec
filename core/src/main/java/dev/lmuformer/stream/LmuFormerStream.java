package dev.lmuformer.stream;

import dev.lmuformer.engine.Gemm;
import dev.lmuformer.engine.Kernels;
import dev.lmuformer.engine.Parallel;
import dev.lmuformer.model.LmuRnnConv1d;
import dev.lmuformer.model.StateDict;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Streaming inference for the non-spiking LMUFormer ({@code lmu_rnn_conv1d}): one input frame in,
 * O(1) work, the streaming readout ("all_seq", REFERENCE §4) of one frame out.
 *
 * <p>The weights are read once from an evaluation-mode model (every BatchNorm becomes a per-channel
 * scale and shift, folded into the 1×1 convolution before it where there is one), packed for
 * {@link Gemm}, and are immutable: one {@code LmuFormerStream} serves any number of {@link State}s,
 * from any threads, as long as each state is stepped by one thread at a time.
 *
 * <p>Look-ahead: every k=3 "same" convolution (four in the patch embedding, one rpe) needs the next
 * frame, so the output for frame t is known once frame t + {@link #lookAhead()} (= 5) has arrived;
 * {@link #flush} produces the last frames with the zero padding the parallel model sees at the end.
 * The LMU memory runs as its recurrence {@code m_t = Ā m_{t−1} + B̄ u_t}.
 *
 * <p>Groups: {@link #step(State[], float[][], int)} steps many streams at once, gathering their
 * vectors into the rows of one matrix per layer so that each product is a register-blocked
 * matrix product over the group; {@link #stepAll} spreads groups over the {@link Parallel} threads.
 * A stream's outputs are bit for bit the same whether it is stepped alone or in any group.
 */
public final class LmuFormerStream extends StatefulStream<LmuFormerStream.State> {
    /**
     * A good largest group for {@link #stepAll}: measured on 2 AVX-512 cores, groups of 64 step
     * 2.3–2.9× as many streams per second as single steps, 16 or 32 come close, 128 gains nothing
     * (docs/streaming.md).
     */
    public static final int DEFAULT_GROUP = 64;

    /** The k=3 convolutions in order (patch_embed.conv_layers.0 … 3, then rpe_conv), each a product over its window. */
    private final PackedLinear[] convs;
    /** Scale and shift of the BatchNorm after each patch-embedding ReLU. */
    private final float[][] bnScale;
    private final float[][] bnShift;
    private final BlockWeights[] blocks;
    private final PackedLinear head;
    private final int features;
    private final int width;
    private final int hidden;
    private final int classes;
    private final int maxMemory;
    private final int maxWindow;
    private final Kernels k = Kernels.get();
    private final ThreadLocal<Workspace> workspaces = ThreadLocal.withInitial(() -> new Workspace());

    /**
     * {@code y = x W + b} on row vectors, W [in, out] packed ({@code b} null: no bias). A k=3, pad=1
     * convolution without bias is one over its window [x_{t−1}; x_t; x_{t+1}], in = 3·I.
     */
    private record PackedLinear(int in, int out, Gemm.Packed w, float[] b) {
    }

    /** One residual block: the LMU mixer (proj_bn folded, {@code a} = Āᵀ) and the MLP (both BNs folded). */
    private record BlockWeights(int memory, PackedLinear a, float[] bBar, float[] wU, float uBias, PackedLinear wH,
                         PackedLinear proj, PackedLinear fc1, PackedLinear fc2) {
    }

    /** Prepares the weights of {@code model}, whose current state (weights and running statistics) is copied. */
    public LmuFormerStream(LmuRnnConv1d model) {
        StateDict st = model.state();
        features = model.config().inChannels();
        width = model.config().embedDims();
        classes = model.config().numClasses();
        int depth = model.config().depths();
        convs = new PackedLinear[5];
        bnScale = new float[4][];
        bnShift = new float[4][];
        for (int i = 0; i < 4; i++) {
            String p = "patch_embed.conv_layers." + i;
            convs[i] = conv3(st, p + ".0.weight");
            StreamLayers.Norm bn = StreamLayers.norm(st, p + ".3");
            bnScale[i] = bn.scale();
            bnShift[i] = bn.shift();
        }
        convs[4] = conv3(st, "patch_embed.rpe_conv.weight");
        int window = 0;
        for (PackedLinear c : convs) window = Math.max(window, c.in());
        maxWindow = window;
        blocks = new BlockWeights[depth];
        int wide = 0, memory = 0;
        for (int i = 0; i < depth; i++) {
            String p = "block." + i;
            StateDict.Entry a = StreamLayers.entry(st, p + ".attn.lmu.A");
            int d = a.shape()[0];
            PackedLinear fc1 = dense(st, p + ".mlp.fc1_conv", p + ".mlp.fc1_bn");
            wide = Math.max(wide, fc1.out());
            memory = Math.max(memory, d);
            // m_tᵀ = m_{t−1}ᵀ Āᵀ: B(p, j) = Ā[j][p]
            PackedLinear aT = new PackedLinear(d, d, Gemm.pack(d, d, a.data(), 0, 1, d), null);
            blocks[i] = new BlockWeights(d, aT, StreamLayers.entry(st, p + ".attn.lmu.B").data().clone(),
                    StreamLayers.entry(st, p + ".attn.lmu.W_u.weight").data().clone(), StreamLayers.entry(st, p + ".attn.lmu.W_u.bias").data()[0],
                    dense(st, p + ".attn.lmu.W_h", null), dense(st, p + ".attn.proj_conv", p + ".attn.proj_bn"), fc1,
                    dense(st, p + ".mlp.fc2_conv", p + ".mlp.fc2_bn"));
        }
        hidden = wide;
        maxMemory = memory;
        head = dense(st, "head", null);
    }

    /** A k=3 convolution repacked over its window ({@link StreamLayers#conv3}), packed for the micro-kernel. */
    private static PackedLinear conv3(StateDict st, String name) {
        StreamLayers.FrameLinear c = StreamLayers.conv3(st, name);
        return new PackedLinear(c.in(), c.out(), Gemm.pack(c.in(), c.out(), c.wt(), 0, c.out(), 1), null);
    }

    /** A Linear or 1×1 convolution {@code prefix} (weight [O, I]), with the BatchNorm {@code bn} (if not null) folded in. */
    private static PackedLinear dense(StateDict st, String prefix, String bn) {
        StateDict.Entry we = StreamLayers.entry(st, prefix + ".weight");
        int out = we.shape()[0], in = we.shape()[1];
        float[] w = we.data().clone();
        float[] b = StreamLayers.entry(st, prefix + ".bias").data().clone();
        if (bn != null) {
            StreamLayers.Norm ss = StreamLayers.norm(st, bn);
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) w[o * in + i] *= ss.scale()[o];
                b[o] = b[o] * ss.scale()[o] + ss.shift()[o];
            }
        }
        return new PackedLinear(in, out, Gemm.pack(in, out, w, 0, 1, in), b); // B(p, j) = W[j][p]
    }

    /**
     * The state of one audio stream: conv windows, LMU memories and the running feature sum, all
     * allocated here; the per-frame scratch belongs to the stepping thread, so {@link #step}
     * allocates nothing.
     */
    public static final class State extends StatefulStream.Progress {
        private final float[][] windows; // per k=3 conv: [x_{t−1}; x_t; x_{t+1}], zero = the left padding
        private final int[] seen;        // inputs each conv has received, padding zeros included
        private final float[][] memory;  // per block: m_{t−1} (D)
        private final FeatureMean mean;  // of the features fed to the head
        private final float[] logits;
        private final State[] self = {this};
        private float[] src;   // the pending input of the first conv to run (null = a padding zero)
        private int srcOffset;
        private boolean live;  // still producing in the current step

        private State(LmuFormerStream m, int readoutWindow) {
            windows = new float[m.convs.length][];
            for (int i = 0; i < m.convs.length; i++) windows[i] = new float[m.convs[i].in()];
            seen = new int[m.convs.length];
            memory = new float[m.blocks.length][];
            for (int i = 0; i < m.blocks.length; i++) memory[i] = new float[m.blocks[i].memory()];
            mean = new FeatureMean(m.width, readoutWindow);
            logits = new float[m.classes];
        }

        /** The logits of the last step if it produced an output (overwritten by the next step), else null. */
        public float[] output() {
            return live ? logits : null;
        }
    }

    /**
     * One thread's scratch for a group of streams, one row per stream still producing (G rows,
     * grown to the largest group seen), so that states carry only what persists between frames.
     */
    private final class Workspace {
        private int capacity;
        private int[] rows;       // live row r → the state's index in the group
        private float[] window;   // (G, 3·I) the current convolution's windows
        private float[] x;        // (G, C) a patch-embedding stage's output, then a block's input and output
        private float[] memory;   // (G, D) m_{t−1}
        private float[] cat;      // (G, D + C) [m_t ; x], the input of W_h
        private float[] h;        // (G, C)
        private float[] mid;      // (G, C)
        private float[] wide;     // (G, H)
        private float[] wideAct;  // (G, H)
        private float[] slope;    // (G, H) GELU's derivative, unused here
        private float[] narrow;   // (G, C)
        private float[] pooled;   // (G, C)
        private float[] logits;   // (G, K)

        Workspace ensure(int g) {
            if (g > capacity) {
                capacity = g;
                rows = new int[g];
                window = new float[g * maxWindow];
                x = new float[g * width];
                memory = new float[g * maxMemory];
                cat = new float[g * (maxMemory + width)];
                h = new float[g * width];
                mid = new float[g * width];
                wide = new float[g * hidden];
                wideAct = new float[g * hidden];
                slope = new float[g * hidden];
                narrow = new float[g * width];
                pooled = new float[g * width];
                logits = new float[g * classes];
            }
            return this;
        }
    }

    /**
     * As {@link #stepAll(State[], float[][], int, int)} with groups of at most {@link #DEFAULT_GROUP},
     * for streams from {@link #open()}.
     *
     * @throws IllegalArgumentException if a stream was not opened from this model
     */
    @Override
    public void stepAll(FrameStream[] streams, float[][] frames, float[][] outputs, int count) {
        State[] states = states(streams, count);
        stepAll(states, frames, count, DEFAULT_GROUP);
        for (int i = 0; i < count; i++) outputs[i] = states[i].output();
    }

    /**
     * Flushes streams from {@link #open()} together, as {@link #stepAll(FrameStream[], float[][], float[][], int)} steps them.
     *
     * @throws IllegalArgumentException if a stream was not opened from this model
     */
    @Override
    public List<List<float[]>> flushAll(FrameStream[] streams, int count) {
        State[] states = states(streams, count);
        for (int i = 0; i < count; i++) checkOpen(states[i]);
        for (int i = 0; i < count; i++) states[i].flushed = true;
        return drain(states, count);
    }

    private State[] states(FrameStream[] streams, int count) {
        State[] states = new State[count];
        for (int i = 0; i < count; i++) states[i] = stateOf(streams[i], i);
        return states;
    }

    @Override
    public State newState(int readoutWindow) {
        return new State(this, readoutWindow);
    }

    @Override
    void clear(State s) {
        for (float[] w : s.windows) Arrays.fill(w, 0f);
        Arrays.fill(s.seen, 0);
        for (float[] m : s.memory) Arrays.fill(m, 0f);
        s.mean.clear();
        s.live = false;
    }

    /** Frames of delay: the output for frame t comes with input frame t + lookAhead (5 for this model, 50 ms at 10 ms/frame). */
    @Override
    public int lookAhead() {
        return convs.length; // each k=3, pad=1 convolution needs one future frame
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

    /** One frame (its output: {@code head(mean_{j≤t} feature_j)} for frame {@code t = s.emitted()}); {@code pushed} is counted by the caller. */
    @Override
    float[] advance(State s, float[] frame, int offset) {
        s.src = frame;
        s.srcOffset = offset;
        s.live = true;
        advanceRows(s.self, 0, 1, 0);
        return s.live ? s.logits : null;
    }

    /**
     * Pushes {@code frames[i]} into {@code states[i]} for every i &lt; count, as {@link #step} each
     * and with the same bits: layer by layer over the group, each product a matrix product whose
     * rows are the streams (a large one may use the {@link Parallel} pool, as any {@link Gemm} call).
     * Afterwards {@link State#output()} of each state holds its logits or null. States must be distinct.
     *
     * @throws IllegalStateException if a state is flushed (then no state is stepped)
     */
    public void step(State[] states, float[][] frames, int count) {
        beginAll(states, frames, count);
        advanceRows(states, 0, count, 0);
    }

    /**
     * As {@link #step(State[], float[][], int)} for many streams, spread over the {@link Parallel}
     * threads: split into equal groups of at most {@code maxGroup} streams (for example
     * {@link #DEFAULT_GROUP}), as many as a multiple of the thread count so the threads get equal
     * work, each group stepped by one thread.
     *
     * @throws IllegalStateException if a state is flushed (then no state is stepped)
     */
    public void stepAll(State[] states, float[][] frames, int count, int maxGroup) {
        if (maxGroup < 1) throw new IllegalArgumentException("group size must be at least 1, got " + maxGroup);
        beginAll(states, frames, count);
        advanceAll(states, count, maxGroup, 0);
    }

    /** {@link #advanceRows} for {@code states[0 … count)} from conv {@code stage}, in equal groups of at most {@code maxGroup} over the threads. */
    private void advanceAll(State[] states, int count, int maxGroup, int stage) {
        int threads = Parallel.threads();
        int groups = Math.min(count, ceilDiv(ceilDiv(count, maxGroup), threads) * threads);
        Parallel.forEach(groups, gi -> {
            int from = (int) ((long) count * gi / groups);
            advanceRows(states, from, (int) ((long) count * (gi + 1) / groups) - from, stage);
        });
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    private static void checkOpen(State s) {
        if (s.flushed) throw new IllegalStateException("stream already flushed; reset it first");
    }

    /** Checks every state before any is begun, so that a failure leaves them all as they were. */
    private static void beginAll(State[] states, float[][] frames, int count) {
        for (int i = 0; i < count; i++) checkOpen(states[i]);
        for (int i = 0; i < count; i++) begin(states[i], frames[i], 0);
    }

    private static void begin(State s, float[] frame, int offset) {
        s.pushed++;
        s.src = frame;
        s.srcOffset = offset;
        s.live = true;
    }

    /** {@code step(s, frame, 0)}. */
    public float[] step(State s, float[] frame) {
        return step(s, frame, 0);
    }

    /** The convolutions see zeros beyond the last frame, as in the parallel model. */
    @Override
    List<float[]> drain(State s) {
        return drain(s.self, 1).get(0);
    }

    /** {@link #drain(State)} for {@code states[0 … count)}, stepped together. */
    private List<List<float[]>> drain(State[] states, int count) {
        List<List<float[]>> rest = new ArrayList<>(count);
        for (int i = 0; i < count; i++) rest.add(new ArrayList<>());
        for (int stage = 0; stage < convs.length; stage++) {
            for (int i = 0; i < count; i++) {
                states[i].src = null;
                states[i].live = true;
            }
            advanceAll(states, count, DEFAULT_GROUP, stage);
            for (int i = 0; i < count; i++) if (states[i].live) rest.get(i).add(states[i].logits.clone());
        }
        return rest;
    }

    /**
     * Feeds the pending input (null = a padding zero) of the states {@code g[from … from+n)} into
     * conv {@code stage} and onward, each layer once for the rows of the states that produce;
     * clears {@code live} on the states whose convolution windows are still filling.
     */
    private void advanceRows(State[] g, int from, int n, int stage) {
        Workspace w = workspaces.get().ensure(n);
        int live = n;
        for (int r = 0; r < n; r++) w.rows[r] = from + r;
        for (int c = stage; c < convs.length && live > 0; c++) {
            PackedLinear conv = convs[c];
            int w3 = conv.in(), in = w3 / 3;
            int next = 0;
            for (int r = 0; r < live; r++) {
                State s = g[w.rows[r]];
                float[] win = s.windows[c];
                System.arraycopy(win, in, win, 0, 2 * in);
                if (c > stage) {
                    System.arraycopy(w.x, r * width, win, 2 * in, in); // the previous conv's output row
                } else if (s.src == null) {
                    Arrays.fill(win, 2 * in, w3, 0f);
                } else {
                    System.arraycopy(s.src, s.srcOffset, win, 2 * in, in);
                }
                if (++s.seen[c] < 2) { // output t needs input t+1
                    s.live = false;
                    continue;
                }
                System.arraycopy(win, 0, w.window, next * w3, w3);
                w.rows[next++] = w.rows[r];
            }
            live = next;
            Gemm.gemm(live, w.window, 0, w3, 1, conv.w(), w.x, 0, width, false);
            for (int r = 0; r < live; r++) {
                int o = r * width;
                if (c < bnScale.length) {
                    for (int j = 0; j < width; j++) w.x[o + j] = Math.max(w.x[o + j], 0f) * bnScale[c][j] + bnShift[c][j];
                } else {
                    for (int j = 0; j < width; j++) w.x[o + j] += w.window[r * w3 + in + j]; // x + rpe_conv(x), x at the window's centre
                }
            }
        }
        if (live > 0) frame(g, live, w);
    }

    /** The per-frame part after the patch embedding for the first {@code live} rows: blocks, readout mean, head. */
    private void frame(State[] g, int live, Workspace w) {
        int c = width;
        for (int bi = 0; bi < blocks.length; bi++) {
            BlockWeights b = blocks[bi];
            int d = b.memory(), wc = d + c;
            for (int r = 0; r < live; r++) {
                float u = Math.max(k.dot(c, b.wU(), 0, w.x, r * c) + b.uBias(), 0f);
                for (int j = 0; j < d; j++) w.cat[r * wc + j] = b.bBar()[j] * u;
                System.arraycopy(g[w.rows[r]].memory[bi], 0, w.memory, r * d, d);
                System.arraycopy(w.x, r * c, w.cat, r * wc + d, c);
            }
            Gemm.gemm(live, w.memory, 0, d, 1, b.a().w(), w.cat, 0, wc, true); // m_t = B̄ u_t + Ā m_{t−1}
            for (int r = 0; r < live; r++) System.arraycopy(w.cat, r * wc, g[w.rows[r]].memory[bi], 0, d);
            product(b.wH(), live, w.cat, w.h);
            for (int i = 0; i < live * c; i++) w.h[i] = Math.max(w.h[i], 0f);
            product(b.proj(), live, w.h, w.mid);
            for (int i = 0; i < live * c; i++) w.mid[i] += w.x[i];
            product(b.fc1(), live, w.mid, w.wide);
            // row by row: how the kernel splits a length into vector and tail must not depend on the group
            int h = b.fc1().out();
            for (int r = 0; r < live; r++) k.gelu(h, w.wide, w.wideAct, w.slope, r * h);
            product(b.fc2(), live, w.wideAct, w.narrow);
            for (int i = 0; i < live * c; i++) w.x[i] = w.mid[i] + Math.max(w.narrow[i], 0f);
        }
        for (int r = 0; r < live; r++) {
            State s = g[w.rows[r]];
            s.emitted++;
            s.mean.add(w.x, r * c, w.pooled, r * c);
        }
        product(head, live, w.pooled, w.logits);
        for (int r = 0; r < live; r++) System.arraycopy(w.logits, r * classes, g[w.rows[r]].logits, 0, classes);
    }

    /** {@code out (rows, O) = in (rows, I) · W + b}. */
    private static void product(PackedLinear layer, int rows, float[] in, float[] out) {
        for (int r = 0; r < rows; r++) System.arraycopy(layer.b(), 0, out, r * layer.out(), layer.out());
        Gemm.gemm(rows, in, 0, layer.in(), 1, layer.w(), out, 0, layer.out(), true);
    }
}
