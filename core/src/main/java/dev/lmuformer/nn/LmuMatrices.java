package dev.lmuformer.nn;

import dev.lmuformer.engine.Parallel;

/**
 * The fixed matrices of a Legendre Memory Unit (REFERENCE.md §1): the continuous system
 * {@code A, B} for memory size d and window θ, its zero-order-hold discretisation with dt = 1,
 * and the impulse response {@code H[:, t] = Ā^t B̄} that the parallel (FFT) memory convolves with.
 *
 * <p>The discretisation is {@code [Ā B̄; 0 1] = expm([A B; 0 0])}, computed in double precision
 * by scaling and squaring with a degree-13 Padé approximant (Higham, "The scaling and squaring
 * method for the matrix exponential revisited", SIAM J. Matrix Anal. Appl. 26, 2005), which is
 * what scipy's {@code cont2discrete(..., method='zoh')} computes to within rounding.
 */
public final class LmuMatrices {
    /** Padé-13 numerator coefficients b_0 … b_13 (Higham 2005, eq. 2.4 / Table 2.3). */
    private static final double[] PADE13 = {
        64764752532480000d, 32382376266240000d, 7771770303897600d, 1187353796428800d,
        129060195264000d, 10559470521600d, 670442572800d, 33522128640d, 1323241920d,
        40840800d, 960960d, 16380d, 182d, 1d};
    /** Largest 1-norm for which Padé-13 is accurate to double precision without scaling (Higham 2005). */
    private static final double THETA13 = 5.371920351148152;

    private final int d;
    private final double theta;
    private final double[] aBar; // (D, D) row-major
    private final double[] bBar; // (D)

    private LmuMatrices(int d, double theta, double[] aBar, double[] bBar) {
        this.d = d;
        this.theta = theta;
        this.aBar = aBar;
        this.bBar = bBar;
    }

    /**
     * The continuous state matrix, {@code A[i][j] = (2i+1)/θ · (-1 if i < j else (-1)^(i-j+1))},
     * as a row-major {@code [d*d]} array.
     */
    public static double[] continuousA(int d, double theta) {
        check(d, theta);
        double[] a = new double[d * d];
        for (int i = 0; i < d; i++) {
            double r = (2 * i + 1) / theta;
            for (int j = 0; j < d; j++) {
                a[i * d + j] = i < j ? -r : ((i - j + 1) % 2 == 0 ? r : -r);
            }
        }
        return a;
    }

    /** The continuous input vector, {@code B[i] = (2i+1)/θ · (-1)^i}. */
    public static double[] continuousB(int d, double theta) {
        check(d, theta);
        double[] b = new double[d];
        for (int i = 0; i < d; i++) b[i] = (i % 2 == 0 ? 1 : -1) * (2 * i + 1) / theta;
        return b;
    }

    private static void check(int d, double theta) {
        if (d < 1) throw new IllegalArgumentException("memory size must be at least 1, got " + d);
        if (!(theta > 0) || Double.isInfinite(theta)) throw new IllegalArgumentException("theta must be positive and finite, got " + theta);
    }

    /** Discretises the LMU of memory size {@code d} and window {@code theta} by zero-order hold, dt = 1. */
    public static LmuMatrices discretise(int d, double theta) {
        double[] a = continuousA(d, theta);
        double[] b = continuousB(d, theta);
        // The augmented matrix [A B; 0 0] of order d+1: its exponential holds Ā and B̄ in its first d rows.
        int n = d + 1;
        double[] m = new double[n * n];
        for (int i = 0; i < d; i++) {
            System.arraycopy(a, i * d, m, i * n, d);
            m[i * n + d] = b[i];
        }
        double[] e = expm(m, n);
        double[] aBar = new double[d * d];
        double[] bBar = new double[d];
        for (int i = 0; i < d; i++) {
            System.arraycopy(e, i * n, aBar, i * d, d);
            bBar[i] = e[i * n + d];
        }
        return new LmuMatrices(d, theta, aBar, bBar);
    }

    /** Memory size d. */
    public int d() {
        return d;
    }

    /** Window θ. */
    public double theta() {
        return theta;
    }

    /** Ā in double precision, row-major {@code [d*d]} (a copy). */
    public double[] aBar() {
        return aBar.clone();
    }

    /** B̄ in double precision, {@code [d]} (a copy). */
    public double[] bBar() {
        return bBar.clone();
    }

    /** Ā cast to float32, as the reference stores its buffer {@code A}. */
    public float[] aBarFloat() {
        return toFloat(aBar);
    }

    /** B̄ cast to float32, as the reference stores its buffer {@code B}. */
    public float[] bBarFloat() {
        return toFloat(bBar);
    }

    private static float[] toFloat(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) f[i] = (float) x[i];
        return f;
    }

    /**
     * The impulse response H, row-major {@code [d, seqLen]}: {@code H[:, 0] = B̄},
     * {@code H[:, t+1] = Ā H[:, t]}, with Ā and B̄ cast to float32 first and each column rounded
     * to float32, as the reference's float32 buffer is built (REFERENCE.md §1).
     *
     * <p>The reference forms {@code P ← Ā·P} (d×d products, O(N d³)); this forms the same columns
     * as matrix-vector products (O(N d²)), each dot product summed in double. Neither reproduces
     * the reference BLAS's float32 roundings exactly: both land about 1e-6 to 7e-6 of max|H| from
     * the reference's buffer (measured in {@code LmuMatricesTest}), where the P form is no closer.
     */
    public float[] impulseResponse(int seqLen) {
        if (seqLen < 1) throw new IllegalArgumentException("sequence length must be at least 1, got " + seqLen);
        float[] a = aBarFloat();
        float[] h = new float[d * seqLen];
        float[] col = bBarFloat();
        float[] next = new float[d];
        for (int t = 0; ; t++) {
            for (int i = 0; i < d; i++) h[i * seqLen + t] = col[i];
            if (t == seqLen - 1) return h;
            for (int i = 0; i < d; i++) {
                double s = 0;
                int row = i * d;
                for (int k = 0; k < d; k++) s += (double) a[row + k] * col[k];
                next[i] = (float) s;
            }
            float[] swap = col;
            col = next;
            next = swap;
        }
    }

    /** exp(M) for a row-major n×n matrix, by scaling and squaring with Padé 13 (Higham 2005, Algorithm 2.3). */
    static double[] expm(double[] m, int n) {
        double norm = norm1(m, n);
        int s = norm > THETA13 ? Math.max(0, (int) Math.ceil(Math.log(norm / THETA13) / Math.log(2))) : 0;
        double[] x = m.clone();
        if (s > 0) {
            double scale = Math.scalb(1.0, -s); // a power of two: the scaling itself is exact
            for (int i = 0; i < x.length; i++) x[i] *= scale;
        }
        double[] b = PADE13;
        double[] x2 = matmul(x, x, n);
        double[] x4 = matmul(x2, x2, n);
        double[] x6 = matmul(x4, x2, n);
        // U = X [X6 (b13 X6 + b11 X4 + b9 X2) + b7 X6 + b5 X4 + b3 X2 + b1 I]
        double[] inner = combine(n, b[13], x6, b[11], x4, b[9], x2, 0);
        double[] u = matmul(x6, inner, n);
        addCombination(u, n, b[7], x6, b[5], x4, b[3], x2, b[1]);
        u = matmul(x, u, n);
        // V = X6 (b12 X6 + b10 X4 + b8 X2) + b6 X6 + b4 X4 + b2 X2 + b0 I
        inner = combine(n, b[12], x6, b[10], x4, b[8], x2, 0);
        double[] v = matmul(x6, inner, n);
        addCombination(v, n, b[6], x6, b[4], x4, b[2], x2, b[0]);
        // r = (V - U)^{-1} (V + U)
        double[] p = new double[n * n];
        double[] q = new double[n * n];
        for (int i = 0; i < p.length; i++) {
            p[i] = v[i] + u[i];
            q[i] = v[i] - u[i];
        }
        double[] r = solve(q, p, n);
        for (int k = 0; k < s; k++) r = matmul(r, r, n);
        return r;
    }

    /** c1 X1 + c2 X2 + c3 X3 + c0 I. */
    private static double[] combine(int n, double c1, double[] x1, double c2, double[] x2, double c3, double[] x3, double c0) {
        double[] out = new double[n * n];
        addCombination(out, n, c1, x1, c2, x2, c3, x3, c0);
        return out;
    }

    /** out += c1 X1 + c2 X2 + c3 X3 + c0 I. */
    private static void addCombination(double[] out, int n, double c1, double[] x1, double c2, double[] x2, double c3, double[] x3, double c0) {
        for (int i = 0; i < out.length; i++) out[i] += c1 * x1[i] + c2 * x2[i] + c3 * x3[i];
        for (int i = 0; i < n; i++) out[i * n + i] += c0;
    }

    private static double norm1(double[] m, int n) {
        double[] col = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) col[j] += Math.abs(m[i * n + j]);
        }
        double max = 0;
        for (double c : col) max = Math.max(max, c);
        return max;
    }

    /** Rows of B per block in {@link #matmul}: 48 rows of a 513-wide matrix (~200 KB) stay in L2. */
    private static final int K_BLOCK = 48;

    /**
     * A·B for row-major n×n matrices: i-k-j order so the inner loop runs along rows of B and C,
     * over blocks of B's rows so that a block is reused from cache by every row of A; rows of C
     * are shared among the engine's threads.
     */
    static double[] matmul(double[] a, double[] b, int n) {
        double[] c = new double[n * n];
        Parallel.forChunks(n, 32, (from, to) -> {
            for (int k0 = 0; k0 < n; k0 += K_BLOCK) {
                int k1 = Math.min(n, k0 + K_BLOCK);
                for (int i = from; i < to; i++) {
                    int ci = i * n;
                    for (int k = k0; k < k1; k++) {
                        double aik = a[ci + k];
                        if (aik == 0) continue;
                        int bk = k * n;
                        for (int j = 0; j < n; j++) c[ci + j] += aik * b[bk + j];
                    }
                }
            }
        });
        return c;
    }

    /**
     * Solves Q X = P for X (row-major n×n, P with n right-hand-side columns) by Gaussian
     * elimination with partial pivoting, row operations on Q and P together; overwrites both.
     */
    static double[] solve(double[] q, double[] p, int n) {
        for (int k = 0; k < n; k++) {
            int piv = k;
            double best = Math.abs(q[k * n + k]);
            for (int i = k + 1; i < n; i++) {
                double v = Math.abs(q[i * n + k]);
                if (v > best) {
                    best = v;
                    piv = i;
                }
            }
            if (best == 0) throw new ArithmeticException("singular matrix in the Padé solve");
            if (piv != k) {
                swapRows(q, n, k, piv);
                swapRows(p, n, k, piv);
            }
            double pivot = q[k * n + k];
            for (int i = k + 1; i < n; i++) {
                double l = q[i * n + k] / pivot;
                if (l == 0) continue;
                q[i * n + k] = 0;
                for (int j = k + 1; j < n; j++) q[i * n + j] -= l * q[k * n + j];
                for (int j = 0; j < n; j++) p[i * n + j] -= l * p[k * n + j];
            }
        }
        // Back substitution, one row of X at a time, the inner loops along rows.
        for (int i = n - 1; i >= 0; i--) {
            int pi = i * n;
            for (int k = i + 1; k < n; k++) {
                double qik = q[pi + k];
                if (qik == 0) continue;
                int pk = k * n;
                for (int j = 0; j < n; j++) p[pi + j] -= qik * p[pk + j];
            }
            double inv = 1.0 / q[pi + i];
            for (int j = 0; j < n; j++) p[pi + j] *= inv;
        }
        return p;
    }

    private static void swapRows(double[] m, int n, int r1, int r2) {
        for (int j = 0; j < n; j++) {
            double t = m[r1 * n + j];
            m[r1 * n + j] = m[r2 * n + j];
            m[r2 * n + j] = t;
        }
    }
}
