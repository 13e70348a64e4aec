package dev.lmuformer.nn;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The readout mean: over every frame (window 0) or a sliding window, against naive double-precision means. */
class FeatureMeanTest {

    /** {@code frames} rows of {@code width} Gaussian features with a per-channel offset, from a seed. */
    private static float[][] data(int frames, int width, long seed) {
        Random r = new Random(seed);
        float[][] x = new float[frames][width];
        for (float[] row : x) for (int j = 0; j < width; j++) row[j] = (float) (j - 1.5 + r.nextGaussian());
        return x;
    }

    /** The mean of rows {@code [from, to)} of x, channel j, summed in double. */
    private static double naive(float[][] x, int from, int to, int j) {
        double s = 0;
        for (int t = from; t < to; t++) s += x[t][j];
        return s / (to - from);
    }

    /** Checks that {@code got} is the mean of rows {@code [from, to)}, to 1e-6 of the data's scale. */
    private static void assertMean(String label, float[][] x, int from, int to, float[] got, int off, double scale) {
        for (int j = 0; j < x[0].length; j++) {
            double expected = naive(x, from, to, j);
            assertEquals(expected, got[off + j], 1e-6 * Math.max(scale, Math.abs(expected)), label + ", channel " + j);
        }
    }

    @Test
    void windowZeroIsTheRunningMean() {
        int width = 5;
        float[][] x = data(500, width, 1);
        FeatureMean mean = new FeatureMean(width, 0);
        assertEquals(0, mean.window());
        float[] out = new float[3 + width];
        for (int t = 0; t < x.length; t++) {
            mean.add(x[t], 0, out, 3);
            assertMean("frame " + t, x, 0, t + 1, out, 3, 4);
        }
    }

    @ParameterizedTest(name = "width {0}, window {1}")
    @CsvSource({"5, 1", "5, 7", "3, 128", "1, 2"})
    void aSlidingWindowIsTheMeanOfTheLastFrames(int width, int window) {
        int frames = 10 * window + 7;
        float[][] x = data(frames, width, 2);
        FeatureMean mean = new FeatureMean(width, window);
        assertEquals(window, mean.window());
        float[] in = new float[2 + width];
        float[] out = new float[width];
        for (int t = 0; t < frames; t++) {
            System.arraycopy(x[t], 0, in, 2, width); // read from an offset
            mean.add(in, 2, out, 0);
            assertMean("frame " + t, x, Math.max(0, t + 1 - window), t + 1, out, 0, 4);
        }
    }

    @Test
    void untilTheRingIsFullTheSlidingMeanIsTheRunningMeanBitForBit() {
        int width = 6, window = 50;
        float[][] x = data(window, width, 3);
        FeatureMean running = new FeatureMean(width, 0), sliding = new FeatureMean(width, window);
        float[] a = new float[width], b = new float[width];
        for (int t = 0; t < window; t++) {
            running.add(x[t], 0, a, 0);
            sliding.add(x[t], 0, b, 0);
            assertArrayEquals(a, b, "frame " + t);
        }
    }

    /**
     * Huge features, then ordinary ones for many windows: subtracting the huge ones as they leave
     * the window loses the small ones' low bits; the sum recomputed at each wrap must forget that.
     */
    @Test
    void aLongStreamDoesNotDrift() {
        int width = 4, window = 16;
        Random r = new Random(4);
        int huge = 10 * window, ordinary = 1000 * window + 3;
        float[][] x = new float[huge + ordinary][width];
        for (int t = 0; t < x.length; t++) {
            for (int j = 0; j < width; j++) {
                x[t][j] = t < huge ? (float) ((r.nextBoolean() ? 1 : -1) * 1e12 * (1 + r.nextDouble())) : (float) r.nextDouble();
            }
        }
        FeatureMean mean = new FeatureMean(width, window);
        float[] out = new float[width];
        for (int t = 0; t < x.length; t++) {
            mean.add(x[t], 0, out, 0);
            // from the first wrap whose window holds no huge feature on
            if (t >= huge + window) assertMean("frame " + t, x, t + 1 - window, t + 1, out, 0, 0.5);
        }
        assertMean("the last frame", x, x.length - window, x.length, out, 0, 0.5);
    }

    @Test
    void clearStartsAgain() {
        int width = 3, window = 9;
        float[][] x = data(40, width, 5), y = data(25, width, 6);
        FeatureMean used = new FeatureMean(width, window), fresh = new FeatureMean(width, window);
        float[] a = new float[width], b = new float[width];
        for (float[] row : x) used.add(row, 0, a, 0);
        used.clear();
        for (int t = 0; t < y.length; t++) {
            used.add(y[t], 0, a, 0);
            fresh.add(y[t], 0, b, 0);
            assertArrayEquals(b, a, "frame " + t + " after clear()");
        }
        FeatureMean all = new FeatureMean(width, 0);
        for (float[] row : x) all.add(row, 0, a, 0);
        all.clear();
        all.add(y[0], 0, a, 0);
        assertArrayEquals(y[0], a, "the running mean of one frame after clear() is that frame");
    }

    @Test
    void aNegativeWindowIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new FeatureMean(4, -1));
    }
}
