package dev.lmuformer.engine;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Radix-2 fast Fourier transforms on float arrays for power-of-two sizes, and the LMU memory's
 * causal convolution built on them (REFERENCE.md §1: {@code m = irfft(rfft(u, 2N) · rfft(H, 2N))[:N]}).
 *
 * <p>An instance is a complex transform of size n with its twiddles precomputed (in double,
 * rounded once); it also transforms real signals of length 2n through one complex transform of
 * size n. Instances are immutable and shared: every method takes its buffers from the caller, so
 * threads may use one instance at once.
 */
public final class Fft {
    private static final Map<Integer, Fft> CACHE = new ConcurrentHashMap<>();
    /** Memory rows transformed together in the convolution, so its channels-last writes are contiguous. */
    private static final int ROW_GROUP = 16;

    private final int n;
    final int[] bitReverse;  // (n)
    final float[] cos;       // (n/2) cos(2πk/n)
    final float[] sin;       // (n/2) sin(2πk/n)
    final float[] halfCos;   // (n/2+1) cos(πk/n): twiddles of the real transform of length 2n
    final float[] halfSin;   // (n/2+1) sin(πk/n)

    private Fft(int n) {
        this.n = n;
        int bits = Integer.numberOfTrailingZeros(n);
        bitReverse = new int[n];
        for (int i = 0; i < n; i++) bitReverse[i] = bits == 0 ? 0 : Integer.reverse(i) >>> (32 - bits);
        cos = new float[n / 2];
        sin = new float[n / 2];
        for (int k = 0; k < n / 2; k++) {
            double a = 2 * Math.PI * k / n;
            cos[k] = (float) Math.cos(a);
            sin[k] = (float) Math.sin(a);
        }
        halfCos = new float[n / 2 + 1];
        halfSin = new float[n / 2 + 1];
        for (int k = 0; k <= n / 2; k++) {
            double a = Math.PI * k / n;
            halfCos[k] = (float) Math.cos(a);
            halfSin[k] = (float) Math.sin(a);
        }
    }

    /** The transform of complex size {@code n} (a power of two, at least 1), shared and cached. */
    public static Fft of(int n) {
        if (n < 1 || Integer.bitCount(n) != 1) throw new IllegalArgumentException("FFT size must be a power of two, got " + n);
        return CACHE.computeIfAbsent(n, Fft::new);
    }

    /** The complex size n (real transforms have length 2n and n+1 frequency bins). */
    public int size() {
        return n;
    }

    /** In place on {@code re[0..n), im[0..n)}: {@code X_k = Σ_j x_j e^{-2πi jk/n}}. */
    public void forward(float[] re, float[] im) {
        transform(re, im, -1);
    }

    /** In place on {@code re[0..n), im[0..n)}: {@code x_j = (1/n) Σ_k X_k e^{+2πi jk/n}}, the inverse of {@link #forward}. */
    public void inverse(float[] re, float[] im) {
        transform(re, im, 1);
        float scale = 1f / n;
        for (int i = 0; i < n; i++) {
            re[i] *= scale;
            im[i] *= scale;
        }
    }

    private void transform(float[] re, float[] im, int sign) {
        for (int i = 0; i < n; i++) {
            int j = bitReverse[i];
            if (j > i) {
                float t = re[i];
                re[i] = re[j];
                re[j] = t;
                t = im[i];
                im[i] = im[j];
                im[j] = t;
            }
        }
        for (int half = 1; half < n; half <<= 1) {
            int step = n / (2 * half);
            for (int start = 0; start < n; start += 2 * half) {
                for (int j = 0; j < half; j++) {
                    float wr = cos[j * step];
                    float wi = sign * sin[j * step];
                    int a = start + j;
                    int b = a + half;
                    float tr = wr * re[b] - wi * im[b];
                    float ti = wr * im[b] + wi * re[b];
                    re[b] = re[a] - tr;
                    im[b] = im[a] - ti;
                    re[a] += tr;
                    im[a] += ti;
                }
            }
        }
    }

    /**
     * Real forward transform of length 2n: {@code x[0..len)} followed by zeros (len ≤ 2n) into the
     * n+1 non-negative-frequency bins {@code re[0..n], im[0..n]} (arrays of at least n+1).
     */
    public void rfft(float[] x, int len, float[] re, float[] im) {
        if (len > 2 * n) throw new IllegalArgumentException("signal of length " + len + " longer than the transform's " + 2 * n);
        // Pack even samples as the real part and odd ones as the imaginary part of n complex values.
        for (int k = 0; k < n; k++) {
            re[k] = 2 * k < len ? x[2 * k] : 0f;
            im[k] = 2 * k + 1 < len ? x[2 * k + 1] : 0f;
        }
        forward(re, im);
        // Unpack: with Z the packed spectrum, E_k = (Z_k + conj Z_{n-k})/2 and
        // O_k = (Z_k - conj Z_{n-k})/(2i) are the spectra of the even and odd samples, and
        // X_k = E_k + e^{-iπk/n} O_k, X_{n-k} = conj(E_k - e^{-iπk/n} O_k).
        float z0r = re[0];
        float z0i = im[0];
        re[0] = z0r + z0i;
        im[0] = 0f;
        re[n] = z0r - z0i;
        im[n] = 0f;
        for (int k = 1; k <= n / 2; k++) {
            float a = re[k], b = im[k], c = re[n - k], d = im[n - k];
            float er = 0.5f * (a + c), ei = 0.5f * (b - d);
            float or = 0.5f * (b + d), oi = -0.5f * (a - c);
            float wr = halfCos[k], wi = -halfSin[k];
            float tr = wr * or - wi * oi;
            float ti = wr * oi + wi * or;
            re[k] = er + tr;
            im[k] = ei + ti;
            re[n - k] = er - tr;
            im[n - k] = -(ei - ti);
        }
    }

    /**
     * Real inverse transform of length 2n: the bins {@code re[0..n], im[0..n]} of a real signal
     * into {@code x[0..2n)}, normalised so that it inverts {@link #rfft}. The imaginary parts of
     * bins 0 and n are ignored; {@code re} and {@code im} are overwritten.
     */
    public void irfft(float[] re, float[] im, float[] x) {
        // Repack (inverse of the unpacking in rfft): E_k = (X_k + conj X_{n-k})/2,
        // O_k = e^{+iπk/n} (X_k - conj X_{n-k})/2, Z_k = E_k + i O_k.
        float x0 = re[0], xn = re[n];
        re[0] = 0.5f * (x0 + xn);
        im[0] = 0.5f * (x0 - xn);
        for (int k = 1; k <= n / 2; k++) {
            float p = re[k], q = im[k], r = re[n - k], s = im[n - k];
            float er = 0.5f * (p + r), ei = 0.5f * (q - s);
            float dr = 0.5f * (p - r), di = 0.5f * (q + s);
            float wr = halfCos[k], wi = halfSin[k];
            float or = wr * dr - wi * di;
            float oi = wr * di + wi * dr;
            re[k] = er - oi;
            im[k] = ei + or;
            re[n - k] = er + oi;
            im[n - k] = or - ei;
        }
        inverse(re, im);
        for (int k = 0; k < n; k++) {
            x[2 * k] = re[k];
            x[2 * k + 1] = im[k];
        }
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
        Fft fft = of(bins - 1);
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
        Fft fft = of(bins - 1);
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
        Fft fft = of(bins - 1);
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
