package dev.lmuformer.engine.vector;

import dev.lmuformer.engine.Kernels;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels written with the JDK Vector API, width-agnostic ({@code SPECIES_PREFERRED}): 16 lanes
 * with AVX-512, 8 with AVX2. The only class of the project that imports {@code jdk.incubator.vector}.
 */
public final class VectorKernels implements Kernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Six rows by two vectors: 12 accumulators, 2 B loads and a broadcast fit in 16+ registers. */
    private static final int MR = 6;
    private static final int NR = 2 * L;

    /** Fails fast (and so falls back to scalar) where the species is not usefully wide. */
    public VectorKernels() {
        if (L < 4) throw new IllegalStateException("vector species too narrow: " + S);
    }

    @Override
    public String name() {
        return "vector-" + S.vectorBitSize();
    }

    @Override
    public int mr() {
        return MR;
    }

    @Override
    public int nr() {
        return NR;
    }

    @Override
    public void microTile(int kc, float[] ap, int ao, int aRow, int aStep, float[] bp, int bo, float[] c, int co, int ldc) {
        // One zero shared by all accumulators: with twelve separate FloatVector.zero(S) calls C2
        // (JDK 17) keeps the accumulators boxed and the kernel runs at 40 % of the FMA peak.
        FloatVector zero = FloatVector.zero(S);
        FloatVector c00 = zero, c01 = zero, c10 = zero, c11 = zero, c20 = zero, c21 = zero;
        FloatVector c30 = zero, c31 = zero, c40 = zero, c41 = zero, c50 = zero, c51 = zero;
        int a0 = ao, a1 = ao + aRow, a2 = ao + 2 * aRow, a3 = ao + 3 * aRow, a4 = ao + 4 * aRow, a5 = ao + 5 * aRow;
        int b = bo;
        for (int p = 0, step = 0; p < kc; p++, step += aStep, b += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, b);
            FloatVector b1 = FloatVector.fromArray(S, bp, b + L);
            FloatVector x = FloatVector.broadcast(S, ap[a0 + step]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(S, ap[a1 + step]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(S, ap[a2 + step]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(S, ap[a3 + step]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
            x = FloatVector.broadcast(S, ap[a4 + step]);
            c40 = b0.fma(x, c40);
            c41 = b1.fma(x, c41);
            x = FloatVector.broadcast(S, ap[a5 + step]);
            c50 = b0.fma(x, c50);
            c51 = b1.fma(x, c51);
        }
        addRow(c, co, c00, c01);
        addRow(c, co + ldc, c10, c11);
        addRow(c, co + 2 * ldc, c20, c21);
        addRow(c, co + 3 * ldc, c30, c31);
        addRow(c, co + 4 * ldc, c40, c41);
        addRow(c, co + 5 * ldc, c50, c51);
    }

    @Override
    public void microRow(int kc, float[] ap, int ao, int aStep, float[] bp, int bo, float[] c, int co) {
        FloatVector c0 = FloatVector.zero(S);
        FloatVector c1 = c0;
        for (int p = 0, a = ao, b = bo; p < kc; p++, a += aStep, b += NR) {
            FloatVector x = FloatVector.broadcast(S, ap[a]);
            c0 = FloatVector.fromArray(S, bp, b).fma(x, c0);
            c1 = FloatVector.fromArray(S, bp, b + L).fma(x, c1);
        }
        addRow(c, co, c0, c1);
    }

    private static void addRow(float[] c, int o, FloatVector v0, FloatVector v1) {
        FloatVector.fromArray(S, c, o).add(v0).intoArray(c, o);
        FloatVector.fromArray(S, c, o + L).add(v1).intoArray(c, o + L);
    }

    @Override
    public float dot(int n, float[] x, int xo, float[] y, int yo) {
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = acc0;
        int i = 0;
        for (int bound = n - 2 * L; i <= bound; i += 2 * L) {
            acc0 = FloatVector.fromArray(S, x, xo + i).fma(FloatVector.fromArray(S, y, yo + i), acc0);
            acc1 = FloatVector.fromArray(S, x, xo + i + L).fma(FloatVector.fromArray(S, y, yo + i + L), acc1);
        }
        // Lanes summed in a fixed order: reduceLanes may associate differently when compiled and
        // when interpreted, which would make training depend on JIT timing.
        FloatVector acc = acc0.add(acc1);
        float s = 0f;
        for (int lane = 0; lane < L; lane++) s += acc.lane(lane);
        for (; i < n; i++) s += x[xo + i] * y[yo + i];
        return s;
    }

    @Override
    public void axpy(int n, float alpha, float[] x, int xo, float[] y, int yo) {
        FloatVector va = FloatVector.broadcast(S, alpha);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, x, xo + i).fma(va, FloatVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] += alpha * x[xo + i];
    }

    @Override
    public void add(int n, float[] x, int xo, float[] y, int yo) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, x, xo + i).add(FloatVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] += x[xo + i];
    }

    @Override
    public void scaleShift(int n, float[] x, int xo, float[] scale, float[] shift, float[] y, int yo) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, x, xo + i)
                    .fma(FloatVector.fromArray(S, scale, i), FloatVector.fromArray(S, shift, i))
                    .intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] = x[xo + i] * scale[i] + shift[i];
    }

    @Override
    public void reluBackward(int n, float[] gate, float[] dy, float[] dx, int o, boolean accumulate) {
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            VectorMask<Float> on = FloatVector.fromArray(S, gate, o + i).compare(VectorOperators.GT, 0f);
            FloatVector base = accumulate ? FloatVector.fromArray(S, dx, o + i) : zero;
            base.add(FloatVector.fromArray(S, dy, o + i), on).intoArray(dx, o + i);
        }
        for (; i < n; i++) {
            float d = gate[o + i] > 0f ? dy[o + i] : 0f;
            dx[o + i] = accumulate ? dx[o + i] + d : d;
        }
    }

    private static final float INV_SQRT2 = (float) (1 / Math.sqrt(2));
    private static final float INV_SQRT_2PI = (float) (1 / Math.sqrt(2 * Math.PI));
    private static final float LOG2E = 1.4426950409f;
    /** ln 2 split in two so that k·LN2_HI is exact for the k that occur. */
    private static final float LN2_HI = 0.693145752f;
    private static final float LN2_LO = 1.42860677e-06f;

    /** 1.5·2²³: adding it to a float of magnitude below 2²² rounds it to an integer held in the low mantissa bits. */
    private static final float ROUNDING = 12582912f;
    private static final int ROUNDING_BITS = 0x4B400000;

    /**
     * e^x for x ≤ 0 (clamped at −87, where it is below the smallest normal float): x = k·ln 2 + r,
     * |r| ≤ ln 2/2, e^r by its Taylor polynomial to r⁷ (error below 1e-8 relative), times 2^k built
     * in the exponent bits. Only adds, multiplies, fused multiply-adds and bit operations, so it gives
     * the same bits compiled or interpreted — unlike the library EXP, whose compiled and fallback
     * forms may differ in the last place and would make training depend on JIT timing. k comes from
     * the rounding constant rather than a float-to-int conversion, which JDK 17 does not compile to
     * vector instructions (about 50 times slower there).
     */
    private static FloatVector expNonPositive(FloatVector x) {
        FloatVector v = x.max(-87f);
        FloatVector u = v.neg().fma(FloatVector.broadcast(S, LOG2E), FloatVector.broadcast(S, 0.5f)); // in [0.5, 126]
        FloatVector nearest = u.add(ROUNDING).sub(ROUNDING);
        FloatVector floor = nearest.blend(nearest.sub(1f), nearest.compare(VectorOperators.GT, u)); // −k
        FloatVector kf = floor.neg();
        FloatVector r = kf.fma(FloatVector.broadcast(S, -LN2_HI), v).sub(kf.mul(LN2_LO));
        FloatVector p = FloatVector.broadcast(S, 1f / 5040);
        p = p.fma(r, FloatVector.broadcast(S, 1f / 720));
        p = p.fma(r, FloatVector.broadcast(S, 1f / 120));
        p = p.fma(r, FloatVector.broadcast(S, 1f / 24));
        p = p.fma(r, FloatVector.broadcast(S, 1f / 6));
        p = p.fma(r, FloatVector.broadcast(S, 0.5f));
        p = p.fma(r, FloatVector.broadcast(S, 1f));
        p = p.fma(r, FloatVector.broadcast(S, 1f));
        IntVector minusK = floor.add(ROUNDING).reinterpretAsInts().sub(ROUNDING_BITS);
        FloatVector scale = minusK.neg().add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(scale);
    }

    /**
     * erf of each lane: the series below 1, the scaled complement above. The polynomials are
     * written out rather than looped over coefficient arrays: with the loops, C2 (JDK 17) sometimes
     * ran out of its inlining budget before the caller's vector stores and left them boxed, and
     * GELU ran five times slower in that JVM (measured in about half of the runs).
     */
    private static FloatVector erf(FloatVector x) {
        FloatVector a = x.abs();
        FloatVector z = a.mul(a);
        // erf(a)/a for a < 1: its Taylor series in a² (truncation error below 2e-8)
        FloatVector p = FloatVector.broadcast(S, -1.6365844691e-07f);
        p = horner(p, z, 1.6462114366e-06f);
        p = horner(p, z, -1.4925650358e-05f);
        p = horner(p, z, 0.00012055332982f);
        p = horner(p, z, -0.00085483270235f);
        p = horner(p, z, 0.0052239776254f);
        p = horner(p, z, -0.026866170645f);
        p = horner(p, z, 0.11283791671f);
        p = horner(p, z, -0.37612638903f);
        p = horner(p, z, 1.1283791671f);
        FloatVector small = p.mul(a);
        // erfc(a)·exp(a²) on [1, 6] as a polynomial in t = 1/(1 + a/2), least-squares fitted (relative error 5e-9)
        FloatVector capped = a.min(6f);
        FloatVector t = FloatVector.broadcast(S, 1f).div(capped.fma(FloatVector.broadcast(S, 0.5f), FloatVector.broadcast(S, 1f)));
        FloatVector r = FloatVector.broadcast(S, 0.056395377816f);
        r = horner(r, t, -0.098220534946f);
        r = horner(r, t, -0.10721318483f);
        r = horner(r, t, 0.21840306882f);
        r = horner(r, t, 0.098778766081f);
        r = horner(r, t, 0.27246510850f);
        r = horner(r, t, 0.27705965091f);
        r = horner(r, t, 0.28264349184f);
        r = horner(r, t, -2.5630163441e-05f);
        FloatVector large = FloatVector.broadcast(S, 1f).sub(expNonPositive(capped.mul(capped).neg()).mul(r));
        FloatVector magnitude = small.blend(large, a.compare(VectorOperators.GE, 1f));
        // restore the sign (erf is odd); NaN lanes stay NaN through the arithmetic
        return magnitude.lanewise(VectorOperators.NEG, x.compare(VectorOperators.LT, 0f));
    }

    /** One Horner step {@code p·x + c}, fused. */
    private static FloatVector horner(FloatVector p, FloatVector x, float c) {
        return p.fma(x, FloatVector.broadcast(S, c));
    }

    @Override
    public void gelu(int n, float[] x, float[] y, float[] cdf, int o) {
        int i = 0;
        FloatVector half = FloatVector.broadcast(S, 0.5f);
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, o + i);
            FloatVector phi = erf(v.mul(INV_SQRT2)).add(1f).mul(half);
            phi.intoArray(cdf, o + i);
            v.mul(phi).intoArray(y, o + i);
        }
        for (; i < n; i++) {
            cdf[o + i] = 0.5f * (1f + dev.lmuformer.engine.MathF.erf(x[o + i] * INV_SQRT2));
            y[o + i] = x[o + i] * cdf[o + i];
        }
    }

    @Override
    public void geluBackward(int n, float[] x, float[] cdf, float[] dy, float[] dx, int o, boolean accumulate) {
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, o + i);
            FloatVector pdf = expNonPositive(v.mul(v).mul(-0.5f)).mul(INV_SQRT_2PI);
            FloatVector slope = v.fma(pdf, FloatVector.fromArray(S, cdf, o + i));
            FloatVector base = accumulate ? FloatVector.fromArray(S, dx, o + i) : zero;
            FloatVector.fromArray(S, dy, o + i).fma(slope, base).intoArray(dx, o + i);
        }
        for (; i < n; i++) {
            float v = x[o + i];
            float d = dy[o + i] * (cdf[o + i] + v * INV_SQRT_2PI * (float) Math.exp(-0.5 * v * v));
            dx[o + i] = accumulate ? dx[o + i] + d : d;
        }
    }
}
