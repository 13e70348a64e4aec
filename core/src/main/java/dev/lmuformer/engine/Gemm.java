package dev.lmuformer.engine;

/**
 * General matrix product {@code C (+)= A·B} on strided float arrays, blocked and packed (BLIS
 * style) around the {@link Kernels#microTile} micro-kernel and spread over {@link Parallel}.
 *
 * <p>Matrices are addressed by strides, so transposes cost nothing to express:
 * {@code A(i,p) = a[aOff + i·aRow + p·aCol]}, {@code B(p,j) = b[bOff + p·bRow + j·bCol]},
 * {@code C(i,j) = c[cOff + i·ldc + j]}. For example {@code X·Wᵀ} with X [R, I] and W [O, I]
 * row-major is {@code gemm(R, O, I, x, 0, I, 1, w, 0, 1, I, y, 0, O, false)}.
 */
public final class Gemm {
    /** Depth of a packed block: an mr×KC A panel plus a KC×nr B panel stay in L1/L2. */
    private static final int KC = 256;
    /** Rows of A packed per task. */
    private static final int MC = 96;
    /** Columns of B packed at once (at most 1 MiB of packed B with KC = 256). */
    private static final int NC = 1024;
    /** Below this many multiply-adds a plain loop beats packing. */
    private static final long SMALL = 16 * 1024;

    private static final ThreadLocal<float[]> A_PACK = new ThreadLocal<>();
    private static final ThreadLocal<float[]> EDGE = new ThreadLocal<>();
    private static final ThreadLocal<float[]> B_PACK = new ThreadLocal<>();

    private Gemm() {
    }

    /** {@code C = A·B} (or {@code C += A·B} when {@code accumulate}); see the class comment for addressing. */
    public static void gemm(int m, int n, int k,
                            float[] a, int aOff, int aRow, int aCol,
                            float[] b, int bOff, int bRow, int bCol,
                            float[] c, int cOff, int ldc, boolean accumulate) {
        gemm(m, n, k, a, aOff, aRow, aCol, null, b, bOff, bRow, bCol, null, c, cOff, ldc, accumulate);
    }

    /**
     * As {@link #gemm(int, int, int, float[], int, int, int, float[], int, int, int, float[], int, int, boolean)},
     * with optional row maps: row i of A is read from source row {@code aRows[i]} and row p of B
     * from {@code bRows[p]}; a negative entry stands for a row of zeros. This expresses a k=3
     * convolution with zero padding as three shifted products without copying the input.
     */
    public static void gemm(int m, int n, int k,
                            float[] a, int aOff, int aRow, int aCol, int[] aRows,
                            float[] b, int bOff, int bRow, int bCol, int[] bRows,
                            float[] c, int cOff, int ldc, boolean accumulate) {
        if (m <= 0 || n <= 0) return;
        Kernels kern = Kernels.get();
        boolean mapped = aRows != null || bRows != null; // only the packed path reads row maps
        boolean blocked = k > 0 && (mapped || (long) m * n * k > SMALL && n >= kern.nr() / 2);
        if (!accumulate && !blocked) {
            Parallel.forChunks(m, 64, (from, to) -> {
                for (int i = from; i < to; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            });
        }
        if (k <= 0) return;
        if (!mapped && (long) m * n * k <= SMALL) {
            naive(m, n, k, a, aOff, aRow, aCol, b, bOff, bRow, bCol, c, cOff, ldc);
            return;
        }
        if (!mapped && n < kern.nr() / 2) {
            // Tall-skinny products (a Linear with 1 output): dot products along contiguous rows.
            narrow(kern, m, n, k, a, aOff, aRow, aCol, b, bOff, bRow, bCol, c, cOff, ldc);
            return;
        }
        int mr = kern.mr();
        int nr = kern.nr();
        int threads = Parallel.threads();
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            int panels = (nc + nr - 1) / nr;
            float[] bPack = buffer(B_PACK, Math.min(KC, k) * panels * nr);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                int p0 = pc;
                int bBase = bOff + jc * bCol;
                Parallel.forChunks(panels, 4, (from, to) -> {
                    for (int jr = from; jr < to; jr++) packB(kc, p0, nr, Math.min(nr, nc - jr * nr), b, bBase + jr * nr * bCol, bRow, bCol, bRows, bPack, jr * kc * nr);
                });
                // Tasks: blocks of MC rows, further split over B panels when rows are few.
                int mc = Math.min(MC, ((m + mr - 1) / mr) * mr);
                int mBlocks = (m + mc - 1) / mc;
                int nSplit = Math.max(1, Math.min(panels, (2 * threads + mBlocks - 1) / mBlocks));
                int aBase = aOff + pc * aCol;
                int cBase = cOff + jc;
                // The first depth block clears each C tile just before adding into it, while it is
                // in cache, instead of a separate pass over C.
                boolean clear = pc == 0 && !accumulate;
                Parallel.forEach(mBlocks * nSplit, t -> {
                    int ib = t / nSplit;
                    int js = t % nSplit;
                    int i0 = ib * mc;
                    int rows = Math.min(mc, m - i0);
                    int firstPanel = panels * js / nSplit;
                    int endPanel = panels * (js + 1) / nSplit;
                    block(kern, kc, rows, i0, firstPanel, endPanel, nc, a, aBase, aRow, aCol, aRows, bPack, c, cBase + i0 * ldc, ldc, clear);
                });
            }
        }
    }

    /**
     * Rows i0..i0+rows against B panels p0..p1. A is read in place when its rows are contiguous;
     * otherwise (a transposed or gathered A) and for a short last strip it is packed, zero-padded.
     */
    private static void block(Kernels kern, int kc, int rows, int i0, int p0, int p1, int nc,
                              float[] a, int aBase, int aRow, int aCol, int[] aRows, float[] bPack, float[] c, int cBase, int ldc, boolean clear) {
        int mr = kern.mr();
        int nr = kern.nr();
        int strips = (rows + mr - 1) / mr;
        boolean inPlace = aRows == null && aCol == 1;
        int firstPacked = inPlace ? rows / mr : 0;
        float[] aPack = buffer(A_PACK, Math.max(1, strips - firstPacked) * mr * kc);
        for (int s = firstPacked; s < strips; s++) {
            packA(kc, mr, i0 + s * mr, Math.min(mr, rows - s * mr), a, aBase, aRow, aCol, aRows, aPack, (s - firstPacked) * mr * kc);
        }
        float[] edge = buffer(EDGE, mr * nr);
        for (int jr = p0; jr < p1; jr++) {
            int cols = Math.min(nr, nc - jr * nr);
            int bo = jr * kc * nr;
            for (int s = 0; s < strips; s++) {
                int rs = Math.min(mr, rows - s * mr);
                int co = cBase + s * mr * ldc + jr * nr;
                float[] src = s < firstPacked ? a : aPack;
                int ao = s < firstPacked ? aBase + (i0 + s * mr) * aRow : (s - firstPacked) * mr * kc;
                int rowStride = s < firstPacked ? aRow : 1;
                int stepStride = s < firstPacked ? aCol : mr;
                if (clear) {
                    for (int r = 0; r < rs; r++) java.util.Arrays.fill(c, co + r * ldc, co + r * ldc + cols, 0f);
                }
                if (rs == mr && cols == nr) {
                    kern.microTile(kc, src, ao, rowStride, stepStride, bPack, bo, c, co, ldc);
                } else {
                    java.util.Arrays.fill(edge, 0f);
                    kern.microTile(kc, src, ao, rowStride, stepStride, bPack, bo, edge, 0, nr);
                    for (int r = 0; r < rs; r++) {
                        for (int j = 0; j < cols; j++) c[co + r * ldc + j] += edge[r * nr + j];
                    }
                }
            }
        }
    }

    private static float[] buffer(ThreadLocal<float[]> holder, int size) {
        float[] buf = holder.get();
        if (buf == null || buf.length < size) {
            buf = new float[size];
            holder.set(buf);
        }
        return buf;
    }

    /** Packs rows p0..p0+kc of B (cols columns) into an nr-wide panel, zero-padding the rest. */
    private static void packB(int kc, int p0, int nr, int cols, float[] b, int bo, int bRow, int bCol, int[] bRows, float[] dst, int d) {
        for (int p = 0; p < kc; p++) {
            int row = d + p * nr;
            int srcRow = bRows == null ? p0 + p : bRows[p0 + p];
            if (srcRow < 0) {
                java.util.Arrays.fill(dst, row, row + nr, 0f);
                continue;
            }
            int src = bo + srcRow * bRow;
            if (bCol == 1) {
                System.arraycopy(b, src, dst, row, cols);
            } else {
                for (int j = 0; j < cols; j++) dst[row + j] = b[src + j * bCol];
            }
            for (int j = cols; j < nr; j++) dst[row + j] = 0f;
        }
    }

    /** Packs rows i0..i0+rows of A (kc columns from ao) into an mr-tall panel (k-major), zero-padding the rest. */
    private static void packA(int kc, int mr, int i0, int rows, float[] a, int ao, int aRow, int aCol, int[] aRows, float[] dst, int d) {
        if (aRows == null && aRow == 1 && rows == mr) {
            // A transposed (a gradient dYᵀ): the strip's mr values at each step are contiguous.
            for (int p = 0; p < kc; p++) {
                int src = ao + i0 + p * aCol;
                int to = d + p * mr;
                for (int r = 0; r < mr; r++) dst[to + r] = a[src + r];
            }
            return;
        }
        for (int r = 0; r < mr; r++) {
            int srcRow = r >= rows ? -1 : aRows == null ? i0 + r : aRows[i0 + r];
            if (srcRow < 0) {
                for (int p = 0; p < kc; p++) dst[d + p * mr + r] = 0f;
                continue;
            }
            int src = ao + srcRow * aRow;
            for (int p = 0; p < kc; p++) dst[d + p * mr + r] = a[src + p * aCol];
        }
    }

    private static void narrow(Kernels kern, int m, int n, int k, float[] a, int aOff, int aRow, int aCol,
                               float[] b, int bOff, int bRow, int bCol, float[] c, int cOff, int ldc) {
        if (aCol != 1 || bRow != 1) {
            Parallel.forChunks(m, 64, (from, to) ->
                    naive(to - from, n, k, a, aOff + from * aRow, aRow, aCol, b, bOff, bRow, bCol, c, cOff + from * ldc, ldc));
            return;
        }
        Parallel.forChunks(m, 64, (from, to) -> {
            for (int i = from; i < to; i++) {
                for (int j = 0; j < n; j++) c[cOff + i * ldc + j] += kern.dot(k, a, aOff + i * aRow, b, bOff + j * bCol);
            }
        });
    }

    /** The textbook triple loop: the reference the blocked path is tested against. */
    public static void naive(int m, int n, int k, float[] a, int aOff, int aRow, int aCol,
                             float[] b, int bOff, int bRow, int bCol, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = 0f;
                for (int p = 0; p < k; p++) s += a[aOff + i * aRow + p * aCol] * b[bOff + p * bRow + j * bCol];
                c[cOff + i * ldc + j] += s;
            }
        }
    }
}
