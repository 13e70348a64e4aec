package dev.lmuformer.engine;

/**
 * A "same" convolution with kernel 3 by Winograd's minimal filtering F(4, 3) (Lavin &amp; Gray,
 * 2016): each tile of 4 output frames needs 6 products per channel pair instead of 12, so the
 * channel-mixing work — six GEMMs over a quarter of the rows — halves.
 *
 * <p>Activations are channels-last {@code [B, N, C]}; frames outside the sequence are zeros.
 * With tiles {@code d = x[t0−1 … t0+4]} the output is {@code y[t0+r] = Σ_k Aᵀ[r][k] · (Bᵀd)_k · (Gg)_k}.
 * Rounding differs from the direct sum by a few float32 ulps of the largest terms (the transform
 * coefficients reach 8); the parity tests bound it.
 */
public final class Winograd {
    private static final int TILE = 4;
    private static final int POINTS = 6;
    private static final float[][] BT = {
            {4, 0, -5, 0, 1, 0},
            {0, -4, -4, 1, 1, 0},
            {0, 4, -4, -1, 1, 0},
            {0, -2, -1, 2, 1, 0},
            {0, 2, -1, -2, 1, 0},
            {0, 4, 0, -5, 0, 1}};
    private static final double[][] G = {
            {1 / 4.0, 0, 0},
            {-1 / 6.0, -1 / 6.0, -1 / 6.0},
            {-1 / 6.0, 1 / 6.0, -1 / 6.0},
            {1 / 24.0, 1 / 12.0, 1 / 6.0},
            {1 / 24.0, -1 / 12.0, 1 / 6.0},
            {0, 0, 1}};
    private static final float[][] AT = {
            {1, 1, 1, 1, 1, 0},
            {0, 1, -1, 2, -2, 0},
            {0, 1, 1, 4, 4, 0},
            {0, 1, -1, 8, -8, 1}};

    private Winograd() {
    }

    /**
     * Transforms a weight {@code W [O, I, 3]} into six {@code [in', out']} matrices {@code U_k = Σ_s G[k][s]·W_s}.
     * Forward: in' = I, out' = O and U_k(i, o) uses W[o][i][s]. With {@code forInputGradient} the
     * roles swap (in' = O, out' = I) and the taps are flipped: the input gradient of the
     * convolution is the convolution of dy with the flipped, transposed kernel.
     */
    public static float[] transformWeights(float[] w, int out, int in, boolean forInputGradient) {
        int rows = forInputGradient ? out : in;
        int cols = forInputGradient ? in : out;
        float[] u = new float[POINTS * rows * cols];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                int base = (o * in + i) * 3;
                for (int k = 0; k < POINTS; k++) {
                    double s = 0;
                    for (int tap = 0; tap < 3; tap++) {
                        int src = forInputGradient ? 2 - tap : tap;
                        s += G[k][tap] * w[base + src];
                    }
                    int idx = forInputGradient ? o * cols + i : i * cols + o;
                    u[k * rows * cols + idx] = (float) s;
                }
            }
        }
        return u;
    }

    /** Reusable buffers for the transformed input and products (grown on demand). */
    public static final class Workspace {
        float[] v = new float[0];
        float[] m = new float[0];
    }

    /**
     * {@code y (+)= conv3(x)} with pre-transformed weights {@code u} from {@link #transformWeights}:
     * x {@code [B, N, cin]} → y {@code [B, N, cout]}.
     */
    public static void conv3(float[] x, int batch, int frames, int cin, int cout, float[] u, float[] y,
                             boolean accumulate, Workspace ws) {
        int tilesPerSeq = (frames + TILE - 1) / TILE;
        int tiles = batch * tilesPerSeq;
        if (ws.v.length < POINTS * tiles * cin) ws.v = new float[POINTS * tiles * cin];
        if (ws.m.length < POINTS * tiles * cout) ws.m = new float[POINTS * tiles * cout];
        float[] v = ws.v; // (6, T, cin)
        float[] m = ws.m; // (6, T, cout)
        Parallel.forChunks(tiles, 16, (from, to) -> {
            float[] d = new float[POINTS * cin];
            for (int tile = from; tile < to; tile++) {
                int b = tile / tilesPerSeq;
                int t0 = (tile % tilesPerSeq) * TILE;
                for (int l = 0; l < POINTS; l++) {
                    int t = t0 - 1 + l;
                    if (t >= 0 && t < frames) {
                        System.arraycopy(x, (b * frames + t) * cin, d, l * cin, cin);
                    } else {
                        java.util.Arrays.fill(d, l * cin, (l + 1) * cin, 0f);
                    }
                }
                for (int k = 0; k < POINTS; k++) {
                    int dst = (k * tiles + tile) * cin;
                    float[] bk = BT[k];
                    for (int i = 0; i < cin; i++) {
                        v[dst + i] = bk[0] * d[i] + bk[1] * d[cin + i] + bk[2] * d[2 * cin + i]
                                + bk[3] * d[3 * cin + i] + bk[4] * d[4 * cin + i] + bk[5] * d[5 * cin + i];
                    }
                }
            }
        });
        for (int k = 0; k < POINTS; k++) {
            Gemm.gemm(tiles, cout, cin, v, k * tiles * cin, cin, 1, u, k * cin * cout, cout, 1, m, k * tiles * cout, cout, false);
        }
        Parallel.forChunks(tiles, 16, (from, to) -> {
            for (int tile = from; tile < to; tile++) {
                int b = tile / tilesPerSeq;
                int t0 = (tile % tilesPerSeq) * TILE;
                for (int r = 0; r < TILE && t0 + r < frames; r++) {
                    float[] ar = AT[r];
                    int dst = (b * frames + t0 + r) * cout;
                    int m0 = tile * cout, step = tiles * cout;
                    int m1 = m0 + step, m2 = m1 + step, m3 = m2 + step, m4 = m3 + step, m5 = m4 + step;
                    float a0 = ar[0], a1 = ar[1], a2 = ar[2], a3 = ar[3], a4 = ar[4], a5 = ar[5];
                    for (int o = 0; o < cout; o++) {
                        float s = a0 * m[m0 + o] + a1 * m[m1 + o] + a2 * m[m2 + o] + a3 * m[m3 + o] + a4 * m[m4 + o] + a5 * m[m5 + o];
                        y[dst + o] = accumulate ? y[dst + o] + s : s;
                    }
                }
            }
        });
    }
}
