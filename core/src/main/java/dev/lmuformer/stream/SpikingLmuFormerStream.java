package dev.lmuformer.stream;

import dev.lmuformer.engine.Kernels;
import dev.lmuformer.model.SpikingLmuFormer;
import dev.lmuformer.model.StateDict;
import dev.lmuformer.stream.StreamLayers.FrameLinear;
import dev.lmuformer.stream.StreamLayers.Lmu;
import dev.lmuformer.stream.StreamLayers.Norm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Streaming inference for the Spiking LMUFormers — {@code slmu_rnn_ms_conv1d} (membrane shortcuts)
 * and {@code slmu_rnn_conv1d} (without) — one input frame in, O(1) work, the streaming readout
 * ("all_seq", REFERENCE §4) of one frame out.
 *
 * <p>What a stream carries from frame to frame: the membrane of every LIF neuron (the reference's
 * multi-step LIF iterates over the sequence axis, REFERENCE §2, so each channel of each neuron
 * layer is one neuron that the next frame continues), the LMU memory as its recurrence
 * {@code m_t = Ā m_{t−1} + B̄ u_t}, the windows of the k=3 convolutions and the running sum of the
 * features. Batch norms use their running statistics as the per-channel scale and shift the
 * parallel model applies after each product; they are not folded into the weights, which would
 * re-round the weights and move membranes that sit next to a threshold.
 *
 * <p>Look-ahead: every k=3 "same" convolution (four in the patch embedding, then rpe_conv, all on
 * one path) needs the next frame, so the output for frame t comes with frame t + 5 (50 ms at
 * 10 ms per frame); {@link #flush} produces the last ones with the parallel model's zero padding.
 *
 * <p>Spike accumulation: every product but three reads spikes (0/1; without shortcuts, sums of a
 * few spike trains): the k=3 convolutions after the first, W_u, W_h, proj_conv, fc1 and fc2. With
 * {@code accumulate} those add the weight rows of the inputs that fired and skip the rest, with
 * no multiplications; without it every row is scaled and added. Both give the same bits. The
 * first convolution (it reads the filterbank), the memory's Ā m and the head (it reads a mean)
 * stay dense.
 *
 * <p>{@code attn_ms_conv1d} does not stream and is refused: its attention {@code (q kᵀ) v} sums k
 * and v over all N frames, without a mask, so every frame's output depends on frames that have
 * not arrived; its exact output needs the whole sequence (see docs/streaming.md).
 */
public final class SpikingLmuFormerStream extends StatefulStream<SpikingLmuFormerStream.State> {
    private static final float V_TH = 1f;
    /** The neuron before the LMU cell with membrane shortcuts. */
    private static final float V_TH_PREV = 0.5f;
    /** Index of rpe_conv among the k=3 convolutions. */
    private static final int RPE = 4;

    private final boolean shortcut;
    private final boolean accumulate;
    private final FrameLinear[] convs;    // proj_conv, proj_conv1 … 3, rpe_conv: [3·I, O]
    private final Norm[] convNorms; // proj_bn … proj_bn3
    private final Norm rpeNorm;     // rpe_bn without shortcuts, else null
    private final BlockWeights[] blocks;
    private final Norm headNorm;    // head_bn with shortcuts, else null
    private final FrameLinear head;
    private final int features;
    private final int width;
    private final Kernels k = Kernels.get();

    /** One residual block; {@code prev} is null without shortcuts. */
    private record BlockWeights(Norm prev, FrameLinear wU, Norm bnU, Lmu lmu, Norm bnM, FrameLinear wH, Norm bnH, FrameLinear proj, Norm projBn,
                         FrameLinear fc1, Norm fc1Bn, FrameLinear fc2, Norm fc2Bn) {
    }

    /**
     * Prepares the weights and running statistics of {@code model} (copied: later changes to the
     * model do not reach this stream).
     *
     * @param accumulate products over spikes add the weight rows of the active inputs only
     * @throws IllegalArgumentException for {@code attn_ms_conv1d}, whose attention is not causal
     */
    public SpikingLmuFormerStream(SpikingLmuFormer model, boolean accumulate) {
        String arch = model.arch();
        if (arch.equals(SpikingLmuFormer.Variant.ATTN_MS_CONV1D.arch())) {
            throw new IllegalArgumentException("streaming is not available for '" + arch + "': its self-attention (q kᵀ) v sums"
                    + " over all frames without a mask, so each frame's output depends on frames not yet received;"
                    + " run the parallel model on the whole sequence");
        }
        this.accumulate = accumulate;
        shortcut = arch.equals(SpikingLmuFormer.Variant.SLMU_RNN_MS_CONV1D.arch());
        features = model.config().inChannels();
        width = model.config().embedDims();
        StateDict st = model.state();
        String[] suffix = {"", "1", "2", "3"};
        convs = new FrameLinear[suffix.length + 1];
        convNorms = new Norm[suffix.length];
        for (int i = 0; i < suffix.length; i++) {
            convs[i] = StreamLayers.conv3(st, "patch_embed.proj_conv" + suffix[i] + ".weight");
            convNorms[i] = StreamLayers.norm(st, "patch_embed.proj_bn" + suffix[i]);
        }
        convs[RPE] = StreamLayers.conv3(st, "patch_embed.rpe_conv.weight");
        rpeNorm = shortcut ? null : StreamLayers.norm(st, "patch_embed.rpe_bn");
        blocks = new BlockWeights[model.config().depths()];
        for (int i = 0; i < blocks.length; i++) {
            String attn = "block." + i + ".attn", lmu = attn + ".lmu", mlp = "block." + i + ".mlp";
            blocks[i] = new BlockWeights(shortcut ? StreamLayers.norm(st, attn + ".prev_bn") : null,
                    StreamLayers.linear(st, lmu + ".W_u"), StreamLayers.norm(st, lmu + ".bn_u"), StreamLayers.lmu(st, lmu),
                    StreamLayers.norm(st, lmu + ".bn_m"), StreamLayers.linear(st, lmu + ".W_h"), StreamLayers.norm(st, lmu + ".bn_h"),
                    StreamLayers.linear(st, attn + ".proj_conv"), StreamLayers.norm(st, attn + ".proj_bn"),
                    StreamLayers.linear(st, mlp + ".fc1_conv"), StreamLayers.norm(st, mlp + ".fc1_bn"),
                    StreamLayers.linear(st, mlp + ".fc2_conv"), StreamLayers.norm(st, mlp + ".fc2_bn"));
        }
        headNorm = shortcut ? StreamLayers.norm(st, "head_bn") : null;
        head = StreamLayers.linear(st, "head");
    }

    /** The neuron state of one block. */
    private static final class Cell {
        final float[] prevV;  // (C) before the LMU cell, shortcuts only
        final float[] uV = new float[1];
        final float[] m;      // (D) the memory
        final float[] mV;     // (D)
        final float[] hV;     // (C)
        final float[] projV;  // (C) after proj_bn, no shortcuts only
        final float[] fc1V;
        final float[] fc2V;
        private final float[][] all;

        Cell(BlockWeights b, int width) {
            int d = b.lmu().memory();
            prevV = new float[width];
            m = new float[d];
            mV = new float[d];
            hV = new float[width];
            projV = new float[width];
            fc1V = new float[b.fc1Bn().channels()];
            fc2V = new float[b.fc2Bn().channels()];
            all = new float[][] {prevV, uV, m, mV, hV, projV, fc1V, fc2V};
        }

        void clear() {
            for (float[] a : all) Arrays.fill(a, 0f);
        }
    }

    /** The state of one stream, all allocated here so that {@link #step} allocates nothing. */
    public static final class State extends StatefulStream.Progress {
        private final float[][] windows; // per k=3 conv: [x_{t−1}; x_t; x_{t+1}], zeros = the left padding
        private final int[] seen;        // inputs each conv has received, padding included
        private final float[] residual;  // (2C) the trunk outputs beside rpe_conv's window: [y_{t−1}; y_t]
        private final float[][] convV;   // (C) membranes after proj_bn … proj_bn3
        private final float[] rpeV;      // (C) after rpe_bn
        private final Cell[] cells;
        private final float[] headV;     // (C)
        private final float[] frame;     // (C) a convolution's output, then its spikes
        private final float[] y;         // (C) the trunk output of this frame
        private final float[] x;         // (C) the residual stream
        private final float[] spikes;    // (C)
        private final float[] drive = new float[1];
        private final float[] next;      // (D) scratch of the recurrence
        private final float[] cat;       // (D + C) [m' ; x], the input of W_h
        private final float[] hidden;    // (C)
        private final float[] mixed;     // (C)
        private final float[] wide;      // (mlp hidden)
        private final float[] narrow;    // (C)
        private final float[] membrane;  // pre-reset membranes (unused; Lif.step writes them)
        private final FeatureMean mean;  // of the features fed to the head
        private final float[] pooled;    // (C)
        private final float[] logits;

        private State(SpikingLmuFormerStream m, int readoutWindow) {
            int c = m.width;
            windows = new float[m.convs.length][];
            for (int i = 0; i < m.convs.length; i++) windows[i] = new float[m.convs[i].in()];
            seen = new int[m.convs.length];
            residual = new float[2 * c];
            convV = new float[m.convNorms.length][c];
            rpeV = new float[c];
            cells = new Cell[m.blocks.length];
            int d = 0, wideSize = 0;
            for (int i = 0; i < cells.length; i++) {
                cells[i] = new Cell(m.blocks[i], c);
                d = Math.max(d, m.blocks[i].lmu().memory());
                wideSize = Math.max(wideSize, m.blocks[i].fc1().out());
            }
            headV = new float[c];
            frame = new float[c];
            y = new float[c];
            x = new float[c];
            spikes = new float[c];
            next = new float[d];
            cat = new float[d + c];
            hidden = new float[c];
            mixed = new float[c];
            wide = new float[wideSize];
            narrow = new float[c];
            membrane = new float[Math.max(Math.max(d, wideSize), c)];
            mean = new FeatureMean(c, readoutWindow);
            pooled = new float[c];
            logits = new float[m.head.out()];
        }
    }

    @Override
    public State newState(int readoutWindow) {
        return new State(this, readoutWindow);
    }

    @Override
    void clear(State s) {
        for (float[] w : s.windows) Arrays.fill(w, 0f);
        Arrays.fill(s.seen, 0);
        Arrays.fill(s.residual, 0f);
        for (float[] v : s.convV) Arrays.fill(v, 0f);
        Arrays.fill(s.rpeV, 0f);
        for (Cell c : s.cells) c.clear();
        Arrays.fill(s.headV, 0f);
        s.mean.clear();
    }

    /** Frames of delay: 5 (50 ms at 10 ms per frame), one per k=3 convolution on the path. */
    @Override
    public int lookAhead() {
        return convs.length;
    }

    @Override
    public int inputFeatures() {
        return features;
    }

    @Override
    public int numClasses() {
        return head.out();
    }

    /** Whether products over spikes accumulate the rows of the active inputs. */
    public boolean accumulates() {
        return accumulate;
    }

    @Override
    float[] advance(State s, float[] frame, int offset) {
        return embed(s, 0, frame, offset) ? s.logits : null;
    }

    @Override
    List<float[]> drain(State s) {
        List<float[]> rest = new ArrayList<>();
        for (int stage = 0; stage < convs.length; stage++) {
            if (embed(s, stage, null, 0)) rest.add(s.logits.clone());
        }
        return rest;
    }

    /**
     * Feeds one input (null: a padding zero) into k=3 convolution {@code stage} and on through the
     * patch embedding; when that yields the embedding of a frame, runs the blocks and the readout
     * into {@code s.logits} and returns true. The convolutions take their padding zeros as inputs,
     * before any batch norm or neuron, as the parallel model pads.
     */
    private boolean embed(State s, int stage, float[] in, int offset) {
        for (; stage < convs.length; stage++) {
            FrameLinear conv = convs[stage];
            int n = conv.in() / 3;
            float[] win = s.windows[stage];
            System.arraycopy(win, n, win, 0, 2 * n);
            if (in == null) {
                Arrays.fill(win, 2 * n, 3 * n, 0f);
            } else {
                System.arraycopy(in, offset, win, 2 * n, n);
            }
            if (stage == RPE) { // y slides beside the window: its centre frame's y is the residual
                System.arraycopy(s.residual, width, s.residual, 0, width);
                if (in == null) {
                    Arrays.fill(s.residual, width, 2 * width, 0f);
                } else {
                    System.arraycopy(s.y, 0, s.residual, width, width);
                }
            }
            if (++s.seen[stage] < 2) return false; // the output for frame t needs input t+1
            float[] out = s.frame;
            StreamLayers.product(k, conv, win, 0, out, accumulate && stage > 0);
            if (stage == RPE) {
                if (!shortcut) lif(s, rpeNorm, out, out, s.rpeV, V_TH);
                for (int c = 0; c < width; c++) s.x[c] = s.residual[c] + out[c];
            } else if (stage == RPE - 1 && shortcut) { // y = proj_conv3(…); the rpe branch reads LIF(proj_bn3(y))
                System.arraycopy(out, 0, s.y, 0, width);
                lif(s, convNorms[stage], out, out, s.convV[stage], V_TH);
            } else {
                lif(s, convNorms[stage], out, out, s.convV[stage], V_TH);
                if (stage == RPE - 1) System.arraycopy(out, 0, s.y, 0, width);
            }
            in = out;
            offset = 0;
        }
        for (int i = 0; i < blocks.length; i++) block(s, blocks[i], s.cells[i]);
        readout(s);
        return true;
    }

    /** {@code logits = head(mean_{j≤t} feature_j)}, the feature being the head neuron's spikes with shortcuts, else x. */
    private void readout(State s) {
        float[] f = s.x;
        if (headNorm != null) {
            lif(s, headNorm, s.x, s.spikes, s.headV, V_TH);
            f = s.spikes;
        }
        s.emitted++;
        s.mean.add(f, 0, s.pooled, 0);
        StreamLayers.product(k, head, s.pooled, 0, s.logits, false);
    }

    /** {@code x ← x + mixer(x); x ← x + mlp(x)} for one frame (REFERENCE §4). */
    private void block(State s, BlockWeights b, Cell c) {
        int d = b.lmu().memory();
        float[] in = s.x;
        if (shortcut) {
            lif(s, b.prev(), s.x, s.spikes, c.prevV, V_TH_PREV);
            in = s.spikes;
        }
        // the spiking LMU cell: u = LIF(bn_u(W_u x)), m = Ā m + B̄ u, h = LIF(bn_h(W_h [LIF(bn_m(m)) ; x]))
        StreamLayers.product(k, b.wU(), in, 0, s.drive, accumulate);
        lif(s, b.bnU(), s.drive, s.drive, c.uV, V_TH);
        StreamLayers.advance(k, b.lmu(), c.m, s.drive[0], s.next);
        lif(s, b.bnM(), c.m, s.cat, c.mV, V_TH);
        System.arraycopy(in, 0, s.cat, d, width);
        StreamLayers.product(k, b.wH(), s.cat, 0, s.hidden, accumulate);
        lif(s, b.bnH(), s.hidden, s.hidden, c.hV, V_TH);
        StreamLayers.product(k, b.proj(), s.hidden, 0, s.mixed, accumulate);
        if (shortcut) {
            k.scaleShift(width, s.mixed, 0, b.projBn().scale(), b.projBn().shift(), s.mixed, 0);
        } else {
            lif(s, b.projBn(), s.mixed, s.mixed, c.projV, V_TH);
        }
        for (int i = 0; i < width; i++) s.x[i] += s.mixed[i];
        if (shortcut) { // fc1_bn → LIF → fc1 → fc2_bn → LIF → fc2
            lif(s, b.fc1Bn(), s.x, s.spikes, c.fc1V, V_TH);
            StreamLayers.product(k, b.fc1(), s.spikes, 0, s.wide, accumulate);
            lif(s, b.fc2Bn(), s.wide, s.wide, c.fc2V, V_TH);
            StreamLayers.product(k, b.fc2(), s.wide, 0, s.narrow, accumulate);
        } else { // fc1 → fc1_bn → LIF → fc2 → fc2_bn → LIF
            StreamLayers.product(k, b.fc1(), s.x, 0, s.wide, accumulate);
            lif(s, b.fc1Bn(), s.wide, s.wide, c.fc1V, V_TH);
            StreamLayers.product(k, b.fc2(), s.wide, 0, s.narrow, accumulate);
            lif(s, b.fc2Bn(), s.narrow, s.narrow, c.fc2V, V_TH);
        }
        for (int i = 0; i < width; i++) s.x[i] += s.narrow[i];
    }

    private void lif(State s, Norm bn, float[] x, float[] out, float[] v, float vth) {
        StreamLayers.normLif(k, bn, x, out, v, vth, s.membrane);
    }
}
