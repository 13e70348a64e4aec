package dev.lmuformer.engine;

/** Plain-Java kernels: the reference for the vector ones and the fallback without the Vector API. */
public final class ScalarKernels implements Kernels {
    private static final int MR = 4;
    private static final int NR = 16;

    @Override
    public String name() {
        return "scalar";
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
        float[] acc = new float[MR * NR];
        for (int p = 0; p < kc; p++) {
            int a = ao + p * aStep;
            int b = bo + p * NR;
            for (int r = 0; r < MR; r++) {
                float av = ap[a + r * aRow];
                int row = r * NR;
                for (int j = 0; j < NR; j++) acc[row + j] += av * bp[b + j];
            }
        }
        for (int r = 0; r < MR; r++) {
            int cr = co + r * ldc;
            for (int j = 0; j < NR; j++) c[cr + j] += acc[r * NR + j];
        }
    }

    @Override
    public void microRow(int kc, float[] ap, int ao, int aStep, float[] bp, int bo, float[] c, int co) {
        for (int j = 0; j < NR; j++) {
            float acc = 0f;
            for (int p = 0; p < kc; p++) acc += ap[ao + p * aStep] * bp[bo + p * NR + j];
            c[co + j] += acc;
        }
    }

    @Override
    public float dot(int n, float[] x, int xo, float[] y, int yo) {
        float s = 0f;
        for (int i = 0; i < n; i++) s += x[xo + i] * y[yo + i];
        return s;
    }

    @Override
    public void axpy(int n, float alpha, float[] x, int xo, float[] y, int yo) {
        for (int i = 0; i < n; i++) y[yo + i] += alpha * x[xo + i];
    }

    @Override
    public void add(int n, float[] x, int xo, float[] y, int yo) {
        for (int i = 0; i < n; i++) y[yo + i] += x[xo + i];
    }

    @Override
    public void scaleShift(int n, float[] x, int xo, float[] scale, float[] shift, float[] y, int yo) {
        for (int i = 0; i < n; i++) y[yo + i] = x[xo + i] * scale[i] + shift[i];
    }

    @Override
    public void reluBackward(int n, float[] gate, float[] dy, float[] dx, int o, boolean accumulate) {
        for (int i = o; i < o + n; i++) {
            float d = gate[i] > 0f ? dy[i] : 0f;
            dx[i] = accumulate ? dx[i] + d : d;
        }
    }

    private static final float INV_SQRT2 = (float) (1 / Math.sqrt(2));
    private static final float INV_SQRT_2PI = (float) (1 / Math.sqrt(2 * Math.PI));

    @Override
    public void gelu(int n, float[] x, float[] y, float[] slope, int o) {
        for (int i = o; i < o + n; i++) {
            float v = x[i];
            float cdf = 0.5f * (1f + MathF.erf(v * INV_SQRT2));
            y[i] = v * cdf;
            slope[i] = cdf + v * INV_SQRT_2PI * (float) Math.exp(-0.5 * v * v);
        }
    }

    @Override
    public void multiply(int n, float[] a, float[] b, float[] out, int o, boolean accumulate) {
        for (int i = o; i < o + n; i++) out[i] = accumulate ? out[i] + a[i] * b[i] : a[i] * b[i];
    }

    @Override
    public void butterfly(int n, float[] re, float[] im, int a, int b, float wr, float wi) {
        for (int i = 0; i < n; i++) {
            float br = re[b + i], bi = im[b + i];
            float tr = wr * br - wi * bi;
            float ti = wr * bi + wi * br;
            float ar = re[a + i], ai = im[a + i];
            re[b + i] = ar - tr;
            im[b + i] = ai - ti;
            re[a + i] = ar + tr;
            im[a + i] = ai + ti;
        }
    }

    @Override
    public int lifStep(int n, float vth, float[] x, int xo, float[] v, int vo, float[] h, int ho, float[] s, int so) {
        int fired = 0;
        for (int c = 0; c < n; c++) {
            float vc = v[vo + c];
            float ht = vc + (x[xo + c] - vc) * 0.5f; // the same bits as / τ for τ = 2
            boolean fire = ht - vth >= 0f;
            h[ho + c] = ht;
            s[so + c] = fire ? 1f : 0f;
            v[vo + c] = fire ? 0f : ht;
            if (fire) fired++;
        }
        return fired;
    }

    @Override
    public void lifBackward(int n, float vth, float[] h, float[] dS, float[] dx, int o, float[] dv, int dvo) {
        for (int c = 0; c < n; c++) {
            float z = h[o + c] - vth;
            float sg = (float) (1 / (1 + Math.exp(-4.0 * z)));
            float dh = dS[o + c] * 4f * sg * (1 - sg) + (z >= 0f ? 0f : dv[dvo + c]);
            dx[o + c] += dh * 0.5f;
            dv[dvo + c] = dh * 0.5f;
        }
    }
}
