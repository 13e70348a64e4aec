package dev.lmuformer.engine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** erf against a slow, exact-in-double reference (series below 3, continued fraction above). */
class MathFTest {

    static double referenceErf(double x) {
        double a = Math.abs(x);
        double r;
        if (a < 3) {
            double term = a, sum = a;
            for (int n = 1; n < 200; n++) {
                term *= -a * a / n;
                sum += term / (2 * n + 1);
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            double f = 0;
            for (int n = 200; n >= 1; n--) f = n / 2.0 / (a + f);
            r = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / (a + f);
        }
        return x < 0 ? -r : r;
    }

    @Test
    void erfIsAccurateToFloat() {
        double worst = 0;
        for (int i = -80000; i <= 80000; i++) {
            float x = i * 1e-4f;
            worst = Math.max(worst, Math.abs(MathF.erf(x) - referenceErf(x)));
        }
        assertTrue(worst <= 1e-7, "worst absolute error " + worst);
        assertEquals(1f, MathF.erf(7f));
        assertEquals(-1f, MathF.erf(Float.NEGATIVE_INFINITY));
        assertTrue(Float.isNaN(MathF.erf(Float.NaN)));
        assertEquals(0f, MathF.erf(0f));
    }
}
