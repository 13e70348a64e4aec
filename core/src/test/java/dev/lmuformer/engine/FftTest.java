package dev.lmuformer.engine;

import dev.lmuformer.nn.CausalConvolution;
import dev.lmuformer.testing.TensorAssert;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FftTest {
    private static float[] random(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    @Test
    void complexTransformMatchesTheDft() {
        Random rnd = new Random(1);
        for (int n : new int[] {1, 2, 4, 8, 64, 512}) {
            float[] re = random(rnd, n);
            float[] im = random(rnd, n);
            float[] expRe = new float[n];
            float[] expIm = new float[n];
            for (int k = 0; k < n; k++) {
                double sr = 0, si = 0;
                for (int j = 0; j < n; j++) {
                    double a = -2 * Math.PI * ((long) j * k % n) / n;
                    sr += re[j] * Math.cos(a) - im[j] * Math.sin(a);
                    si += re[j] * Math.sin(a) + im[j] * Math.cos(a);
                }
                expRe[k] = (float) sr;
                expIm[k] = (float) si;
            }
            float[] r2 = re.clone();
            float[] i2 = im.clone();
            Fft fft = Fft.of(n);
            fft.forward(r2, i2);
            TensorAssert.assertTensorClose("re n=" + n, expRe, r2, 1e-6);
            TensorAssert.assertTensorClose("im n=" + n, expIm, i2, 1e-6);
            fft.inverse(r2, i2);
            TensorAssert.assertTensorClose("inverse re n=" + n, re, r2, 1e-6);
            TensorAssert.assertTensorClose("inverse im n=" + n, im, i2, 1e-6);
        }
    }

    @Test
    void realTransformMatchesTheComplexOneAndInverts() {
        Random rnd = new Random(2);
        for (int n : new int[] {1, 2, 4, 16, 128, 1024}) {
            for (int len : new int[] {2 * n, Math.max(1, n + 1)}) {
                float[] x = random(rnd, len);
                float[] re = new float[2 * n];
                float[] im = new float[2 * n];
                System.arraycopy(x, 0, re, 0, len);
                Fft.of(2 * n).forward(re, im);
                float[] xr = new float[n + 1];
                float[] xi = new float[n + 1];
                Fft fft = Fft.of(n);
                fft.rfft(x, len, xr, xi);
                float[] expRe = new float[n + 1];
                float[] expIm = new float[n + 1];
                System.arraycopy(re, 0, expRe, 0, n + 1);
                System.arraycopy(im, 0, expIm, 0, n + 1);
                TensorAssert.assertTensorClose("rfft re n=" + n, expRe, xr, 1e-6);
                TensorAssert.assertTensorClose("rfft im n=" + n, expIm, xi, 1e-6);
                float[] back = new float[2 * n];
                fft.irfft(xr, xi, back);
                float[] padded = new float[2 * n];
                System.arraycopy(x, 0, padded, 0, len);
                TensorAssert.assertTensorClose("irfft n=" + n, padded, back, 1e-6);
            }
        }
    }

    @Test
    void convolutionLengthIsAPowerOfTwoAtLeastTwiceN() {
        assertEquals(2, CausalConvolution.convolutionLength(1));
        assertEquals(256, CausalConvolution.convolutionLength(128));
        assertEquals(256, CausalConvolution.convolutionLength(100));
        assertEquals(2048, CausalConvolution.convolutionLength(784));
        assertThrows(IllegalArgumentException.class, () -> Fft.of(12));
    }

    /** m_t = Σ_{j≤t} H[:, t-j] u_j in double: the reference for the FFT convolution. */
    private static float[] direct(float[] u, float[] h, int batch, int n, int d) {
        float[] m = new float[batch * n * d];
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < n; t++)
                for (int i = 0; i < d; i++) {
                    double s = 0;
                    for (int j = 0; j <= t; j++) s += (double) h[i * n + t - j] * u[b * n + j];
                    m[(b * n + t) * d + i] = (float) s;
                }
        return m;
    }

    @Test
    void causalConvolutionMatchesTheDirectSumAndItsAdjoint() {
        Random rnd = new Random(3);
        int[][] cases = {{2, 128, 32}, {3, 100, 21}, {1, 1, 3}, {2, 7, 17}, {1, 784, 5}};
        for (int[] c : cases) {
            int batch = c[0], n = c[1], d = c[2];
            float[] u = random(rnd, batch * n);
            float[] h = random(rnd, d * n);
            int bins = CausalConvolution.convolutionLength(n) / 2 + 1;
            float[] hRe = new float[d * bins];
            float[] hIm = new float[d * bins];
            CausalConvolution.rowSpectra(h, d, n, hRe, hIm);
            float[] m = new float[batch * n * d];
            CausalConvolution.causalConvolve(u, batch, n, d, hRe, hIm, m);
            String label = "B=" + batch + " N=" + n + " d=" + d;
            TensorAssert.assertTensorClose("conv " + label, direct(u, h, batch, n, d), m, 2e-6);

            // <m(u), g> = <u, adjoint(g)> for the exact maps; compare the adjoint with its direct sum.
            float[] g = random(rnd, batch * n * d);
            float[] du = new float[batch * n];
            CausalConvolution.causalConvolveAdjoint(g, batch, n, d, hRe, hIm, du);
            float[] expected = new float[batch * n];
            for (int b = 0; b < batch; b++)
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int t = j; t < n; t++)
                        for (int i = 0; i < d; i++) s += (double) h[i * n + t - j] * g[(b * n + t) * d + i];
                    expected[b * n + j] = (float) s;
                }
            TensorAssert.assertTensorClose("adjoint " + label, expected, du, 2e-6);
        }
    }
}
