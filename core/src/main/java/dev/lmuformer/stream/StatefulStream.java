package dev.lmuformer.stream;

import java.util.List;

/**
 * A {@link StreamingModel} whose streams are explicit state objects: the model holds immutable
 * weights, each {@code S} one stream's state, so one model serves any number of streams, from any
 * threads, as long as each state is stepped by one thread at a time. Subclasses supply the
 * per-frame work; the bookkeeping (counts, flush once, reset) and {@link #open()} live here.
 *
 * @param <S> the per-stream state
 */
abstract class StatefulStream<S extends StatefulStream.Progress> implements StreamingModel {

    /** What every stream state counts. */
    abstract static class Progress {
        long pushed;
        long emitted;
        boolean flushed;

        /** Frames pushed so far. */
        public long pushed() {
            return pushed;
        }

        /** Outputs produced so far; the next one is for frame {@code emitted()}. */
        public long emitted() {
            return emitted;
        }
    }

    /**
     * A fresh stream state (before its first frame) whose readout averages the features of the last
     * {@code readoutWindow} frames, or of every frame for 0 (see {@link StreamingModel#open(int)});
     * all its memory is allocated here.
     */
    public abstract S newState(int readoutWindow);

    /** A fresh stream state with the parallel model's readout: the mean over every frame so far. */
    public final S newState() {
        return newState(0);
    }

    /** Runs one frame through the model; returns the logits when an output became available, else null. */
    abstract float[] advance(S s, float[] frame, int offset);

    /** Feeds the end-of-stream padding; returns the remaining outputs, oldest first (fresh arrays). */
    abstract List<float[]> drain(S s);

    /** Zeroes the model-specific state (membranes, memories, windows, running sums). */
    abstract void clear(S s);

    /**
     * Pushes one frame {@code frame[offset … offset+F)} into {@code s}; returns the streaming-readout
     * logits of the frame {@link #lookAhead()} frames before this one when they became available, else
     * null. The array belongs to {@code s} and is overwritten by the next call. Allocates nothing.
     *
     * @throws IllegalStateException after {@link #flush}
     */
    public final float[] step(S s, float[] frame, int offset) {
        if (s.flushed) throw new IllegalStateException("stream already flushed; reset it first");
        s.pushed++;
        return advance(s, frame, offset);
    }

    /**
     * Pushes {@code count} frames {@code frames [count, F]} (from index 0) and writes each available output
     * row consecutively into {@code logitsOut} (room for {@code count · classes} suffices); returns the rows written.
     */
    public final int push(S s, float[] frames, int count, float[] logitsOut) {
        int f = inputFeatures(), k = numClasses();
        int rows = 0;
        for (int i = 0; i < count; i++) {
            float[] y = step(s, frames, i * f);
            if (y != null) System.arraycopy(y, 0, logitsOut, rows++ * k, k);
        }
        return rows;
    }

    /**
     * Ends the stream as the parallel model ends a sequence (zero padding where it pads) and returns
     * the remaining (at most {@link #lookAhead()}) outputs, oldest first, as fresh arrays.
     *
     * @throws IllegalStateException when already flushed
     */
    public final List<float[]> flush(S s) {
        if (s.flushed) throw new IllegalStateException("stream already flushed; reset it first");
        s.flushed = true;
        return drain(s);
    }

    /** Clears {@code s} for a new stream, reusing its memory. */
    public final void reset(S s) {
        clear(s);
        s.pushed = 0;
        s.emitted = 0;
        s.flushed = false;
    }

    @Override
    public final FrameStream open(int readoutWindow) {
        return new Handle<>(this, newState(readoutWindow));
    }

    /**
     * The state behind {@code stream}, the {@code index}-th of a group.
     *
     * @throws IllegalArgumentException if {@code stream} was not opened from this model
     */
    @SuppressWarnings("unchecked")
    final S stateOf(FrameStream stream, int index) {
        if (!(stream instanceof Handle<?> h) || h.owner != this) {
            throw new IllegalArgumentException("stream " + index + " was not opened from this model");
        }
        return (S) h.state;
    }

    /** A {@link FrameStream} over one state of {@code owner}. */
    private static final class Handle<S extends Progress> implements FrameStream {
        private final StatefulStream<S> owner;
        private final S state;

        Handle(StatefulStream<S> owner, S state) {
            this.owner = owner;
            this.state = state;
        }

        @Override
        public float[] step(float[] frame, int offset) {
            return owner.step(state, frame, offset);
        }

        @Override
        public List<float[]> flush() {
            return owner.flush(state);
        }

        @Override
        public void reset() {
            owner.reset(state);
        }

        @Override
        public long pushed() {
            return state.pushed;
        }

        @Override
        public long emitted() {
            return state.emitted;
        }
    }
}
