package dev.lmuformer.data.speech;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Moments of the Beta and Gamma samplers against their closed forms, and reproducibility. */
class BetaTest {
    private static final int N = 40_000;

    @Test
    void beta10x10HasTheRightMeanVarianceAndRange() {
        SplittableRandom rng = new SplittableRandom(3);
        double[] x = new double[N];
        for (int i = 0; i < N; i++) {
            x[i] = Beta.sample(rng, 10, 10);
            assertTrue(x[i] > 0 && x[i] < 1, "λ in (0, 1): " + x[i]);
        }
        double mean = mean(x);
        double var = variance(x, mean);
        // Beta(a, b): mean a/(a+b) = 0.5, variance ab / ((a+b)²(a+b+1)) = 1/84.
        assertEquals(0.5, mean, 5 * Math.sqrt(1.0 / 84 / N));
        assertEquals(1.0 / 84, var, 0.04 / 84);
        int below = 0;
        for (double v : x) if (v < 0.3) below++;
        // P(λ < 0.3) for Beta(10, 10) is 0.03255; a wrong shape (e.g. Beta(5, 5): 0.0988) fails this.
        assertEquals(0.03255, (double) below / N, 0.004);
    }

    @Test
    void skewedBetaAndGammaMoments() {
        SplittableRandom rng = new SplittableRandom(5);
        double[] b = new double[N];
        for (int i = 0; i < N; i++) b[i] = Beta.sample(rng, 2, 6);
        assertEquals(0.25, mean(b), 0.003);
        for (double shape : new double[] {0.5, 1, 3, 10}) {
            double[] g = new double[N];
            for (int i = 0; i < N; i++) g[i] = Beta.gamma(rng, shape);
            double m = mean(g);
            // Gamma(k, 1): mean k, variance k.
            assertEquals(shape, m, 5 * Math.sqrt(shape / N), "mean of Gamma(" + shape + ")");
            assertEquals(shape, variance(g, m), 0.05 * shape, "variance of Gamma(" + shape + ")");
        }
        assertThrows(IllegalArgumentException.class, () -> Beta.gamma(rng, 0));
    }

    @Test
    void sameSeedSameDraws() {
        SplittableRandom a = new SplittableRandom(11);
        SplittableRandom b = new SplittableRandom(11);
        for (int i = 0; i < 100; i++) assertEquals(Beta.sample(a, 10, 10), Beta.sample(b, 10, 10));
    }

    private static double mean(double[] x) {
        double s = 0;
        for (double v : x) s += v;
        return s / x.length;
    }

    private static double variance(double[] x, double mean) {
        double s = 0;
        for (double v : x) s += (v - mean) * (v - mean);
        return s / (x.length - 1);
    }
}
