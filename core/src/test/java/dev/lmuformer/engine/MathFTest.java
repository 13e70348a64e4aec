package dev.lmuformer.engine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** erf against slow references that are exact in double: a positive series and a continued fraction. */
class MathFTest {
    /** erf by the everywhere-positive series (2/√π) e^{-x²} Σ 2ⁿ x^{2n+1} / (1·3·…·(2n+1)): no cancellation. */
    private static double erfSeries(double x) {
        double term = x;
        double sum = x;
        for (int n = 0; Math.abs(term) > 1e-18 * Math.abs(sum); n++) {
            term *= 2 * x * x / (2 * n + 3);
            sum += term;
        }
        return 2 / Math.sqrt(Math.PI) * Math.exp(-x * x) * sum;
    }

    /** erfc(x), x ≥ 2, by its continued fraction e^{-x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), bottom up. */
    private static double erfcContinuedFraction(double x) {
        double f = x;
        for (int k = 400; k >= 1; k--) f = x + (k / 2.0) / f;
        return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
    }

    /** erf in double, exact to about 1e-15 everywhere (also used by the GELU kernel test). */
    static double reference(double x) {
        return x >= 3 ? 1 - erfcContinuedFraction(x) : x <= -3 ? erfcContinuedFraction(-x) - 1 : erfSeries(x);
    }

    @Test
    void referenceFormulasAgree() {
        for (double x = 2; x <= 6; x += 0.125) {
            assertEquals(1 - erfcContinuedFraction(x), erfSeries(x), 1e-15, "x=" + x);
        }
        assertEquals(0.8427007929497149, erfSeries(1), 1e-15); // erf(1), Abramowitz & Stegun Table 7.1
    }

    @Test
    void withinOneUlpAndTwoTenthsOfAMillionth() {
        double worstAbs = 0;
        double worstUlp = 0;
        int points = 0;
        // Every 97th float from 1e-30 to 8 (both signs): ~1.8e7 points covering every binade and interval.
        for (int bits = Float.floatToIntBits(1e-30f); bits <= Float.floatToIntBits(8f); bits += 97) {
            float x = Float.intBitsToFloat(bits);
            for (float v : new float[] {x, -x}) {
                double exact = reference(v);
                float got = MathF.erf(v);
                worstAbs = Math.max(worstAbs, Math.abs(got - exact));
                worstUlp = Math.max(worstUlp, Math.abs(got - exact) / Math.ulp((float) exact));
                points++;
            }
        }
        System.out.printf("MathF.erf: %d points, max abs error %.2e, max %.3f ulp%n", points, worstAbs, worstUlp);
        assertTrue(worstAbs <= 2e-7, "max abs error " + worstAbs);
        assertTrue(worstUlp <= 1, "max ulp error " + worstUlp);
    }

    @Test
    void specialValues() {
        assertEquals(0f, MathF.erf(0f));
        assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(MathF.erf(-0f)));
        assertEquals(1f, MathF.erf(Float.POSITIVE_INFINITY));
        assertEquals(-1f, MathF.erf(Float.NEGATIVE_INFINITY));
        assertEquals(1f, MathF.erf(4f));
        assertEquals(-1f, MathF.erf(-100f));
        assertTrue(Float.isNaN(MathF.erf(Float.NaN)));
        assertEquals((float) (2 / Math.sqrt(Math.PI) * Float.MIN_NORMAL), MathF.erf(Float.MIN_NORMAL));
    }
}
