package dev.lmuformer.stream;

import dev.lmuformer.audio.ModelInput;
import dev.lmuformer.engine.Parallel;

import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * Many {@link KeywordSession}s over one {@link StreamingModel}, their work done together: what a
 * server with many audio connections runs. Samples pushed into a member session wait; {@link #tick()}
 * runs the sessions' filterbanks in parallel over the {@link Parallel} threads, then steps the
 * frames they completed, round by round, each round one {@link StreamingModel#stepAll} over the sessions that have a frame waiting
 * (for {@link ModelStream}: matrix products over groups of sessions, spread over the threads),
 * and the sessions whose window that round completed are flushed together ({@link StreamingModel#flushAll}).
 * Every session reports exactly what it would report on its own, with the same bits; only the
 * moment changes: its outputs and decisions come during {@code tick()}, on the ticking thread.
 *
 * <p>Typical use: every 10 ms, push each connection's new samples into its session, then call
 * {@code tick()}. One thread at a time uses the group and its sessions.
 */
public final class SessionGroup {
    private final StreamingModel model;
    private final ModelInput input;
    private final KeywordSession[] sessions;
    private final KeywordSession[] active;
    private final StreamingModel.FrameStream[] streams;
    private final float[][] frames;
    private final float[][] outputs;

    /**
     * {@code size} sessions of {@code model}, each as
     * {@link KeywordSession#KeywordSession(StreamingModel, ModelInput, SpottingRule, KeywordSession.Listener)}
     * (continuous or windowed) with the listener {@code listeners.apply(i)} for session i.
     */
    public SessionGroup(StreamingModel model, int size, ModelInput input, SpottingRule rule,
                        IntFunction<? extends KeywordSession.Listener> listeners) {
        if (size < 1) throw new IllegalArgumentException("a session group needs at least one session, got " + size);
        this.model = Objects.requireNonNull(model, "model");
        this.input = Objects.requireNonNull(input, "input");
        sessions = new KeywordSession[size];
        for (int i = 0; i < size; i++) sessions[i] = new KeywordSession(model, input, rule, listeners.apply(i), true);
        active = new KeywordSession[size];
        streams = new StreamingModel.FrameStream[size];
        frames = new float[size][];
        outputs = new float[size][];
    }

    /** Sessions in the group. */
    public int size() {
        return sessions.length;
    }

    /** Session {@code i}: push its samples, {@link KeywordSession#finish()} or {@link KeywordSession#reset()} it as usual. */
    public KeywordSession session(int i) {
        return sessions[i];
    }

    /**
     * Puts a fresh session with {@code rule} and {@code listener} in place of session {@code i} (whose
     * waiting samples and frames are dropped), for a new stream with rules of its own: a server's
     * connection that chose its keywords. Allocates; meant for when a stream starts.
     *
     * @return the new session
     */
    public KeywordSession replace(int i, SpottingRule rule, KeywordSession.Listener listener) {
        Objects.checkIndex(i, sessions.length);
        return sessions[i] = new KeywordSession(model, input, rule, listener, true);
    }

    /**
     * Steps every frame waiting in the sessions, oldest first; returns the number of frames stepped.
     * Round r steps the r-th waiting frame of each session that has one, all together.
     */
    public int tick() {
        Parallel.forEach(sessions.length, i -> sessions[i].extractFeatures());
        int total = 0;
        while (true) {
            int n = 0;
            for (KeywordSession s : sessions) {
                float[] x = s.nextPending();
                if (x == null) continue;
                active[n] = s;
                streams[n] = s.stream();
                frames[n++] = x;
            }
            if (n == 0) return total;
            model.stepAll(streams, frames, outputs, n);
            int ending = 0;
            for (int i = 0; i < n; i++) {
                if (active[i].stepped(outputs[i])) {
                    active[ending] = active[i];
                    streams[ending++] = active[i].stream();
                }
            }
            if (ending > 0) {
                List<List<float[]>> rest = model.flushAll(streams, ending);
                for (int i = 0; i < ending; i++) active[i].endWindow(rest.get(i));
            }
            total += n;
        }
    }
}
