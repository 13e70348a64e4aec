package dev.lmuformer.stream;

import dev.lmuformer.engine.Parallel;
import dev.lmuformer.model.SequenceModel;
import dev.lmuformer.nn.FrameGroup;
import dev.lmuformer.nn.FrameLayer;
import dev.lmuformer.nn.FrameState;

import java.util.ArrayList;
import java.util.List;

/**
 * Streaming inference for any model that has a per-frame form ({@link SequenceModel#frames}):
 * one input frame in, O(1) work, the streaming readout ("all_seq", REFERENCE §4) of one frame out.
 * The model's own composition is stepped, layer by layer, so the streamed outputs follow the
 * parallel model's layers exactly: every layer that carries something from frame to frame (a k=3
 * convolution's window, a neuron's membrane, the LMU memory as its recurrence
 * {@code m_t = Ā m_{t−1} + B̄ u_t}, the running mean of the readout) keeps it in the stream's
 * {@link State}, and batch norms use their running statistics.
 *
 * <p>The weights are copied when this is built and are immutable: one {@code ModelStream} serves any
 * number of states, from any threads, as long as each state is stepped by one thread at a time.
 *
 * <p>Look-ahead: every k=3 "same" convolution on the path needs the next frame, so the output for
 * frame t is known once frame t + {@link #lookAhead()} has arrived (5 for the LMUFormers, 50 ms at
 * 10 ms per frame; 0 for psMNIST); {@link #flush} produces the last ones with the zero padding the
 * parallel model sees at the end.
 *
 * <p>Groups: {@link #step(State[], float[][], int)} steps many streams at once, their vectors the
 * rows of one matrix per layer; {@link #stepAll} spreads groups over the {@link Parallel} threads. A
 * stream's outputs are bit for bit the same whether it is stepped alone or in any group. Products
 * over real values run as packed matrix products over the group (each weight read once per group);
 * products over spikes run row by row, and with {@code accumulate} add the weight rows of the inputs
 * that fired and skip the rest, with no multiplications, for the same bits.
 */
public final class ModelStream extends StatefulStream<ModelStream.State> {
    /**
     * A good largest group for {@link #stepAll}: measured on 2 AVX-512 cores, groups of 64 step
     * 2.3–2.9× as many streams per second as single steps, 16 or 32 come close, 128 gains nothing
     * (docs/streaming.md).
     */
    public static final int DEFAULT_GROUP = 64;

    private final SequenceModel.Frames frames;
    private final FrameLayer model;
    private final boolean accumulate;
    private final int features;
    private final int classes;
    private final int lookAhead;
    private final ThreadLocal<Work> work = ThreadLocal.withInitial(Work::new);

    /** The streaming form of {@code model} with spike accumulation; see {@link #ModelStream(SequenceModel, boolean)}. */
    public ModelStream(SequenceModel model) {
        this(model, true);
    }

    /**
     * Prepares the weights and running statistics of {@code model} (copied: later changes to the
     * model do not reach this stream).
     *
     * @param accumulate products over spikes add the weight rows of the active inputs only
     * @throws IllegalArgumentException for a model that cannot stream ({@code attn_ms_conv1d}: its
     *                                  attention spans the whole sequence; {@code lra_lmu}), saying why
     */
    public ModelStream(SequenceModel model, boolean accumulate) {
        frames = model.frames(accumulate);
        this.model = frames.layer();
        this.accumulate = accumulate;
        features = model.inputFeatures();
        classes = model.numClasses();
        lookAhead = frames.build().delays();
    }

    /** The state of one stream: what each layer carries, allocated here, so that {@link #step} allocates nothing. */
    public static final class State extends StatefulStream.Progress implements FrameGroup.Member {
        private final FrameState[] states;
        private final float[] logits;
        private final State[] self = {this};
        private boolean live; // produced in the last step

        private State(ModelStream m, int readoutWindow) {
            states = m.frames.build().newStates(readoutWindow);
            logits = new float[m.classes];
        }

        /** The logits of the last step if it produced an output (overwritten by the next step), else null. */
        public float[] output() {
            return live ? logits : null;
        }

        @Override
        public FrameState[] states() {
            return states;
        }
    }

    /** One thread's group and its input and output rows. */
    private final class Work {
        final FrameGroup group = new FrameGroup(frames.build());
        float[] input = new float[0];  // (G, F)
        float[] output = new float[0]; // (G, K)

        void ensure(int g) {
            if (input.length < g * features) input = new float[g * features];
            if (output.length < g * classes) output = new float[g * classes];
        }
    }

    @Override
    public State newState(int readoutWindow) {
        return new State(this, readoutWindow);
    }

    @Override
    void clear(State s) {
        for (FrameState f : s.states) f.clear();
        s.live = false;
    }

    /** Frames of delay: the output for frame t comes with input frame t + lookAhead, one per k=3 convolution on the path. */
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

    /** Whether products over spikes accumulate the rows of the active inputs. */
    public boolean accumulates() {
        return accumulate;
    }

    @Override
    float[] advance(State s, float[] frame, int offset) {
        Work w = work.get();
        w.ensure(1);
        System.arraycopy(frame, offset, w.input, 0, features);
        run(s.self, 0, 1, -1, w);
        return s.output();
    }

    /** {@code step(s, frame, 0)}. */
    public float[] step(State s, float[] frame) {
        return step(s, frame, 0);
    }

    /**
     * Runs the rows of {@code states[from … from+n)}, their inputs in {@code w.input} (ignored when the
     * padding enters at convolution {@code padAt} ≥ 0), and hands each output to its state.
     */
    private void run(State[] states, int from, int n, int padAt, Work w) {
        FrameGroup g = w.group;
        g.begin(states, from, n, padAt);
        for (int i = from; i < from + n; i++) states[i].live = false;
        model.step(g, w.input, w.output);
        for (int r = 0; r < g.rows(); r++) {
            State s = states[g.stream(r)];
            s.live = true;
            s.emitted++;
            System.arraycopy(w.output, r * classes, s.logits, 0, classes);
        }
    }

    /** The input rows of {@code states[from … from+n)}, from {@code frames[from …]}. */
    private void gather(float[][] frames, int from, int n, Work w) {
        w.ensure(n);
        for (int i = 0; i < n; i++) System.arraycopy(frames[from + i], 0, w.input, i * features, features);
    }

    /**
     * Pushes {@code frames[i]} into {@code states[i]} for every i &lt; count, as {@link #step} each
     * and with the same bits, layer by layer over the group. Afterwards {@link State#output()} of
     * each state holds its logits or null. States must be distinct.
     *
     * @throws IllegalStateException if a state is flushed (then no state is stepped)
     */
    public void step(State[] states, float[][] frames, int count) {
        beginAll(states, count);
        Work w = work.get();
        gather(frames, 0, count, w);
        run(states, 0, count, -1, w);
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
        beginAll(states, count);
        inGroups(count, maxGroup, (from, n) -> {
            Work w = work.get();
            gather(frames, from, n, w);
            run(states, from, n, -1, w);
        });
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

    /** Splits {@code count} streams into equal groups of at most {@code maxGroup}, a multiple of the thread count, and runs them on the threads. */
    private static void inGroups(int count, int maxGroup, GroupTask task) {
        int threads = Parallel.threads();
        int groups = Math.min(count, ceilDiv(ceilDiv(count, maxGroup), threads) * threads);
        Parallel.forEach(groups, gi -> {
            int from = (int) ((long) count * gi / groups);
            task.run(from, (int) ((long) count * (gi + 1) / groups) - from);
        });
    }

    /** A group of streams {@code [from, from + n)}. */
    private interface GroupTask {
        void run(int from, int n);
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    private static void checkOpen(State s) {
        if (s.flushed) throw new IllegalStateException("stream already flushed; reset it first");
    }

    /** Checks every state before any is counted, so that a failure leaves them all as they were. */
    private static void beginAll(State[] states, int count) {
        for (int i = 0; i < count; i++) checkOpen(states[i]);
        for (int i = 0; i < count; i++) states[i].pushed++;
    }

    /** The convolutions see zeros beyond the last frame, as in the parallel model. */
    @Override
    List<float[]> drain(State s) {
        return drain(s.self, 1).get(0);
    }

    /** {@link #drain(State)} for {@code states[0 … count)}, stepped together: the padding enters at each convolution in turn. */
    private List<List<float[]>> drain(State[] states, int count) {
        List<List<float[]>> rest = new ArrayList<>(count);
        for (int i = 0; i < count; i++) rest.add(new ArrayList<>());
        for (int stage = 0; stage < lookAhead; stage++) {
            int padAt = stage;
            inGroups(count, DEFAULT_GROUP, (from, n) -> {
                Work w = work.get();
                w.ensure(n);
                run(states, from, n, padAt, w);
            });
            for (int i = 0; i < count; i++) if (states[i].live) rest.get(i).add(states[i].logits.clone());
        }
        return rest;
    }
}
