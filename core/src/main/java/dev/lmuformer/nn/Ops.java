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
        double[] sums = columnSums(x, rows, cols);
        for (int c = 0; c < cols; c++) out[c] += (float) sums[c];
    }

    /** Column sums of {@code x [rows, cols]} in double precision, summed per thread's rows, then combined. */
    public static double[] columnSums(float[] x, int rows, int cols) {
        int chunks = chunks(rows);
        double[][] partial = new double[chunks][cols];
        Parallel.forEach(chunks, t -> {
            double[] s = partial[t];
            int from = (int) ((long) rows * t / chunks), to = (int) ((long) rows * (t + 1) / chunks);
            for (int r = from; r < to; r++) {
                int o = r * cols;
                for (int c = 0; c < cols; c++) s[c] += x[o + c];
            }
        });
        return combine(partial, cols);
    }

    /**
     * {@code Σ_r x[r·C + c]} and {@code Σ_r x[r·C + c]·y[r·C + c]} in one pass over both arrays, in
     * double precision, each summed as {@link #columnSums} sums.
     */
    public static double[][] columnSumsWithProducts(float[] x, float[] y, int rows, int cols) {
        int chunks = chunks(rows);
        double[][] plain = new double[chunks][cols];
        double[][] products = new double[chunks][cols];
        Parallel.forEach(chunks, t -> {
            double[] s = plain[t], p = products[t];
            int from = (int) ((long) rows * t / chunks), to = (int) ((long) rows * (t + 1) / chunks);
            for (int r = from; r < to; r++) {
                int o = r * cols;
                for (int c = 0; c < cols; c++) {
                    float v = x[o + c];
                    s[c] += v;
                    p[c] += (double) v * y[o + c];
                }
            }
        });
        return new double[][] {combine(plain, cols), combine(products, cols)};
    }

    /** How many row chunks the column reductions split R rows into (one per thread, at least 256 rows each). */
    static int chunks(int rows) {
        return Math.max(1, Math.min(Parallel.threads(), rows / GRAIN));
    }

    /** Adds the per-chunk partial sums into the first, in chunk order. */
    static double[] combine(double[][] partial, int cols) {
        for (int t = 1; t < partial.length; t++) {
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
