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
    /** Below this many multiply-adds per depth block the pool's hand-over costs more than it saves. */
    private static final long PARALLEL_WORK = 1 << 19;

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
        int nr = kern.nr();
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
                multiply(kern, m, nc, kc, a, aOff + pc * aCol, aRow, aCol, aRows, bPack, 0, c, cOff + jc, ldc, pc == 0 && !accumulate);
            }
        }
    }

    /**
     * A matrix B [k, n] packed once into the panels the micro-kernel reads, for repeated products
     * {@code A·B} with a constant B (the weights of streaming inference): each product then skips
     * the packing. Immutable once built, so any number of threads may share it.
     */
    public static final class Packed {
        private final int rows;
        private final int cols;
        private final int nr;
        private final float[] data; // per NC column block, per KC depth block: kc × nr panels, zero-padded

        private Packed(int rows, int cols, int nr) {
            this.rows = rows;
            this.cols = cols;
            this.nr = nr;
            data = new float[rows * ((cols + nr - 1) / nr) * nr];
        }

        /** k, the rows of B. */
        public int rows() {
            return rows;
        }

        /** n, the columns of B. */
        public int cols() {
            return cols;
        }

        /** Start of the panels of column block jc, depth block pc. */
        private int offset(int jc, int pc) {
            int panels = (Math.min(NC, cols - jc) + nr - 1) / nr;
            return jc * rows + pc * panels * nr;
        }
    }

    /** Packs B [k, n] ({@code B(p,j) = b[bOff + p·bRow + j·bCol]}) for {@link #gemm(int, float[], int, int, int, Packed, float[], int, int, boolean)}. */
    public static Packed pack(int k, int n, float[] b, int bOff, int bRow, int bCol) {
        if (k < 1 || n < 1) throw new IllegalArgumentException("packed matrix must be at least 1×1, got " + k + "×" + n);
        Packed p = new Packed(k, n, Kernels.get().nr());
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                int base = p.offset(jc, pc);
                for (int jr = 0; jr * p.nr < nc; jr++) {
                    packB(kc, pc, p.nr, Math.min(p.nr, nc - jr * p.nr), b, bOff + (jc + jr * p.nr) * bCol, bRow, bCol, null, p.data, base + jr * kc * p.nr);
                }
            }
        }
        return p;
    }

    /**
     * {@code C = A·B} (or {@code C += A·B} when {@code accumulate}) for m rows of A
     * ({@code A(i,p) = a[aOff + i·aRow + p·aCol]}) and a packed B. A row of C gets the same bits
     * whatever m is and however the work is split over threads, and the same as the unpacked
     * {@link #gemm(int, int, int, float[], int, int, int, float[], int, int, int, float[], int, int, boolean) gemm}
     * on its blocked path.
     */
    public static void gemm(int m, float[] a, int aOff, int aRow, int aCol, Packed b, float[] c, int cOff, int ldc, boolean accumulate) {
        if (m <= 0) return;
        Kernels kern = Kernels.get();
        for (int jc = 0; jc < b.cols; jc += NC) {
            int nc = Math.min(NC, b.cols - jc);
            for (int pc = 0; pc < b.rows; pc += KC) {
                multiply(kern, m, nc, Math.min(KC, b.rows - pc), a, aOff + pc * aCol, aRow, aCol, null,
                        b.data, b.offset(jc, pc), c, cOff + jc, ldc, pc == 0 && !accumulate);
            }
        }
    }

    /**
     * {@code C += A·B} (C cleared first when {@code clear}) for one packed depth block of B:
     * tasks are blocks of MC rows, further split over B panels when rows are few; products too
     * small to repay a hand-over to the pool run on the calling thread.
     */
    private static void multiply(Kernels kern, int m, int nc, int kc, float[] a, int aBase, int aRow, int aCol, int[] aRows,
                                 float[] bPack, int bBase, float[] c, int cBase, int ldc, boolean clear) {
        int mr = kern.mr();
        int panels = (nc + kern.nr() - 1) / kern.nr();
        int mc = Math.min(MC, ((m + mr - 1) / mr) * mr);
        int mBlocks = (m + mc - 1) / mc;
        if ((long) m * nc * kc < PARALLEL_WORK || Parallel.serial()) {
            for (int ib = 0; ib < mBlocks; ib++) {
                int i0 = ib * mc;
                block(kern, kc, Math.min(mc, m - i0), i0, 0, panels, nc, a, aBase, aRow, aCol, aRows, bPack, bBase, c, cBase + i0 * ldc, ldc, clear);
            }
            return;
        }
        int nSplit = Math.max(1, Math.min(panels, (2 * Parallel.threads() + mBlocks - 1) / mBlocks));
        Parallel.forEach(mBlocks * nSplit, t -> {
            int i0 = t / nSplit * mc;
            int js = t % nSplit;
            block(kern, kc, Math.min(mc, m - i0), i0, panels * js / nSplit, panels * (js + 1) / nSplit, nc,
                    a, aBase, aRow, aCol, aRows, bPack, bBase, c, cBase + i0 * ldc, ldc, clear);
        });
    }

    /**
     * Rows i0..i0+rows against B panels p0..p1. A is read in place when its rows are contiguous;
     * otherwise (a transposed or gathered A) and for a short last strip it is packed, zero-padded.
     * A strip of only a row or two goes row by row ({@link Kernels#microRow}, the same sums as the
     * tile's rows) rather than through a mostly empty tile.
     */
    private static void block(Kernels kern, int kc, int rows, int i0, int p0, int p1, int nc,
                              float[] a, int aBase, int aRow, int aCol, int[] aRows, float[] bPack, int bBase, float[] c, int cBase, int ldc, boolean clear) {
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
            int bo = bBase + jr * kc * nr;
            for (int s = 0; s < strips; s++) {
                int rs = Math.min(mr, rows - s * mr);
                int co = cBase + s * mr * ldc + jr * nr;
                float[] src = s < firstPacked ? a : aPack;
                int ao = s < firstPacked ? aBase + (i0 + s * mr) * aRow : (s - firstPacked) * mr * kc;
                int rowStride = s < firstPacked ? aRow : 1;
                int stepStride = s < firstPacked ? aCol : mr;
                if (clear) { // each C tile is cleared just before the first adds into it, while in cache
                    for (int r = 0; r < rs; r++) java.util.Arrays.fill(c, co + r * ldc, co + r * ldc + cols, 0f);
                }
                boolean byRow = 2 * rs < mr;
                if (rs == mr && cols == nr) {
                    kern.microTile(kc, src, ao, rowStride, stepStride, bPack, bo, c, co, ldc);
                } else if (byRow && cols == nr) {
                    for (int r = 0; r < rs; r++) kern.microRow(kc, src, ao + r * rowStride, stepStride, bPack, bo, c, co + r * ldc);
                } else {
                    java.util.Arrays.fill(edge, 0f);
                    if (byRow) {
                        for (int r = 0; r < rs; r++) kern.microRow(kc, src, ao + r * rowStride, stepStride, bPack, bo, edge, r * nr);
                    } else {
                        kern.microTile(kc, src, ao, rowStride, stepStride, bPack, bo, edge, 0, nr);
                    }
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
