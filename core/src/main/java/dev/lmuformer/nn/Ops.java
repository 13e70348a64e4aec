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
        return columnReductions(rows, cols, 1, (from, to, sums) -> {
            double[] s = sums[0];
            for (int r = from; r < to; r++) {
                int o = r * cols;
                for (int c = 0; c < cols; c++) s[c] += x[o + c];
            }
        })[0];
    }

    /**
     * {@code Σ_r x[r·C + c]} and {@code Σ_r x[r·C + c]·y[r·C + c]} in one pass over both arrays, in
     * double precision, each summed as {@link #columnSums} sums.
     */
    public static double[][] columnSumsWithProducts(float[] x, float[] y, int rows, int cols) {
        return columnReductions(rows, cols, 2, (from, to, sums) -> {
            double[] s = sums[0], p = sums[1];
            for (int r = from; r < to; r++) {
                int o = r * cols;
                for (int c = 0; c < cols; c++) {
                    float v = x[o + c];
                    s[c] += v;
                    p[c] += (double) v * y[o + c];
                }
            }
        });
    }

    /** Adds one chunk of rows into per-column sums. */
    @FunctionalInterface
    interface RowReduction {
        /** Adds rows [from, to) into {@code sums[k][c]}, k &lt; the number of sums. */
        void add(int from, int to, double[][] sums);
    }

    /**
     * {@code count} per-column sums over R rows in double: the rows split into one contiguous
     * chunk per thread (at least 256 rows each), each summed into its own partial sums, which are
     * then added in chunk order — so a result depends on the thread count, never on scheduling.
     */
    static double[][] columnReductions(int rows, int cols, int count, RowReduction body) {
        int chunks = Math.max(1, Math.min(Parallel.threads(), rows / GRAIN));
        double[][][] partial = new double[chunks][count][cols];
        Parallel.forEach(chunks, t -> body.add((int) ((long) rows * t / chunks), (int) ((long) rows * (t + 1) / chunks), partial[t]));
        for (int t = 1; t < chunks; t++) {
            for (int k = 0; k < count; k++) {
                for (int c = 0; c < cols; c++) partial[0][k][c] += partial[t][k][c];
            }
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
