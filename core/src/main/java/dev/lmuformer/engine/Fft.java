package dev.lmuformer.engine;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Radix-2 fast Fourier transforms on float arrays for power-of-two sizes (the LMU memory's causal
 * convolution, {@code nn.CausalConvolution}, is built on them).
 *
 * <p>An instance is a complex transform of size n with its twiddles precomputed (in double,
 * rounded once); it also transforms real signals of length 2n through one complex transform of
 * size n. Instances are immutable and shared: every method takes its buffers from the caller, so
 * threads may use one instance at once.
 */
public final class Fft {
    private static final Map<Integer, Fft> CACHE = new ConcurrentHashMap<>();

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
}
