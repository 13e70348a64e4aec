package dev.lmuformer.engine;

/**
 * A "same" convolution with kernel 3 by Winograd's minimal filtering F(4, 3) (Lavin &amp; Gray,
 * 2016): each tile of 4 output frames needs 6 products per channel pair instead of 12, so the
 * channel-mixing work — six GEMMs over a quarter of the rows — halves.
 *
 * <p>Activations are channels-last {@code [B, N, C]}; frames outside the sequence are zeros.
 * With tiles {@code d = x[t0−1 … t0+4]} the output is {@code y[t0+r] = Σ_k Aᵀ[r][k] · (Bᵀd)_k · (Gg)_k}
 * with the matrices of F(4, 3) at the points 0, ±1, ±2, ∞ (Bᵀ and Aᵀ written out in the transforms below).
 * Rounding differs from the direct sum by a few float32 ulps of the largest terms (the transform
 * coefficients reach 8); the parity tests bound it. In a training step of the patch embedding
 * (16,384 rows deep) the weight gradients agree with float64 to under 1e-6 relative (L2), as the
 * direct form's do; where a step shows 1e-4 to 2e-3, a ReLU input within float32 rounding of zero
 * took the other side than in float64 — a kink, which any float32 order meets — and the
 * convolutions are exact again once that side is taken ({@code PatchEmbedGradientPrecisionTest}).
 */
public final class Winograd {
    private static final int TILE = 4;
    private static final int POINTS = 6;
    private static final double[][] G = {
            {1 / 4.0, 0, 0},
            {-1 / 6.0, -1 / 6.0, -1 / 6.0},
            {-1 / 6.0, 1 / 6.0, -1 / 6.0},
            {1 / 24.0, 1 / 12.0, 1 / 6.0},
            {1 / 24.0, -1 / 12.0, 1 / 6.0},
            {0, 0, 1}};

    private Winograd() {
    }

    /**
     * Transforms a weight {@code W [O, I, 3]} into six {@code [in', out']} matrices {@code U_k = Σ_s G[k][s]·W_s}.
     * Forward: in' = I, out' = O and U_k(i, o) uses W[o][i][s]. With {@code forInputGradient} the
     * roles swap (in' = O, out' = I) and the taps are flipped: the input gradient of the
     * convolution is the convolution of dy with the flipped, transposed kernel. The matrices go to
     * the workspace's own buffer (returned), so a training step allocates nothing here.
     */
    public static float[] transformWeights(float[] w, int out, int in, boolean forInputGradient, Workspace ws) {
        int rows = forInputGradient ? out : in;
        int cols = forInputGradient ? in : out;
        if (ws.u.length < POINTS * rows * cols) ws.u = new float[POINTS * rows * cols];
        float[] u = ws.u;
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
        float[] g = new float[0];
        float[] u = new float[0];
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
        transformInput(x, batch, frames, cin, ws);
        for (int k = 0; k < POINTS; k++) {
            Gemm.gemm(tiles, cout, cin, v, k * tiles * cin, cin, 1, u, k * cin * cout, cout, 1, m, k * tiles * cout, cout, false);
        }
        Parallel.forChunks(tiles, 16, (from, to) -> {
            for (int tile = from; tile < to; tile++) {
                int b = tile / tilesPerSeq;
                int t0 = (tile % tilesPerSeq) * TILE;
                outputTransform(m, tile * cout, tiles * cout, cout, y, (b * frames + t0) * cout, Math.min(TILE, frames - t0), accumulate);
            }
        });
    }

    /** {@code ws.v = Bᵀ·d} for every tile d of x {@code [B, N, c]}: v {@code (6, T, c)}. */
    private static void transformInput(float[] x, int batch, int frames, int c, Workspace ws) {
        float[] v = ws.v;
        int tilesPerSeq = (frames + TILE - 1) / TILE;
        int tiles = batch * tilesPerSeq;
        Parallel.forChunks(tiles, 16, (from, to) -> {
            float[] padded = new float[POINTS * c]; // the tile's six input rows where some fall outside the sequence
            for (int tile = from; tile < to; tile++) {
                int b = tile / tilesPerSeq;
                int t0 = (tile % tilesPerSeq) * TILE;
                if (t0 >= 1 && t0 + 4 < frames) { // interior tile: the six rows are contiguous in x
                    inputTransform(x, (b * frames + t0 - 1) * c, c, v, tile * c, tiles * c);
                    continue;
                }
                for (int l = 0; l < POINTS; l++) {
                    int t = t0 - 1 + l;
                    if (t >= 0 && t < frames) {
                        System.arraycopy(x, (b * frames + t) * c, padded, l * c, c);
                    } else {
                        java.util.Arrays.fill(padded, l * c, (l + 1) * c, 0f);
                    }
                }
                inputTransform(padded, 0, c, v, tile * c, tiles * c);
            }
        });
    }

    /** v_k = (Bᵀ d)_k for the six rows d_l = src[base + l·c + i], written at v[dst + k·step + i]. */
    private static void inputTransform(float[] src, int base, int c, float[] v, int dst, int step) {
        int d0 = base, d1 = base + c, d2 = base + 2 * c, d3 = base + 3 * c, d4 = base + 4 * c, d5 = base + 5 * c;
        int v0 = dst, v1 = dst + step, v2 = dst + 2 * step, v3 = dst + 3 * step, v4 = dst + 4 * step, v5 = dst + 5 * step;
        for (int i = 0; i < c; i++) {
            float x0 = src[d0 + i], x1 = src[d1 + i], x2 = src[d2 + i], x3 = src[d3 + i], x4 = src[d4 + i], x5 = src[d5 + i];
            v[v0 + i] = 4 * x0 - 5 * x2 + x4;
            v[v1 + i] = -4 * (x1 + x2) + x3 + x4;
            v[v2 + i] = 4 * (x1 - x2) - x3 + x4;
            v[v3 + i] = 2 * (x3 - x1) - x2 + x4;
            v[v4 + i] = 2 * (x1 - x3) - x2 + x4;
            v[v5 + i] = 4 * x1 - 5 * x3 + x5;
        }
    }

    /** y[t0 + r] (+)= (Aᵀ m)_r for r &lt; rows, from the six products m_k = m[src + k·step + o]. */
    private static void outputTransform(float[] m, int src, int step, int c, float[] y, int dst, int rows, boolean accumulate) {
        int m0 = src, m1 = src + step, m2 = src + 2 * step, m3 = src + 3 * step, m4 = src + 4 * step, m5 = src + 5 * step;
        if (rows == TILE) { // written, not cleared and then added to: one pass over y
            int y1 = dst + c, y2 = dst + 2 * c, y3 = dst + 3 * c;
            for (int o = 0; o < c; o++) {
                float p0 = m[m0 + o], p1 = m[m1 + o], p2 = m[m2 + o], p3 = m[m3 + o], p4 = m[m4 + o], p5 = m[m5 + o];
                float s12 = p1 + p2, d12 = p1 - p2, s34 = p3 + p4, d34 = p3 - p4;
                float v0 = p0 + s12 + s34, v1 = d12 + 2 * d34, v2 = s12 + 4 * s34, v3 = d12 + 8 * d34 + p5;
                y[dst + o] = accumulate ? y[dst + o] + v0 : v0;
                y[y1 + o] = accumulate ? y[y1 + o] + v1 : v1;
                y[y2 + o] = accumulate ? y[y2 + o] + v2 : v2;
                y[y3 + o] = accumulate ? y[y3 + o] + v3 : v3;
            }
            return;
        }
        for (int o = 0; o < c; o++) {
            float p0 = m[m0 + o], p1 = m[m1 + o], p2 = m[m2 + o], p3 = m[m3 + o], p4 = m[m4 + o], p5 = m[m5 + o];
            float s12 = p1 + p2, d12 = p1 - p2, s34 = p3 + p4, d34 = p3 - p4;
            for (int r = 0; r < rows; r++) {
                float v = r == 0 ? p0 + s12 + s34 : r == 1 ? d12 + 2 * d34 : s12 + 4 * s34; // rows < 4 here
                y[dst + r * c + o] = accumulate ? y[dst + r * c + o] + v : v;
            }
        }
    }

    /**
     * The weight gradient of {@link #conv3} by the same minimal filtering:
     * {@code dW[o][i][s] += Σ_k G[k][s] · Σ_tiles (A·dy)_k[o] · (Bᵀx)_k[i]} — six GEMMs of
     * {@code cout × cin × tiles} instead of three of {@code cout × cin × rows}, half the work.
     * x {@code [B, N, cin]}, dy {@code [B, N, cout]}, dw {@code [cout, cin, 3]}.
     *
     * @param inputTransformed the caller's word that the workspace's last {@link #conv3} was the
     *                         forward over this x, of this shape, and that x has not changed since:
     *                         its transform is then reused; nothing here checks it
     */
    public static void weightGradient(float[] x, float[] dy, int batch, int frames, int cin, int cout, float[] dw, boolean inputTransformed,
                                      Workspace ws) {
        int tilesPerSeq = (frames + TILE - 1) / TILE;
        int tiles = batch * tilesPerSeq;
        if (ws.v.length < POINTS * tiles * cin) ws.v = new float[POINTS * tiles * cin];
        if (ws.g.length < POINTS * tiles * cout) ws.g = new float[POINTS * tiles * cout];
        if (ws.m.length < POINTS * cout * cin) ws.m = new float[POINTS * cout * cin];
        float[] v = ws.v; // (6, T, cin)
        float[] g = ws.g; // (6, T, cout)
        float[] m = ws.m; // (6, cout, cin)
        if (!inputTransformed) transformInput(x, batch, frames, cin, ws);
        Parallel.forChunks(tiles, 16, (from, to) -> {
            float[] dyTile = new float[TILE * cout]; // a last tile's rows, zero-padded past the sequence's end
            for (int tile = from; tile < to; tile++) {
                int b = tile / tilesPerSeq;
                int t0 = (tile % tilesPerSeq) * TILE;
                int rows = Math.min(TILE, frames - t0);
                if (rows == TILE) {
                    gradientTransform(dy, (b * frames + t0) * cout, cout, g, tile * cout, tiles * cout);
                } else {
                    System.arraycopy(dy, (b * frames + t0) * cout, dyTile, 0, rows * cout);
                    java.util.Arrays.fill(dyTile, rows * cout, TILE * cout, 0f);
                    gradientTransform(dyTile, 0, cout, g, tile * cout, tiles * cout);
                }
            }
        });
        for (int k = 0; k < POINTS; k++) {
            Gemm.gemm(cout, cin, tiles, g, k * tiles * cout, 1, cout, v, k * tiles * cin, cin, 1, m, k * cout * cin, cin, false);
        }
        Parallel.forChunks(cout, 8, (from, to) -> {
            for (int o = from; o < to; o++) {
                for (int i = 0; i < cin; i++) {
                    int at = o * cin + i;
                    for (int tap = 0; tap < 3; tap++) {
                        double s = 0;
                        for (int k = 0; k < POINTS; k++) s += G[k][tap] * m[k * cout * cin + at];
                        dw[at * 3 + tap] += (float) s;
                    }
                }
            }
        });
    }

    /** (A·dy)_k for the tile's four output-gradient rows dy_r = src[base + r·c + o], written at g[dst + k·step + o]. */
    private static void gradientTransform(float[] src, int base, int c, float[] g, int dst, int step) {
        for (int o = 0; o < c; o++) {
            float y0 = src[base + o], y1 = src[base + c + o], y2 = src[base + 2 * c + o], y3 = src[base + 3 * c + o];
            float s02 = y0 + y2, s13 = y1 + y3;
            float t02 = y0 + 4 * y2, t13 = 2 * y1 + 8 * y3;
            g[dst + o] = y0;
            g[dst + step + o] = s02 + s13;
            g[dst + 2 * step + o] = s02 - s13;
            g[dst + 3 * step + o] = t02 + t13;
            g[dst + 4 * step + o] = t02 - t13;
            g[dst + 5 * step + o] = y3;
        }
    }
}
