package dev.lmuformer.engine;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static dev.lmuformer.testing.TensorAssert.assertTensorClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The chosen kernels against the scalar reference, at lengths that are not multiples of the vector width. */
@Tag("kernels")
class KernelsTest {
    private final Kernels fast = Kernels.get();
    private final Kernels reference = new ScalarKernels();
    private final Random rnd = new Random(17);

    private float[] random(int n, double scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (rnd.nextGaussian() * scale);
        return x;
    }

    @Test
    void elementwiseKernelsAgreeWithScalar() {
        for (int n : new int[] {1, 7, 16, 33, 100, 1000}) {
            float[] x = random(n + 3, 1), y = random(n + 3, 1), scale = random(n, 1), shift = random(n, 1);
            assertEquals(reference.dot(n, x, 3, y, 3), fast.dot(n, x, 3, y, 3), 1e-4 * n, "dot n=" + n);
            float[] a1 = y.clone(), a2 = y.clone();
            reference.axpy(n, 0.7f, x, 3, a1, 3);
            fast.axpy(n, 0.7f, x, 3, a2, 3);
            assertTensorClose("axpy", a1, a2, 1e-6);
            float[] p1 = y.clone(), p2 = y.clone();
            reference.add(n, x, 3, p1, 3);
            fast.add(n, x, 3, p2, 3);
            assertTensorClose("add", p1, p2, 0);
            float[] one = y.clone();
            fast.axpy(n, 1f, x, 3, one, 3);
            assertTensorClose("add = axpy with alpha 1", one, p2, 0);
            float[] s1 = new float[n + 3], s2 = new float[n + 3];
            reference.scaleShift(n, x, 3, scale, shift, s1, 3);
            fast.scaleShift(n, x, 3, scale, shift, s2, 3);
            assertTensorClose("scaleShift", s1, s2, 1e-6);
            for (boolean accumulate : new boolean[] {true, false}) {
                float[] d1 = y.clone(), d2 = y.clone(), expected = y.clone();
                for (int i = 3; i < n + 3; i++) expected[i] = (accumulate ? y[i] : 0f) + (x[i] > 0 ? y[i] : 0f);
                reference.reluBackward(n, x, y, d1, 3, accumulate);
                fast.reluBackward(n, x, y, d2, 3, accumulate);
                assertTensorClose("reluBackward scalar accumulate=" + accumulate, expected, d1, 0);
                assertTensorClose("reluBackward accumulate=" + accumulate, expected, d2, 0);
            }
        }
    }

    @Test
    void lifStepIsExactAndItsBackwardFollowsTheSurrogate() {
        for (int n : new int[] {1, 15, 16, 37, 512}) {
            float vth = n % 2 == 0 ? 1f : 0.5f;
            float[] x = random(n + 2, 1.5), v = random(n, 1), h1 = new float[n], h2 = new float[n], s1 = new float[n + 2];
            float[] v1 = v.clone(), v2 = v.clone();
            int fired1 = reference.lifStep(n, vth, x, 2, v1, 0, h1, 0, s1, 2);
            float[] inPlace = x.clone(); // the streaming models write the spikes over their input
            int fired2 = fast.lifStep(n, vth, inPlace, 2, v2, 0, h2, 0, inPlace, 2);
            int expected = 0;
            for (int i = 0; i < n; i++) {
                float hi = v[i] + (x[i + 2] - v[i]) / 2;
                boolean fire = hi - vth >= 0;
                if (fire) expected++;
                assertEquals(hi, h1[i], 0, "scalar membrane");
                assertEquals(fire ? 0f : hi, v1[i], 0, "scalar reset");
                assertEquals(fire ? 1f : 0f, s1[i + 2], 0, "scalar spike");
            }
            assertEquals(expected, fired1, "scalar count n=" + n);
            assertEquals(expected, fired2, "count n=" + n);
            assertTensorClose("membranes", h1, h2, 0);
            assertTensorClose("reset membranes", v1, v2, 0);
            for (int i = 0; i < n; i++) assertEquals(s1[i + 2], inPlace[i + 2], 0, "spike written over its input");

            float[] h = random(n + 1, 2);
            float[] special = {vth, vth + 1e-7f, vth - 1e-7f, 30f, -30f, 1e4f, -1e4f};
            System.arraycopy(special, 0, h, 1, Math.min(n, special.length));
            float[] dS = random(n + 1, 1), dv = random(n + 3, 1), dx1 = random(n + 1, 1), dx2 = dx1.clone(), dv1 = dv.clone(), dv2 = dv.clone();
            reference.lifBackward(n, vth, h, dS, dx1, 1, dv1, 3);
            fast.lifBackward(n, vth, h, dS, dx2, 1, dv2, 3);
            for (int i = 0; i < n; i++) {
                double z = h[i + 1] - vth, sg = 1 / (1 + Math.exp(-4 * z));
                double dh = dS[i + 1] * 4 * sg * (1 - sg) + (z >= 0 ? 0 : dv[i + 3]);
                assertEquals(dh / 2, dv1[i + 3], 1e-6 * Math.max(1, Math.abs(dh)), "scalar carried gradient at z=" + z);
                assertEquals(dh / 2, dv2[i + 3], 1e-6 * Math.max(1, Math.abs(dh)), "carried gradient at z=" + z);
                assertEquals(dx1[i + 1], dx2[i + 1], 1e-6 * Math.max(1, Math.abs(dx1[i + 1])), "input gradient at z=" + z);
            }
        }
    }

    @Test
    void geluAndItsSlopeAgreeWithTheExactForms() {
        int n = 4099;
        float[] x = random(n, 3);
        float[] special = {0f, -0f, 1.4142135f, -1.4142135f, 1.5f, 8.5f, -8.5f, 30f, -30f, 1e-30f};
        System.arraycopy(special, 0, x, 0, special.length);
        float[] y1 = new float[n], y2 = new float[n], s1 = new float[n], s2 = new float[n];
        reference.gelu(n, x, y1, s1, 0);
        fast.gelu(n, x, y2, s2, 0);
        for (int i = 0; i < n; i++) {
            double v = x[i], cdf = 0.5 * (1 + MathFTest.reference(v / Math.sqrt(2)));
            double slope = cdf + v * Math.exp(-0.5 * v * v) / Math.sqrt(2 * Math.PI);
            assertEquals(v * cdf, y1[i], 3e-7 * Math.max(1, Math.abs(v)), "scalar gelu at " + v);
            assertEquals(v * cdf, y2[i], 3e-7 * Math.max(1, Math.abs(v)), "gelu at " + v);
            assertEquals(slope, s1[i], 1e-6 * Math.max(1, Math.abs(v)), "scalar slope at " + v);
            assertEquals(slope, s2[i], 1e-6 * Math.max(1, Math.abs(v)), "slope at " + v);
        }
        float[] dy = random(n, 1);
        for (boolean accumulate : new boolean[] {true, false}) {
            float[] m1 = random(n, 1), m2 = m1.clone(), expected = m1.clone();
            for (int i = 0; i < n; i++) expected[i] = (accumulate ? m1[i] : 0f) + dy[i] * s1[i];
            reference.multiply(n, dy, s1, m1, 0, accumulate);
            fast.multiply(n, dy, s1, m2, 0, accumulate);
            assertTensorClose("scalar multiply accumulate=" + accumulate, expected, m1, 1e-6);
            assertTensorClose("multiply accumulate=" + accumulate, expected, m2, 1e-6);
        }
        float[] nan = {Float.NaN};
        fast.gelu(1, nan, y2, s2, 0);
        assertTrue(Float.isNaN(y2[0]) && Float.isNaN(s2[0]));
    }

    @Test
    void microTileReadsAInPlaceOrPacked() {
        Assumptions.assumeTrue(fast.mr() > 0);
        int mr = fast.mr(), nr = fast.nr(), kc = 37;
        float[] a = random(mr * kc, 1), bp = random(kc * nr, 1);
        float[] packed = new float[mr * kc];
        for (int r = 0; r < mr; r++) for (int p = 0; p < kc; p++) packed[p * mr + r] = a[r * kc + p];
        float[] expected = new float[mr * nr];
        for (int r = 0; r < mr; r++) {
            for (int j = 0; j < nr; j++) {
                double s = 1;
                for (int p = 0; p < kc; p++) s += (double) a[r * kc + p] * bp[p * nr + j];
                expected[r * nr + j] = (float) s;
            }
        }
        float[] c1 = new float[mr * nr], c2 = new float[mr * nr];
        java.util.Arrays.fill(c1, 1f);
        java.util.Arrays.fill(c2, 1f);
        fast.microTile(kc, a, 0, kc, 1, bp, 0, c1, 0, nr);
        fast.microTile(kc, packed, 0, 1, mr, bp, 0, c2, 0, nr);
        assertTensorClose("in place", expected, c1, 1e-5);
        assertTensorClose("packed", expected, c2, 1e-5);
    }

    @Test
    void microRowGivesTheBitsOfATileRow() {
        for (Kernels kern : new Kernels[] {fast, reference}) {
            int mr = kern.mr(), nr = kern.nr(), kc = 41;
            float[] a = random(mr * kc, 1), bp = random(kc * nr, 1);
            float[] tile = random(mr * nr, 1);
            float[] rows = tile.clone();
            kern.microTile(kc, a, 0, kc, 1, bp, 0, tile, 0, nr);
            for (int r = 0; r < mr; r++) kern.microRow(kc, a, r * kc, 1, bp, 0, rows, r * nr);
            org.junit.jupiter.api.Assertions.assertArrayEquals(tile, rows, kern.name());
        }
    }
}
