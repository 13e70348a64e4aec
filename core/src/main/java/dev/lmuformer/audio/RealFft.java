package dev.lmuformer.audio;

/**
 * Power spectrum of a real sequence of power-of-two length n by a radix-2 complex FFT of length
 * n/2 (even samples as real parts, odd samples as imaginary parts) and the usual untangling step.
 * Immutable tables only, so one instance serves all threads; callers pass the work space.
 */
final class RealFft {
    private final int n;
    private final int m; // n / 2, the complex FFT length
    private final int[] reverse; // [m] bit-reversal permutation
    private final double[] cos; // [m / 2] cos(2πj/m)
    private final double[] sin; // [m / 2] -sin(2πj/m)
    private final double[] untangleCos; // [m] cos(2πk/n)
    private final double[] untangleSin; // [m] sin(2πk/n)

    RealFft(int n) {
        if (n < 4 || Integer.bitCount(n) != 1) throw new IllegalArgumentException("FFT length must be a power of two >= 4: " + n);
        this.n = n;
        this.m = n / 2;
        int bits = Integer.numberOfTrailingZeros(m);
        reverse = new int[m];
        for (int k = 0; k < m; k++) reverse[k] = Integer.reverse(k) >>> (32 - bits);
        cos = new double[m / 2];
        sin = new double[m / 2];
        for (int j = 0; j < m / 2; j++) {
            cos[j] = Math.cos(2 * Math.PI * j / m);
            sin[j] = -Math.sin(2 * Math.PI * j / m);
        }
        untangleCos = new double[m];
        untangleSin = new double[m];
        for (int k = 0; k < m; k++) {
            untangleCos[k] = Math.cos(2 * Math.PI * k / n);
            untangleSin[k] = Math.sin(2 * Math.PI * k / n);
        }
    }

    int length() {
        return n;
    }

    /**
     * {@code power[k] = |Σ_t x[t] e^{-2πikt/n}|²} for k = 0..n/2.
     *
     * @param x     the input, {@code [n]}
     * @param work  scratch, {@code [n]} (interleaved complex of length n/2)
     * @param power the output, {@code [n/2 + 1]}
     */
    void power(double[] x, double[] work, double[] power) {
        for (int k = 0; k < m; k++) {
            int r = reverse[k];
            work[2 * r] = x[2 * k];
            work[2 * r + 1] = x[2 * k + 1];
        }
        int len0 = 2;
        if (m >= 4) {
            firstTwoStages(work);
            len0 = 8;
        }
        for (int len = len0; len <= m; len <<= 1) {
            int half = len / 2;
            int step = m / len;
            for (int i = 0; i < m; i += len) {
                for (int j = 0; j < half; j++) {
                    double wr = cos[j * step];
                    double wi = sin[j * step];
                    int a = 2 * (i + j);
                    int b = a + 2 * half;
                    double tr = wr * work[b] - wi * work[b + 1];
                    double ti = wr * work[b + 1] + wi * work[b];
                    work[b] = work[a] - tr;
                    work[b + 1] = work[a + 1] - ti;
                    work[a] += tr;
                    work[a + 1] += ti;
                }
            }
        }
        untangle(work, power);
    }

    /**
     * The length-2 and length-4 butterflies in one pass: their twiddles are 1 and −i, so they need
     * no multiplications, and fusing them halves the loop overhead of the two shortest stages.
     */
    private void firstTwoStages(double[] work) {
        for (int a = 0; a < 2 * m; a += 8) {
            double s01r = work[a] + work[a + 2];
            double s01i = work[a + 1] + work[a + 3];
            double d01r = work[a] - work[a + 2];
            double d01i = work[a + 1] - work[a + 3];
            double s23r = work[a + 4] + work[a + 6];
            double s23i = work[a + 5] + work[a + 7];
            double d23r = work[a + 4] - work[a + 6];
            double d23i = work[a + 5] - work[a + 7];
            work[a] = s01r + s23r;
            work[a + 1] = s01i + s23i;
            work[a + 4] = s01r - s23r;
            work[a + 5] = s01i - s23i;
            // −i · d23 = (d23i, −d23r)
            work[a + 2] = d01r + d23i;
            work[a + 3] = d01i - d23r;
            work[a + 6] = d01r - d23i;
            work[a + 7] = d01i + d23r;
        }
    }

    /** From the half-length complex spectrum in {@code work} to the power spectrum of the real input. */
    private void untangle(double[] work, double[] power) {
        double r0 = work[0];
        double i0 = work[1];
        power[0] = (r0 + i0) * (r0 + i0);
        power[m] = (r0 - i0) * (r0 - i0);
        for (int k = 1; k < m; k++) {
            // Z[k] = E[k] + i·O[k] where E, O are the spectra of the even and odd samples;
            // X[k] = E[k] + e^{-2πik/n} O[k].
            double zr = work[2 * k];
            double zi = work[2 * k + 1];
            double cr = work[2 * (m - k)];
            double ci = -work[2 * (m - k) + 1];
            double er = 0.5 * (zr + cr);
            double ei = 0.5 * (zi + ci);
            double or = 0.5 * (zi - ci);
            double oi = -0.5 * (zr - cr);
            double wc = untangleCos[k];
            double ws = untangleSin[k];
            double xr = er + wc * or + ws * oi;
            double xi = ei + wc * oi - ws * or;
            power[k] = xr * xr + xi * xi;
        }
    }
}
