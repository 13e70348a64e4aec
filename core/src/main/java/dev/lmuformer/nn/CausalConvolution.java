package dev.lmuformer.nn;

import dev.lmuformer.engine.Fft;
import dev.lmuformer.engine.Parallel;

import java.util.Arrays;

/**
 * The LMU memory's causal convolution through the FFT (REFERENCE.md §1:
 * {@code m = irfft(rfft(u, 2N) · rfft(H, 2N))[:N]}), its adjoint, and the spectra of the impulse
 * response it takes. Used by {@link LmuMemory} and {@link MemoryProjection}.
 */
public final class CausalConvolution {
    /** Memory rows transformed together in the convolution, so its channels-last writes are contiguous. */
    private static final int ROW_GROUP = 16;

    private CausalConvolution() {
    }

    /** The real transform length for a linear (not circular) convolution of length-n signals: the next power of two ≥ 2n. */
    public static int convolutionLength(int n) {
        if (n < 1 || n > 1 << 29) throw new IllegalArgumentException("sequence length out of range: " + n);
        return Math.max(2, Integer.highestOneBit(2 * n - 1) << 1);
    }

    /**
     * Spectra of the rows of {@code h} (row-major {@code [d, n]}), zero-padded to
     * {@link #convolutionLength}(n) = L: {@code re, im} are {@code [d, L/2+1]}.
     */
    public static void rowSpectra(float[] h, int d, int n, float[] re, float[] im) {
        int bins = convolutionLength(n) / 2 + 1;
        Fft fft = Fft.of(bins - 1);
        Parallel.forChunks(d, 8, (from, to) -> {
            float[] row = new float[n];
            float[] wr = new float[bins];
            float[] wi = new float[bins];
            for (int i = from; i < to; i++) {
                System.arraycopy(h, i * n, row, 0, n);
                fft.rfft(row, n, wr, wi);
                System.arraycopy(wr, 0, re, i * bins, bins);
                System.arraycopy(wi, 0, im, i * bins, bins);
            }
        });
    }

    /**
     * The LMU memory as a causal convolution (REFERENCE.md §1):
     * {@code m[(b*n + t)*d + i] = Σ_{j≤t} H[i, t-j] · u[b*n + j]} for drive signals {@code u}
     * {@code [batch, n]}, written channels-last into {@code m} {@code [batch, n, d]}. The rows of H
     * are given by their spectra from {@link #rowSpectra}.
     */
    public static void causalConvolve(float[] u, int batch, int n, int d, float[] hRe, float[] hIm, float[] m) {
        int len = convolutionLength(n);
        int bins = len / 2 + 1;
        Fft fft = Fft.of(bins - 1);
        float[] uRe = new float[batch * bins]; // (B, L/2+1)
        float[] uIm = new float[batch * bins];
        Parallel.forChunks(batch, 1, (from, to) -> {
            float[] x = new float[n];
            float[] wr = new float[bins];
            float[] wi = new float[bins];
            for (int b = from; b < to; b++) {
                System.arraycopy(u, b * n, x, 0, n);
                fft.rfft(x, n, wr, wi);
                System.arraycopy(wr, 0, uRe, b * bins, bins);
                System.arraycopy(wi, 0, uIm, b * bins, bins);
            }
        });
        int groups = (d + ROW_GROUP - 1) / ROW_GROUP;
        Parallel.forChunks(batch * groups, 1, (from, to) -> {
            float[] wr = new float[bins];
            float[] wi = new float[bins];
            float[] full = new float[len];
            float[] y = new float[ROW_GROUP * n]; // (rows, N)
            for (int task = from; task < to; task++) {
                int b = task / groups;
                int i0 = (task % groups) * ROW_GROUP;
                int rows = Math.min(ROW_GROUP, d - i0);
                for (int r = 0; r < rows; r++) {
                    int hOff = (i0 + r) * bins;
                    int uOff = b * bins;
                    for (int k = 0; k < bins; k++) {
                        float ar = uRe[uOff + k], ai = uIm[uOff + k];
                        float br = hRe[hOff + k], bi = hIm[hOff + k];
                        wr[k] = ar * br - ai * bi;
                        wi[k] = ar * bi + ai * br;
                    }
                    fft.irfft(wr, wi, full);
                    System.arraycopy(full, 0, y, r * n, n);
                }
                for (int t = 0; t < n; t++) {
                    int mOff = (b * n + t) * d + i0;
                    for (int r = 0; r < rows; r++) m[mOff + r] = y[r * n + t];
                }
            }
        });
    }

    /**
     * The adjoint of {@link #causalConvolve} (its backward with respect to u):
     * {@code du[b*n + j] = Σ_{t≥j} Σ_i H[i, t-j] · g[(b*n + t)*d + i]} for {@code g} {@code [batch, n, d]};
     * writes (does not add to) {@code du} {@code [batch, n]}.
     */
    public static void causalConvolveAdjoint(float[] g, int batch, int n, int d, float[] hRe, float[] hIm, float[] du) {
        int len = convolutionLength(n);
        int bins = len / 2 + 1;
        Fft fft = Fft.of(bins - 1);
        // With L ≥ 2n the circular correlation irfft(conj(Ĥ_i) · ĝ_i) has no wrap-around terms.
        Parallel.forChunks(batch, 1, (from, to) -> {
            float[] x = new float[n];
            float[] wr = new float[bins];
            float[] wi = new float[bins];
            float[] accRe = new float[bins];
            float[] accIm = new float[bins];
            float[] y = new float[len];
            for (int b = from; b < to; b++) {
                Arrays.fill(accRe, 0f);
                Arrays.fill(accIm, 0f);
                for (int i = 0; i < d; i++) {
                    for (int t = 0; t < n; t++) x[t] = g[(b * n + t) * d + i];
                    fft.rfft(x, n, wr, wi);
                    int hOff = i * bins;
                    for (int k = 0; k < bins; k++) {
                        float br = hRe[hOff + k], bi = -hIm[hOff + k];
                        accRe[k] += wr[k] * br - wi[k] * bi;
                        accIm[k] += wr[k] * bi + wi[k] * br;
                    }
                }
                fft.irfft(accRe, accIm, y);
                System.arraycopy(y, 0, du, b * n, n);
            }
        });
    }
}
