package dev.lmuformer.nn;

import dev.lmuformer.engine.Parallel;

/**
 * The mean of the features over frames, per sequence, with optional lengths: x {@code [B, N, C]}
 * → y {@code [B, C]}, {@code y[b] = (1/L_b) Σ_{t<L_b} x[b, t]}. Frames from {@code L_b} on are
 * padding: they are left out of the sum and the division uses the true length L_b (a sequence of
 * length 0 pools to zeros). Sums run in double.
 */
public final class MeanPool {
    private final int width;
    private final double[] sum; // (C)
    private float[] y; // (B, C)
    private int[] lengths; // (B) of the last forward, or null for all frames
    private int batch;
    private int frames;

    /** A pool over {@code width} channels. */
    public MeanPool(int width) {
        this.width = width;
        this.sum = new double[width];
    }

    /**
     * Pools x {@code [batch, frames, C]}; {@code lengths [batch]} (each in [0, frames]) or null for
     * all frames. Returns y {@code [B, C]} (owned by this layer); lengths are kept for backward.
     */
    public float[] forward(float[] x, int batch, int frames, int[] lengths) {
        check(batch, frames, lengths);
        this.batch = batch;
        this.frames = frames;
        this.lengths = lengths;
        y = Ops.ensure(y, batch * width);
        for (int b = 0; b < batch; b++) {
            int len = length(b);
            java.util.Arrays.fill(sum, 0);
            for (int t = 0; t < len; t++) {
                int o = (b * frames + t) * width;
                for (int c = 0; c < width; c++) sum[c] += x[o + c];
            }
            for (int c = 0; c < width; c++) y[b * width + c] = len == 0 ? 0f : (float) (sum[c] / len);
        }
        return y;
    }

    /**
     * Adds into {@code dx [B, N, C]} {@code dy[b] / L_b} at every frame t &lt; L_b of the last
     * forward; the padding frames after it get nothing.
     */
    public void backward(float[] dy, float[] dx) {
        Parallel.forChunks(batch, 1, (from, to) -> {
            for (int b = from; b < to; b++) {
                int len = length(b);
                for (int t = 0; t < len; t++) {
                    int o = (b * frames + t) * width;
                    for (int c = 0; c < width; c++) dx[o + c] += dy[b * width + c] / len;
                }
            }
        });
    }

    /**
     * The running means {@code out[t, b] = mean_{j ≤ min(t, L_b − 1)} x[b, j]} into
     * {@code out [N, B, C]}: the mean a stream has after frame t (it stops growing at the end of
     * the sequence).
     */
    public void running(float[] x, int batch, int frames, int[] lengths, float[] out) {
        check(batch, frames, lengths);
        for (int b = 0; b < batch; b++) {
            int len = lengths == null ? frames : lengths[b];
            java.util.Arrays.fill(sum, 0);
            for (int t = 0; t < frames; t++) {
                int o = (b * frames + t) * width;
                int r = (t * batch + b) * width;
                if (t < len) {
                    for (int c = 0; c < width; c++) sum[c] += x[o + c];
                }
                int seen = Math.min(t + 1, len);
                for (int c = 0; c < width; c++) out[r + c] = seen == 0 ? 0f : (float) (sum[c] / seen);
            }
        }
    }

    private int length(int b) {
        return lengths == null ? frames : lengths[b];
    }

    private static void check(int batch, int frames, int[] lengths) {
        if (lengths == null) return;
        for (int b = 0; b < batch; b++) {
            if (lengths[b] < 0 || lengths[b] > frames) throw new IllegalArgumentException("length " + lengths[b] + " outside [0, " + frames + "]");
        }
    }

    /** The output of the last forward. */
    public float[] output() {
        return y;
    }
}
