package dev.lmuformer.nn;

import java.util.Arrays;

/**
 * The mean of the features the streaming readout feeds to the head: over every frame since the
 * stream started (window 0: the parallel model's {@code all_seq} readout, REFERENCE §4), or over
 * the last {@code window} frames only (continuous keyword spotting: a stream that is never reset
 * keeps a readout of the same length as a training clip). O(1) per frame: the sliding form keeps
 * the last {@code window} features in a ring and adds the newest while subtracting the oldest; the
 * double-precision sum is recomputed from the ring each time the ring wraps, so rounding cannot
 * drift over an unbounded stream. Allocates nothing after construction.
 */
public final class FeatureMean implements FrameState {
    private final int width;
    private final int window;
    private final double[] sum;  // (C)
    private final float[] ring;  // (window, C) the last window features, oldest at next; null for the running mean
    private long count;
    private int next;

    /** A mean of {@code width} features over the last {@code window} frames, or all of them for window 0. */
    public FeatureMean(int width, int window) {
        if (window < 0) throw new IllegalArgumentException("readout window must not be negative, got " + window);
        this.width = width;
        this.window = window;
        sum = new double[width];
        ring = window == 0 ? null : new float[window * width];
    }

    /** Frames the mean covers at most; 0 for all frames. */
    public int window() {
        return window;
    }

    /** Adds {@code x[xOff …]} as the newest frame and writes the mean into {@code mean[meanOff …]}. */
    public void add(float[] x, int xOff, float[] mean, int meanOff) {
        count++;
        if (ring == null) {
            for (int j = 0; j < width; j++) {
                sum[j] += x[xOff + j];
                mean[meanOff + j] = (float) (sum[j] / count);
            }
            return;
        }
        int at = next * width;
        boolean full = count > window;
        for (int j = 0; j < width; j++) {
            if (full) sum[j] -= ring[at + j];
            sum[j] += x[xOff + j];
            ring[at + j] = x[xOff + j];
        }
        if (++next == window) {
            next = 0;
            if (full) resum(); // the ring now runs oldest to newest from row 0
        }
        double n = Math.min(count, window);
        for (int j = 0; j < width; j++) mean[meanOff + j] = (float) (sum[j] / n);
    }

    /** Recomputes the sum from the ring, oldest row first. */
    private void resum() {
        Arrays.fill(sum, 0.0);
        for (int r = 0; r < window; r++) {
            for (int j = 0; j < width; j++) sum[j] += ring[r * width + j];
        }
    }

    /** Forgets every frame. */
    @Override
    public void clear() {
        Arrays.fill(sum, 0.0);
        if (ring != null) Arrays.fill(ring, 0f);
        count = 0;
        next = 0;
    }
}
