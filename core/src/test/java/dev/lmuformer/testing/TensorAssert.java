package dev.lmuformer.testing;

import static org.junit.jupiter.api.Assertions.fail;

/** Tensor comparisons that report the worst element and the first mismatches. */
public final class TensorAssert {
    private TensorAssert() {
    }

    /** Largest absolute value (at least the smallest normal float, so it can divide). */
    public static double maxAbs(float[] x) {
        double m = 0;
        for (float v : x) m = Math.max(m, Math.abs(v));
        return Math.max(m, Float.MIN_NORMAL);
    }

    /** Largest |expected − actual| divided by max|expected|. */
    public static double relError(float[] expected, float[] actual) {
        if (expected.length != actual.length) return Double.POSITIVE_INFINITY;
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs((double) expected[i] - actual[i]);
            if (Double.isNaN(d)) return Double.POSITIVE_INFINITY;
            worst = Math.max(worst, d);
        }
        return worst / maxAbs(expected);
    }

    /**
     * Fails unless every element is within {@code tol · max|expected|} of the expected value.
     * The message names the worst element and lists the first mismatches.
     */
    public static void assertTensorClose(String label, float[] expected, float[] actual, double tol) {
        if (expected.length != actual.length) {
            fail(label + ": length " + actual.length + " != expected " + expected.length);
        }
        double scale = maxAbs(expected);
        double worst = -1;
        int worstAt = -1;
        int bad = 0;
        StringBuilder first = new StringBuilder();
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs((double) expected[i] - actual[i]);
            if (Double.isNaN(d)) d = Double.POSITIVE_INFINITY;
            if (d > worst) {
                worst = d;
                worstAt = i;
            }
            if (d > tol * scale) {
                if (bad < 5) first.append(String.format(" [%d] exp %.7g got %.7g;", i, expected[i], actual[i]));
                bad++;
            }
        }
        if (bad > 0) {
            fail(String.format("%s: %d of %d elements off by more than %.1e x %.4g; worst [%d] exp %.7g got %.7g (rel %.3e); first:%s",
                    label, bad, expected.length, tol, scale, worstAt, expected[worstAt], actual[worstAt], worst / scale, first));
        }
    }
}
