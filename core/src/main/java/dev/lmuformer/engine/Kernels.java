package dev.lmuformer.engine;

/**
 * The hot inner loops of the engine. Two implementations exist: {@link ScalarKernels}, the
 * reference, which imports nothing incubating, and {@code engine.vector.VectorKernels}, written
 * with {@code jdk.incubator.vector}. {@link #get()} picks one once per JVM.
 *
 * <p>Choice: system property {@code lmuformer.kernels} = {@code auto} (default: vector when the
 * incubator module is present), {@code vector} (fail if it is not) or {@code scalar}.
 */
public interface Kernels {

    /** Short name for reports ("vector-512" or "scalar"). */
    String name();

    /** Rows of the GEMM micro-tile. */
    int mr();

    /** Columns of the GEMM micro-tile. */
    int nr();

    /**
     * GEMM micro-kernel: {@code C[r][j] += Σ_p A[r][p] · B[p][j]} for r &lt; mr, j &lt; nr, where A is
     * read in place at {@code a[ao + r·aRow + p·aStep]} (a packed panel has aRow = 1, aStep = mr),
     * B is a packed panel {@code bp[bo + p·nr + j]} and C is row-major with leading dimension {@code ldc}.
     */
    void microTile(int kc, float[] a, int ao, int aRow, int aStep, float[] bp, int bo, float[] c, int co, int ldc);

    /**
     * One row of {@link #microTile}: {@code c[co + j] += Σ_p a[ao + p·aStep] · B[p][j]} for j &lt; nr,
     * B a packed panel as there. Each sum is formed in the same order as the tile forms its rows,
     * so a row's result does not depend on which of the two kernels computed it.
     */
    void microRow(int kc, float[] a, int ao, int aStep, float[] bp, int bo, float[] c, int co);

    /** {@code Σ x[xo+i]·y[yo+i]} for i &lt; n. */
    float dot(int n, float[] x, int xo, float[] y, int yo);

    /** {@code y[yo+i] += alpha·x[xo+i]} for i &lt; n. */
    void axpy(int n, float alpha, float[] x, int xo, float[] y, int yo);

    /** {@code y[yo+i] += x[xo+i]} for i &lt; n: a weight row accumulated for an input spike, no multiply. */
    void add(int n, float[] x, int xo, float[] y, int yo);

    /** {@code y[yo+i] = x[xo+i]·scale[i] + shift[i]} for i &lt; n (a batch-norm row); y may be x. */
    void scaleShift(int n, float[] x, int xo, float[] scale, float[] shift, float[] y, int yo);

    /**
     * The backward of a ReLU with output gate: {@code dx[o+i] (+)= gate[o+i] > 0 ? dy[o+i] : 0} for
     * i &lt; n, added to dx when {@code accumulate}, else written.
     */
    void reluBackward(int n, float[] gate, float[] dy, float[] dx, int o, boolean accumulate);

    /**
     * Exact GELU over {@code x[o … o+n)}: {@code y = x·Φ(x)} with {@code Φ(x) = (1 + erf(x/√2))/2},
     * and its derivative {@code slope = Φ(x) + x·φ(x)} (φ the standard normal density) for the
     * backward pass, both to about 1e-7 absolute, within float32 rounding of the exact functions.
     */
    void gelu(int n, float[] x, float[] y, float[] slope, int o);

    /** {@code out[o+i] (+)= a[o+i]·b[o+i]} for i &lt; n: added to out when {@code accumulate}, else written. */
    void multiply(int n, float[] a, float[] b, float[] out, int o, boolean accumulate);

    /**
     * One radix-2 butterfly over {@code n} signals side by side (the lanes of a {@link LaneFft}):
     * with {@code t = w·z[b+i]}, {@code z[b+i] = z[a+i] − t} and {@code z[a+i] = z[a+i] + t} for
     * i &lt; n, z complex in {@code re, im} and w = {@code wr + i·wi}; plain multiplies and adds, so
     * every implementation gives the same bits.
     */
    void butterfly(int n, float[] re, float[] im, int a, int b, float wr, float wi);

    /**
     * One frame of {@code n} LIF neurons (τ = 2, threshold {@code vth}, hard reset; {@code nn.Lif}):
     * {@code h = v + (x − v)/2}, {@code s = [h − vth ≥ 0]}, {@code v = s ? 0 : h}, with the membranes
     * {@code v[vo …]} carried in place, h written to {@code h[ho …]} and the spikes (0 or 1) to
     * {@code s[so …]}, which may be x itself; returns how many fired. Exact in any implementation.
     */
    int lifStep(int n, float vth, float[] x, int xo, float[] v, int vo, float[] h, int ho, float[] s, int so);

    /**
     * The backward of one {@link #lifStep} frame at offset o: with {@code z = h − vth} and the sigmoid
     * surrogate {@code σ'(z) = 4σ(4z)(1 − σ(4z))}, {@code dh = dS·σ'(z) + (z < 0 ? dv : 0)};
     * {@code dx += dh/2} and the membrane gradient carried to the frame before, {@code dv = dh/2}
     * (dv read and written at {@code dv[dvo + i]}, i &lt; n). σ' to within float32 rounding.
     */
    void lifBackward(int n, float vth, float[] h, float[] dS, float[] dx, int o, float[] dv, int dvo);

    /** The implementation chosen for this JVM. */
    static Kernels get() {
        return KernelChoice.INSTANCE;
    }
}
