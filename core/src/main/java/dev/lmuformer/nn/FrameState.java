package dev.lmuformer.nn;

import java.util.Arrays;

/** What one stream carries for one layer from frame to frame; allocated when the stream opens. */
public interface FrameState {
    /** Returns the state to that of a fresh stream, keeping its memory. */
    void clear();

    /** A state of {@code n} floats (membranes, a memory), zero for a fresh stream. */
    final class Floats implements FrameState {
        /** The values. */
        public final float[] values;

        /** {@code n} zeros. */
        public Floats(int n) {
            values = new float[n];
        }

        @Override
        public void clear() {
            Arrays.fill(values, 0f);
        }
    }
}
