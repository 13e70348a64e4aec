package dev.lmuformer.nn;

import dev.lmuformer.engine.Kernels;
import dev.lmuformer.engine.Parallel;

/**
 * Row-wise helpers over channels-last activations {@code [R, C]} (R = batch × frames rows):
 * column reductions in double precision, bias rows, residual adds.
 */
public final class Ops {
    private static final int GRAIN = 256;

    private Ops() {
    }

    /** {@code out[c] += Σ_r x[r·C + c]}, summed in double per thread, then combined. */
    public static void addColumnSums(float[] x, int rows, int cols, float[] out) {
        double[] sums = columnSums(x, null, rows, cols);
        for (int c = 0; c < cols; c++) out[c] += (float) sums[c];
    }

    /**
     * Column sums of {@code x} (or of the product {@code x·y} elementwise when y is not null), in
     * double precision.
     */
    public static double[] columnSums(float[] x, float[] y, int rows, int cols) {
        int chunks = Math.max(1, Math.min(Parallel.threads(), rows / GRAIN));
        double[][] partial = new double[chunks][cols];
        Parallel.forEach(chunks, t -> {
            double[] s = partial[t];
            int from = (int) ((long) rows * t / chunks), to = (int) ((long) rows * (t + 1) / chunks);
            for (int r = from; r < to; r++) {
                int o = r * cols;
                if (y == null) {
                    for (int c = 0; c < cols; c++) s[c] += x[o + c];
                } else {
                    for (int c = 0; c < cols; c++) s[c] += (double) x[o + c] * y[o + c];
                }
            }
        });
        for (int t = 1; t < chunks; t++) {
            for (int c = 0; c < cols; c++) partial[0][c] += partial[t][c];
        }
        return partial[0];
    }

    /** Adds {@code bias[c]} to every row of {@code y [R, C]}. */
    public static void addBias(float[] y, int rows, int cols, float[] bias) {
        Kernels k = Kernels.get();
        Parallel.forChunks(rows, GRAIN, (from, to) -> {
            for (int r = from; r < to; r++) k.axpy(cols, 1f, bias, 0, y, r * cols);
        });
    }

    /** {@code y[i] = a[i] + b[i]} for i &lt; n. */
    public static void add(float[] a, float[] b, float[] y, int n) {
        Parallel.forChunks(n, 1 << 14, (from, to) -> {
            for (int i = from; i < to; i++) y[i] = a[i] + b[i];
        });
    }

    /** {@code y[i] += x[i]} for i &lt; n. */
    public static void addInto(float[] x, float[] y, int n) {
        Parallel.forChunks(n, 1 << 14, (from, to) -> {
            for (int i = from; i < to; i++) y[i] += x[i];
        });
    }

    /** Returns {@code buf} with its first n values set to zero, or a new zeroed array if it is too small. */
    public static float[] zeroed(float[] buf, int n) {
        if (buf == null || buf.length < n) return new float[n];
        java.util.Arrays.fill(buf, 0, n, 0f);
        return buf;
    }

    /** Returns {@code buf} if it holds at least n values, else a new zeroed array of n. */
    public static float[] ensure(float[] buf, int n) {
        return buf != null && buf.length >= n ? buf : new float[n];
    }
}
