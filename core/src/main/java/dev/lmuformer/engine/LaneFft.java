package dev.lmuformer.engine;

/**
 * Real FFTs of {@link #LANES} signals at once, side by side: sample t of signal c sits at
 * {@code t·stride + c}, as the channels of a channels-last tensor do. Every butterfly then works on
 * whole rows of lanes ({@link Kernels#butterfly}), so the transform runs on vector registers with no
 * shuffles and reads and writes channels-last activations in place, without transposing them.
 *
 * <p>The arithmetic per lane is that of {@link Fft}'s real transforms (a complex transform of half
 * the length, radix 2, twiddles rounded once from double): the results are the same bits whatever
 * the vector width. An instance is immutable; each thread brings its own {@link Work}.
 */
public final class LaneFft {
    /** Signals transformed together. A constant, so that results do not depend on the machine. */
    public static final int LANES = 16;

    private final int n; // complex size; real signals have length 2n, spectra n + 1 bins
    // the twiddle and bit-reversal tables of the scalar transform of the same size: the same numbers
    private final int[] bitReverse; // (n)
    private final float[] cos;      // (n/2) cos(2πk/n)
    private final float[] sin;      // (n/2) sin(2πk/n)
    private final float[] halfCos;  // (n/2+1) cos(πk/n)
    private final float[] halfSin;  // (n/2+1) sin(πk/n)

    /** Transforms of real length {@code length} (a power of two, at least 4). */
    public LaneFft(int length) {
        if (length < 4 || Integer.bitCount(length) != 1) throw new IllegalArgumentException("FFT length must be a power of two ≥ 4, got " + length);
        n = length / 2;
        Fft tables = Fft.of(n);
        bitReverse = tables.bitReverse;
        cos = tables.cos;
        sin = tables.sin;
        halfCos = tables.halfCos;
        halfSin = tables.halfSin;
    }

    /** The real length of the signals. */
    public int length() {
        return 2 * n;
    }

    /** Frequency bins of a spectrum: length/2 + 1. */
    public int bins() {
        return n + 1;
    }

    /** Buffers for one thread's transforms. */
    public Work work() {
        return new Work(n);
    }

    /**
     * Per-thread buffers: {@link #re} and {@link #im} hold a spectrum, bin f of lane c at
     * {@code f·LANES + c}; the transform's own buffer is private.
     */
    public static final class Work {
        /** Real parts of the spectrum {@code [bins, LANES]}. */
        public final float[] re;
        /** Imaginary parts of the spectrum {@code [bins, LANES]}. */
        public final float[] im;
        private final float[] zr; // (n, LANES) the half-length complex signal
        private final float[] zi;

        private Work(int n) {
            re = new float[(n + 1) * LANES];
            im = new float[(n + 1) * LANES];
            zr = new float[n * LANES];
            zi = new float[n * LANES];
        }
    }

    /**
     * The spectra of {@code lanes} ≤ {@link #LANES} real signals into {@code w.re, w.im}: signal c
     * has samples {@code src[off + t·stride + c]} for t &lt; len (len ≤ length), zeros after; lanes
     * beyond {@code lanes} get the spectrum of zeros.
     */
    public void forward(float[] src, int off, int stride, int len, int lanes, Work w) {
        checkLanes(lanes, len);
        float[] zr = w.zr, zi = w.zi;
        // Even samples are the real part, odd ones the imaginary part, stored in bit-reversed order.
        for (int k = 0; k < n; k++) {
            int z = bitReverse[k] * LANES;
            load(src, off + 2 * k * stride, 2 * k < len, lanes, zr, z);
            load(src, off + (2 * k + 1) * stride, 2 * k + 1 < len, lanes, zi, z);
        }
        transform(zr, zi, -1f);
        // With Z the packed spectrum: E_k = (Z_k + conj Z_{n-k})/2, O_k = (Z_k − conj Z_{n-k})/(2i),
        // X_k = E_k + e^{-iπk/n} O_k and X_{n-k} = conj(E_k − e^{-iπk/n} O_k).
        float[] re = w.re, im = w.im;
        for (int c = 0; c < LANES; c++) {
            float z0r = zr[c], z0i = zi[c];
            re[c] = z0r + z0i;
            im[c] = 0f;
            re[n * LANES + c] = z0r - z0i;
            im[n * LANES + c] = 0f;
        }
        for (int k = 1; k <= n / 2; k++) {
            float wr = halfCos[k], wi = -halfSin[k];
            int p = k * LANES, q = (n - k) * LANES;
            for (int c = 0; c < LANES; c++) {
                float a = zr[p + c], b = zi[p + c], cc = zr[q + c], d = zi[q + c];
                float er = 0.5f * (a + cc), ei = 0.5f * (b - d);
                float or = 0.5f * (b + d), oi = -0.5f * (a - cc);
                float tr = wr * or - wi * oi;
                float ti = wr * oi + wi * or;
                re[p + c] = er + tr;
                im[p + c] = ei + ti;
                re[q + c] = er - tr;
                im[q + c] = -(ei - ti);
            }
        }
    }

    /**
     * The real signals whose spectra are in {@code w.re, w.im} (the imaginary parts of bins 0 and
     * n/2 ignored), samples t &lt; len of lanes c &lt; {@code lanes} written to, or added to when
     * {@code accumulate}, {@code dst[off + t·stride + c]}. Leaves the spectrum in {@code w} as it was.
     */
    public void inverse(Work w, float[] dst, int off, int stride, int len, int lanes, boolean accumulate) {
        checkLanes(lanes, len);
        float[] re = w.re, im = w.im, zr = w.zr, zi = w.zi;
        // Repack (the inverse of forward's unpacking), stored in bit-reversed order.
        for (int c = 0; c < LANES; c++) {
            float x0 = re[c], xn = re[n * LANES + c];
            zr[c] = 0.5f * (x0 + xn);
            zi[c] = 0.5f * (x0 - xn);
        }
        for (int k = 1; k <= n / 2; k++) {
            float wr = halfCos[k], wi = halfSin[k];
            int p = k * LANES, q = (n - k) * LANES;
            int zp = bitReverse[k] * LANES, zq = bitReverse[n - k] * LANES;
            for (int c = 0; c < LANES; c++) {
                float a = re[p + c], b = im[p + c], cc = re[q + c], d = im[q + c];
                float er = 0.5f * (a + cc), ei = 0.5f * (b - d);
                float dr = 0.5f * (a - cc), di = 0.5f * (b + d);
                float or = wr * dr - wi * di;
                float oi = wr * di + wi * dr;
                // at k = n/2, p = q: both pairs are written, the second (equal up to rounding of cos π/2) last, as in Fft
                zr[zp + c] = er - oi;
                zi[zp + c] = ei + or;
                zr[zq + c] = er + oi;
                zi[zq + c] = or - ei;
            }
        }
        transform(zr, zi, 1f);
        float scale = 1f / n;
        for (int k = 0; 2 * k < len; k++) {
            store(zr, k * LANES, scale, lanes, dst, off + 2 * k * stride, accumulate);
            if (2 * k + 1 < len) store(zi, k * LANES, scale, lanes, dst, off + (2 * k + 1) * stride, accumulate);
        }
    }

    private void checkLanes(int lanes, int len) {
        if (lanes < 1 || lanes > LANES) throw new IllegalArgumentException("lanes must be 1.." + LANES + ", got " + lanes);
        if (len < 0 || len > 2 * n) throw new IllegalArgumentException("signal of length " + len + " longer than the transform's " + 2 * n);
    }

    private static void load(float[] src, int from, boolean inside, int lanes, float[] z, int at) {
        if (inside) {
            System.arraycopy(src, from, z, at, lanes);
            if (lanes < LANES) java.util.Arrays.fill(z, at + lanes, at + LANES, 0f);
        } else {
            java.util.Arrays.fill(z, at, at + LANES, 0f);
        }
    }

    private static void store(float[] z, int at, float scale, int lanes, float[] dst, int to, boolean accumulate) {
        if (accumulate) {
            for (int c = 0; c < lanes; c++) dst[to + c] += z[at + c] * scale;
        } else {
            for (int c = 0; c < lanes; c++) dst[to + c] = z[at + c] * scale;
        }
    }

    /** In place, input in bit-reversed order: {@code Z_k = Σ_j z_j e^{sign·2πi jk/n}} (unnormalised). */
    private void transform(float[] re, float[] im, float sign) {
        Kernels kern = Kernels.get();
        for (int half = 1; half < n; half <<= 1) {
            int step = n / (2 * half);
            for (int j = 0; j < half; j++) {
                float wr = cos[j * step];
                float wi = sign * sin[j * step];
                for (int start = 0; start < n; start += 2 * half) {
                    int a = (start + j) * LANES;
                    kern.butterfly(LANES, re, im, a, a + half * LANES, wr, wi);
                }
            }
        }
    }
}
