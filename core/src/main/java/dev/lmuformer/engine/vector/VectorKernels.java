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
    /** The lanes past the last full vector of the LIF kernels. */
    private static final Kernels TAIL = new dev.lmuformer.engine.ScalarKernels();

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
        // the stores written out here, not in a helper: a helper that C2 compiled on its own is not
        // inlined later and takes its vectors boxed (measured: 11 % of a training step in such a JVM)
        int r0 = co, r1 = co + ldc, r2 = co + 2 * ldc, r3 = co + 3 * ldc, r4 = co + 4 * ldc, r5 = co + 5 * ldc;
        FloatVector.fromArray(S, c, r0).add(c00).intoArray(c, r0);
        FloatVector.fromArray(S, c, r0 + L).add(c01).intoArray(c, r0 + L);
        FloatVector.fromArray(S, c, r1).add(c10).intoArray(c, r1);
        FloatVector.fromArray(S, c, r1 + L).add(c11).intoArray(c, r1 + L);
        FloatVector.fromArray(S, c, r2).add(c20).intoArray(c, r2);
        FloatVector.fromArray(S, c, r2 + L).add(c21).intoArray(c, r2 + L);
        FloatVector.fromArray(S, c, r3).add(c30).intoArray(c, r3);
        FloatVector.fromArray(S, c, r3 + L).add(c31).intoArray(c, r3 + L);
        FloatVector.fromArray(S, c, r4).add(c40).intoArray(c, r4);
        FloatVector.fromArray(S, c, r4 + L).add(c41).intoArray(c, r4 + L);
        FloatVector.fromArray(S, c, r5).add(c50).intoArray(c, r5);
        FloatVector.fromArray(S, c, r5 + L).add(c51).intoArray(c, r5 + L);
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
        FloatVector.fromArray(S, c, co).add(c0).intoArray(c, co);
        FloatVector.fromArray(S, c, co + L).add(c1).intoArray(c, co + L);
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
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            VectorMask<Float> on = FloatVector.fromArray(S, gate, o + i).compare(VectorOperators.GT, 0f);
            FloatVector base = accumulate ? FloatVector.fromArray(S, dx, o + i) : FloatVector.zero(S);
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
     * GELU and its slope in one pass, everything written out in this one method. C2 (JDK 17) will
     * not inline a helper that was already compiled on its own into a big method, and a helper left
     * out of line takes and returns its vectors boxed: with erf and exp as helpers GELU ran five
     * times slower in about half of the JVMs (measured; which half depended on compile order).
     * Even so, C2 sometimes leaves the two stores below boxed (its vector class is not a constant
     * there; about 1 JVM in 8 with the measures taken here, 2–4 in 8 without them): callers pass
     * short pieces (see {@code nn.Gelu}) and the constant vectors are made inside the loop.
     *
     * <p>erf(a), a = |x|/√2: below 1 its Taylor series; above, {@code 1 − e^{−a²}·q(t)} with
     * {@code q ≈ erfc(a)·e^{a²}} a polynomial in {@code t = 1/(1 + a/2)} on [1, 6]. The one
     * exponential {@code e^{−a²} = e^{−x²/2}} also gives the normal density φ(x) of the slope
     * {@code Φ(x) + x·φ(x)}. The exponential uses only adds, multiplies, fused multiply-adds and bit
     * operations, so it gives the same bits compiled or interpreted (the library EXP may differ in
     * the last place between the two, which would make training depend on JIT timing), and takes k
     * from the rounding constant rather than a float-to-int conversion, which JDK 17 does not
     * compile to vector instructions (about 50 times slower there).
     */
    @Override
    public void gelu(int n, float[] x, float[] y, float[] slope, int o) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector one = FloatVector.broadcast(S, 1f); // made in the loop: see above
            FloatVector half = FloatVector.broadcast(S, 0.5f);
            FloatVector v = FloatVector.fromArray(S, x, o + i);
            FloatVector a = v.abs().mul(INV_SQRT2);
            FloatVector z = a.mul(a);
            // erf(a)/a for a < 1: the Taylor series in a² (truncation error below 2e-8)
            FloatVector p = FloatVector.broadcast(S, -1.6365844691e-07f);
            p = p.fma(z, FloatVector.broadcast(S, 1.6462114366e-06f));
            p = p.fma(z, FloatVector.broadcast(S, -1.4925650358e-05f));
            p = p.fma(z, FloatVector.broadcast(S, 0.00012055332982f));
            p = p.fma(z, FloatVector.broadcast(S, -0.00085483270235f));
            p = p.fma(z, FloatVector.broadcast(S, 0.0052239776254f));
            p = p.fma(z, FloatVector.broadcast(S, -0.026866170645f));
            p = p.fma(z, FloatVector.broadcast(S, 0.11283791671f));
            p = p.fma(z, FloatVector.broadcast(S, -0.37612638903f));
            p = p.fma(z, FloatVector.broadcast(S, 1.1283791671f));
            FloatVector small = p.mul(a);
            // q(t) ≈ erfc(a)·e^{a²} on [1, 6], least-squares fitted (relative error 5e-9)
            FloatVector t = one.div(a.min(6f).fma(half, one));
            FloatVector q = FloatVector.broadcast(S, 0.056395377816f);
            q = q.fma(t, FloatVector.broadcast(S, -0.098220534946f));
            q = q.fma(t, FloatVector.broadcast(S, -0.10721318483f));
            q = q.fma(t, FloatVector.broadcast(S, 0.21840306882f));
            q = q.fma(t, FloatVector.broadcast(S, 0.098778766081f));
            q = q.fma(t, FloatVector.broadcast(S, 0.27246510850f));
            q = q.fma(t, FloatVector.broadcast(S, 0.27705965091f));
            q = q.fma(t, FloatVector.broadcast(S, 0.28264349184f));
            q = q.fma(t, FloatVector.broadcast(S, -2.5630163441e-05f));
            // e^{−a²}: −a² = k·ln 2 + r with |r| ≤ ln 2/2 (a² capped at 87, where it underflows),
            // e^r by its Taylor polynomial to r⁷ (error below 1e-8 relative), 2^k built in the exponent bits
            FloatVector w = z.min(87f);
            FloatVector u = w.fma(FloatVector.broadcast(S, LOG2E), half); // in [0.5, 126]
            FloatVector nearest = u.add(ROUNDING).sub(ROUNDING);
            FloatVector floor = nearest.blend(nearest.sub(1f), nearest.compare(VectorOperators.GT, u)); // −k
            FloatVector kf = floor.neg();
            FloatVector r = kf.fma(FloatVector.broadcast(S, -LN2_HI), w.neg()).sub(kf.mul(LN2_LO));
            FloatVector e = FloatVector.broadcast(S, 1f / 5040);
            e = e.fma(r, FloatVector.broadcast(S, 1f / 720));
            e = e.fma(r, FloatVector.broadcast(S, 1f / 120));
            e = e.fma(r, FloatVector.broadcast(S, 1f / 24));
            e = e.fma(r, FloatVector.broadcast(S, 1f / 6));
            e = e.fma(r, half);
            e = e.fma(r, one);
            e = e.fma(r, one);
            IntVector minusK = floor.add(ROUNDING).reinterpretAsInts().sub(ROUNDING_BITS);
            e = e.mul(minusK.neg().add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
            FloatVector large = one.sub(e.mul(q));
            // erf is odd: the sign comes back from x; NaN lanes stay NaN through the arithmetic
            FloatVector erf = small.blend(large, a.compare(VectorOperators.GE, 1f)).lanewise(VectorOperators.NEG, v.compare(VectorOperators.LT, 0f));
            FloatVector cdf = erf.add(one).mul(half);
            v.mul(cdf).intoArray(y, o + i);
            v.fma(e.mul(INV_SQRT_2PI), cdf).intoArray(slope, o + i);
        }
        for (; i < n; i++) {
            float v = x[o + i];
            float cdf = 0.5f * (1f + dev.lmuformer.engine.MathF.erf(v * INV_SQRT2));
            y[o + i] = v * cdf;
            slope[o + i] = cdf + v * INV_SQRT_2PI * (float) Math.exp(-0.5 * v * v);
        }
    }

    @Override
    public int lifStep(int n, float vth, float[] x, int xo, float[] v, int vo, float[] h, int ho, float[] s, int so) {
        int fired = 0;
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector vc = FloatVector.fromArray(S, v, vo + i);
            FloatVector ht = FloatVector.fromArray(S, x, xo + i).sub(vc).mul(0.5f).add(vc);
            VectorMask<Float> fire = ht.sub(vth).compare(VectorOperators.GE, 0f);
            FloatVector zero = FloatVector.zero(S);
            ht.intoArray(h, ho + i);
            zero.blend(1f, fire).intoArray(s, so + i);
            ht.blend(zero, fire).intoArray(v, vo + i);
            fired += fire.trueCount();
        }
        if (i < n) fired += TAIL.lifStep(n - i, vth, x, xo + i, v, vo + i, h, ho + i, s, so + i);
        return fired;
    }

    /**
     * σ'(z) = 4σ(4z)(1 − σ(4z)) as {@code 4e/(1 + e)²} with {@code e = e^{−|4z|}} (the surrogate is
     * even), e by the same exponential as {@link #gelu}: plain lane arithmetic, the same bits compiled
     * or interpreted. Written out in one method for the reasons given there.
     */
    @Override
    public void lifBackward(int n, float vth, float[] h, float[] dS, float[] dx, int o, float[] dv, int dvo) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector one = FloatVector.broadcast(S, 1f);
            FloatVector half = FloatVector.broadcast(S, 0.5f);
            FloatVector z = FloatVector.fromArray(S, h, o + i).sub(vth);
            // e^{−w}, w = min(|4z|, 87): −w = k·ln 2 + r, e^r by its Taylor polynomial, 2^k in the exponent bits
            FloatVector w = z.abs().mul(4f).min(87f);
            FloatVector u = w.fma(FloatVector.broadcast(S, LOG2E), half);
            FloatVector nearest = u.add(ROUNDING).sub(ROUNDING);
            FloatVector floor = nearest.blend(nearest.sub(1f), nearest.compare(VectorOperators.GT, u));
            FloatVector kf = floor.neg();
            FloatVector r = kf.fma(FloatVector.broadcast(S, -LN2_HI), w.neg()).sub(kf.mul(LN2_LO));
            FloatVector e = FloatVector.broadcast(S, 1f / 5040);
            e = e.fma(r, FloatVector.broadcast(S, 1f / 720));
            e = e.fma(r, FloatVector.broadcast(S, 1f / 120));
            e = e.fma(r, FloatVector.broadcast(S, 1f / 24));
            e = e.fma(r, FloatVector.broadcast(S, 1f / 6));
            e = e.fma(r, half);
            e = e.fma(r, one);
            e = e.fma(r, one);
            IntVector minusK = floor.add(ROUNDING).reinterpretAsInts().sub(ROUNDING_BITS);
            e = e.mul(minusK.neg().add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
            FloatVector onePlus = e.add(one);
            FloatVector slope = e.mul(4f).div(onePlus.mul(onePlus));
            FloatVector carried = FloatVector.fromArray(S, dv, dvo + i).blend(0f, z.compare(VectorOperators.GE, 0f));
            FloatVector dh = FloatVector.fromArray(S, dS, o + i).fma(slope, carried);
            FloatVector halfDh = dh.mul(half);
            FloatVector.fromArray(S, dx, o + i).add(halfDh).intoArray(dx, o + i);
            halfDh.intoArray(dv, dvo + i);
        }
        if (i < n) TAIL.lifBackward(n - i, vth, h, dS, dx, o + i, dv, dvo + i);
    }

    @Override
    public void multiply(int n, float[] a, float[] b, float[] out, int o, boolean accumulate) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector base = accumulate ? FloatVector.fromArray(S, out, o + i) : FloatVector.zero(S);
            FloatVector.fromArray(S, a, o + i).fma(FloatVector.fromArray(S, b, o + i), base).intoArray(out, o + i);
        }
        for (; i < n; i++) out[o + i] = accumulate ? out[o + i] + a[o + i] * b[o + i] : a[o + i] * b[o + i];
    }

    @Override
    public void butterfly(int n, float[] re, float[] im, int a, int b, float wr, float wi) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector br = FloatVector.fromArray(S, re, b + i);
            FloatVector bi = FloatVector.fromArray(S, im, b + i);
            // separate multiplies and subtracts (no fma): the scalar kernel's bits
            FloatVector tr = br.mul(wr).sub(bi.mul(wi));
            FloatVector ti = bi.mul(wr).add(br.mul(wi));
            FloatVector ar = FloatVector.fromArray(S, re, a + i);
            FloatVector ai = FloatVector.fromArray(S, im, a + i);
            ar.sub(tr).intoArray(re, b + i);
            ai.sub(ti).intoArray(im, b + i);
            ar.add(tr).intoArray(re, a + i);
            ai.add(ti).intoArray(im, a + i);
        }
        for (; i < n; i++) {
            float xr = re[b + i], xi = im[b + i];
            float tr = wr * xr - wi * xi;
            float ti = wr * xi + wi * xr;
            float ar = re[a + i], ai = im[a + i];
            re[b + i] = ar - tr;
            im[b + i] = ai - ti;
            re[a + i] = ar + tr;
            im[a + i] = ai + ti;
        }
    }
}
