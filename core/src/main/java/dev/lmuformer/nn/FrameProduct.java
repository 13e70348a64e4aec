package dev.lmuformer.nn;

import dev.lmuformer.engine.Gemm;
import dev.lmuformer.engine.Kernels;

import java.util.Arrays;

/**
 * The per-frame form of a product {@code y = x B + b} over row vectors (B {@code [in, out]}, b optional):
 * a Linear, a 1×1 convolution, a k=3 convolution over its window, the LMU recurrence. Over real
 * values: one packed {@link Gemm} over the group's rows, each weight read once per group. Over spikes:
 * row by row, each row a sum of B's rows scaled by its inputs (no lane reductions); in a build that
 * accumulates, the sparse form skips zero inputs and adds the row of an input equal to 1 without
 * multiplying — over spikes that is the whole product — and gives the same bits as the dense form, so
 * a spiking stream gives the same bits with and without accumulation.
 */
final class FrameProduct implements FrameLayer {
    private final int in;
    private final int out;
    private final float[] bias;      // (out) or null
    private final Gemm.Packed packed; // over real values
    private final float[] rowsT;      // (in, out) B row-major, over spikes
    private final boolean sparse;
    private final Kernels k = Kernels.get();

    /**
     * A product whose B is {@code B(p, j) = src[p·pStride + j·jStride]}, p &lt; in, j &lt; out.
     *
     * @param spikes whether the input is spikes (or sums of spike trains): the product runs row by row,
     *               and in a build that accumulates skips the inputs that are zero
     */
    FrameProduct(int in, int out, float[] src, int pStride, int jStride, float[] bias, FrameBuild build, boolean spikes) {
        this.in = in;
        this.out = out;
        this.bias = bias == null ? null : bias.clone();
        if (!spikes) {
            packed = Gemm.pack(in, out, src, 0, pStride, jStride);
            rowsT = null;
        } else {
            packed = null;
            rowsT = new float[in * out];
            for (int p = 0; p < in; p++) {
                for (int j = 0; j < out; j++) rowsT[p * out + j] = src[p * pStride + j * jStride];
            }
        }
        sparse = spikes && build.accumulate();
    }

    /** The product of a weight {@code w [out, in]} as PyTorch stores a Linear's or a 1×1 convolution's. */
    static FrameProduct ofWeight(float[] w, int in, int out, float[] bias, FrameBuild build, boolean spikes) {
        return new FrameProduct(in, out, w, 1, in, bias, build, spikes);
    }

    @Override
    public int in() {
        return in;
    }

    @Override
    public int out() {
        return out;
    }

    @Override
    public void step(FrameGroup g, float[] x, float[] y) {
        apply(g.rows(), x, 0, in, y, 0, out, false);
    }

    /**
     * {@code y[r] (+)= x[r] B (+ b)} for {@code rows} rows: row r of x at {@code xo + r·lda}, of y at
     * {@code yo + r·ldy}; with {@code accumulate} added to y (the bias too, if any), else written.
     */
    void apply(int rows, float[] x, int xo, int lda, float[] y, int yo, int ldy, boolean accumulate) {
        if (!accumulate) {
            for (int r = 0; r < rows; r++) {
                if (bias == null) {
                    Arrays.fill(y, yo + r * ldy, yo + r * ldy + out, 0f);
                } else {
                    System.arraycopy(bias, 0, y, yo + r * ldy, out);
                }
            }
        } else if (bias != null) {
            for (int r = 0; r < rows; r++) k.add(out, bias, 0, y, yo + r * ldy);
        }
        if (packed != null) {
            if (rows > 0) Gemm.gemm(rows, x, xo, lda, 1, packed, y, yo, ldy, true);
            return;
        }
        for (int r = 0; r < rows; r++) rowProduct(k, in, out, rowsT, sparse, x, xo + r * lda, y, yo + r * ldy);
    }

    /**
     * {@code y[yo …] += x[xo …] B} for one row, as a sum of B's rows scaled by the inputs; sparse:
     * the rows of nonzero inputs only, added as they are where the input is 1. A static method of
     * its own so that C2 compiles this loop alone: inside {@link #apply} it ran 40 % slower (1.9 µs
     * against 1.35 µs for 768 × 256 at 4.5 % spikes, JDK 25).
     */
    private static void rowProduct(Kernels k, int in, int out, float[] rowsT, boolean sparse, float[] x, int xo, float[] y, int yo) {
        for (int j = 0; j < in; j++) {
            float v = x[xo + j];
            if (!sparse) {
                k.axpy(out, v, rowsT, j * out, y, yo);
            } else if (v == 1f) {
                k.add(out, rowsT, j * out, y, yo);
            } else if (v != 0f) {
                k.axpy(out, v, rowsT, j * out, y, yo); // a sum of spikes (2, 3, …) where shortcuts add spike trains
            }
        }
    }
}
