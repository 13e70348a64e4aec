package dev.lmuformer.stream;

import dev.lmuformer.model.SequenceModel;

import java.util.ArrayList;
import java.util.List;

/**
 * A model prepared for frame-by-frame inference: constant work per frame, the streaming readout
 * ("all_seq", REFERENCE §4) out. Implementations hold immutable weights and may be shared by any
 * number of {@link FrameStream}s on any threads, as long as each stream is used by one thread at a time.
 */
public interface StreamingModel {

    /** Input features per frame. */
    int inputFeatures();

    /** Logits per output. */
    int numClasses();

    /** Frames of delay: the output for frame t arrives with input frame t + lookAhead. */
    int lookAhead();

    /** A fresh stream (before its first frame) with the parallel model's readout: the head on the mean of every frame's features so far. */
    default FrameStream open() {
        return open(0);
    }

    /**
     * A fresh stream whose readout is the head on the mean of the last {@code readoutWindow} frames'
     * features (the first frames: of those so far), or of every frame for 0. A windowed readout lets
     * a stream run for ever without a reset and still average as many frames as a training clip.
     *
     * @throws IllegalArgumentException if the model's readout is not a mean of features (psMNIST)
     */
    FrameStream open(int readoutWindow);

    /**
     * Pushes {@code frames[i]} (offset 0) into {@code streams[i]} for every i &lt; count and sets
     * {@code outputs[i]} to what {@link FrameStream#step} returns, with the same bits as stepping the
     * streams one by one. The streams must be distinct and opened from this model. This default steps
     * them one after another; {@link ModelStream} steps them together, as matrix products over
     * groups of streams on the {@link dev.lmuformer.engine.Parallel} threads.
     *
     * @throws IllegalStateException if a stream is flushed
     */
    default void stepAll(FrameStream[] streams, float[][] frames, float[][] outputs, int count) {
        for (int i = 0; i < count; i++) outputs[i] = streams[i].step(frames[i], 0);
    }

    /**
     * {@link FrameStream#flush()} of {@code streams[0 … count)}: element i is stream i's remaining outputs,
     * the same as flushing it alone. This default flushes them one after another.
     *
     * @throws IllegalStateException if a stream is already flushed
     */
    default List<List<float[]>> flushAll(FrameStream[] streams, int count) {
        List<List<float[]>> rest = new ArrayList<>(count);
        for (int i = 0; i < count; i++) rest.add(streams[i].flush());
        return rest;
    }

    /**
     * The streaming form of an evaluation-mode {@code model} (its current weights and running statistics are copied):
     * a {@link ModelStream}, with spike accumulation.
     *
     * @throws IllegalArgumentException for a model that cannot stream ({@code attn_ms_conv1d}: its attention
     *                                  spans the whole sequence), saying why
     */
    static StreamingModel of(SequenceModel model) {
        return new ModelStream(model, true);
    }

    /** One stream's state. */
    interface FrameStream {

        /**
         * Pushes one frame {@code frame[offset … offset+F)}; returns the logits for frame {@link #emitted()} − 1
         * when one became available, else null. The array is the stream's own and is overwritten by the next call.
         *
         * @throws IllegalStateException after {@link #flush()}
         */
        float[] step(float[] frame, int offset);

        /** Ends the stream with the zero padding the parallel model uses; returns the remaining outputs, oldest first (fresh arrays). */
        List<float[]> flush();

        /** Clears the stream for reuse. */
        void reset();

        /** Frames pushed so far. */
        long pushed();

        /** Outputs produced so far. */
        long emitted();
    }
}
