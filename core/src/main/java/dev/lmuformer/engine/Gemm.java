package dev.lmuformer.engine;

/**
 * General matrix product {@code C (+)= A·B} on strided float arrays, blocked and packed (BLIS
 * style) around the {@link Kernels#microTile} micro-kernel and spread over {@link Parallel}.
 *
 * <p>Matrices are addressed by strides, so transposes cost nothing to express:
 * {@code A(i,p) = a[aOff + i·aRow + p·aCol]}, {@code B(p,j) = b[bOff + p·bRow + j·bCol]},
 * {@code C(i,j) = c[cOff + i·ldc + j]}. For example {@code X·Wᵀ} with X [R, I] and W [O, I]
 * row-major is {@code gemm(R, O, I, x, 0, I, 1, w, 0, 1, I, y, 0, O, false)}.
 *
 * <p>Scratch is per calling thread and bounded by the blocking constants, whatever the matrices'
 * sizes: an A panel of at most {@code MC·KC} floats, a B panel of at most 2 MiB ({@code WHOLE_DEPTH}
 * floats, or {@code KC·NC}), an edge tile, and for depth-split products one copy of the result per
 * part, each at most 4 MiB ({@code DEPTH_SPLIT_RESULT}). It is kept for the thread's life (the
 * engine's workers live as long as the pool), so a product allocates nothing in the steady state.
 * That is also why the private methods take each operand as positional (array, offset, strides,
 * row map) arguments rather than a small view record: a record per operand allocated 0.6 to 1.1 KiB
 * per frame of streaming inference (measured), where the per-frame step allocates nothing. The
 * blocking constants are package-private so that the tests derive their shapes from them.
 */
public final class Gemm {
    /** Depth of a packed block: an mr×KC A panel plus a KC×nr B panel stay in L1/L2. */
    static final int KC = 256;
    /** Rows of A packed per task. */
    static final int MC = 96;
    /** Columns of B packed at once (at most 1 MiB of packed B with KC = 256). */
    static final int NC = 1024;
    /** Below this many multiply-adds a plain loop beats packing. */
    static final long SMALL = 16 * 1024;
    /** Below this many multiply-adds the pool's hand-over costs more than it saves. */
    static final long PARALLEL_WORK = 1 << 19;
    /** Most floats of packed B (a column block over its whole depth) packed before one multiply (2 MiB). */
    static final long WHOLE_DEPTH = 1 << 19;
    /** Largest result (m·n) whose per-thread copies {@link #depthSplit} keeps (4 MiB each). */
    static final long DEPTH_SPLIT_RESULT = 1 << 20;

    private static final ThreadLocal<float[]> A_PACK = new ThreadLocal<>();
    private static final ThreadLocal<float[]> EDGE = new ThreadLocal<>();
    private static final ThreadLocal<float[]> B_PACK = new ThreadLocal<>();
    private static final ThreadLocal<float[][]> PARTIALS = new ThreadLocal<>();

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
        if (splitsDepth(m, n, k)) {
            depthSplit(kern, m, n, k, a, aOff, aRow, aCol, aRows, b, bOff, bRow, bCol, bRows, c, cOff, ldc, accumulate);
            return;
        }
        int nr = kern.nr();
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            int panels = (nc + nr - 1) / nr;
            // Pack the whole depth at once when it is small enough: each task then keeps its rows
            // of C in cache over all depth blocks, and there is one parallel call instead of two per block.
            int depth = (long) k * panels * nr <= WHOLE_DEPTH ? k : KC;
            float[] bPack = buffer(B_PACK, Math.min(depth, k) * panels * nr);
            int bBase = bOff + jc * bCol;
            for (int pc = 0; pc < k; pc += depth) {
                int kd = Math.min(depth, k - pc);
                int p0 = pc;
                Parallel.forChunks(panels, 4, (from, to) -> {
                    for (int q = 0; q < kd; q += KC) {
                        int kc = Math.min(KC, kd - q);
                        for (int jr = from; jr < to; jr++) packB(kc, p0 + q, nr, Math.min(nr, nc - jr * nr), b, bBase + jr * nr * bCol, bRow, bCol, bRows,
                                bPack, q * panels * nr + jr * kc * nr);
                    }
                });
                multiply(kern, m, nc, kd, a, aOff + pc * aCol, aRow, aCol, aRows, bPack, 0, c, cOff + jc, ldc, pc == 0 && !accumulate);
            }
        }
    }

    /**
     * Deep products with a small result (weight gradients: k is the batch's rows) split their
     * depth over the threads rather than their rows: each thread sweeps its own depth blocks into
     * a private C without waiting for the others, and the partial results are added at the end in
     * thread order. Splitting rows instead would make every depth block a parallel call of its own
     * (pack B, wait, multiply, wait).
     */
    private static boolean splitsDepth(int m, int n, int k) {
        int parts = Parallel.threads();
        return parts > 1 && !Parallel.serial() && k >= 4 * KC * parts && (long) m * n <= DEPTH_SPLIT_RESULT;
    }

    private static void depthSplit(Kernels kern, int m, int n, int k,
                                   float[] a, int aOff, int aRow, int aCol, int[] aRows,
                                   float[] b, int bOff, int bRow, int bCol, int[] bRows,
                                   float[] c, int cOff, int ldc, boolean accumulate) {
        int parts = Parallel.threads();
        int blocks = (k + KC - 1) / KC;
        float[][] partial = partials(parts, m * n);
        int nr = kern.nr();
        Parallel.forEach(parts, t -> {
            float[] own = partial[t];
            int firstBlock = blocks * t / parts, endBlock = blocks * (t + 1) / parts;
            for (int jc = 0; jc < n; jc += NC) {
                int nc = Math.min(NC, n - jc);
                int panels = (nc + nr - 1) / nr;
                float[] bPack = buffer(B_PACK, KC * panels * nr);
                for (int blk = firstBlock; blk < endBlock; blk++) {
                    int pc = blk * KC;
                    int kc = Math.min(KC, k - pc);
                    int bBase = bOff + jc * bCol;
                    for (int jr = 0; jr < panels; jr++) packB(kc, pc, nr, Math.min(nr, nc - jr * nr), b, bBase + jr * nr * bCol, bRow, bCol, bRows, bPack,
                            jr * kc * nr);
                    serialBlocks(kern, m, nc, kc, a, aOff + pc * aCol, aRow, aCol, aRows, bPack, 0, own, jc, n, blk == firstBlock);
                }
            }
        });
        Parallel.forChunks(m, 16, (from, to) -> {
            for (int i = from; i < to; i++) {
                int row = cOff + i * ldc;
                if (!accumulate) java.util.Arrays.fill(c, row, row + n, 0f);
                for (float[] own : partial) {
                    for (int j = 0; j < n; j++) c[row + j] += own[i * n + j];
                }
            }
        });
    }

    /** The calling thread's partial results for {@link #depthSplit}: one buffer per part. */
    private static float[][] partials(int parts, int size) {
        float[][] held = PARTIALS.get();
        if (held == null || held.length != parts || held[0].length < size) {
            held = new float[parts][size];
            PARTIALS.set(held);
        }
        return held;
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
            multiply(kern, m, Math.min(NC, b.cols - jc), b.rows, a, aOff, aRow, aCol, null, b.data, b.offset(jc, 0), c, cOff + jc, ldc, !accumulate);
        }
    }

    /**
     * {@code C += A·B} (C cleared first when {@code clear}) over {@code depth} rows of packed B,
     * laid out as consecutive depth blocks of KC: tasks are blocks of MC rows, further split over
     * B panels when rows are few, each running all depth blocks in order; products too small to
     * repay a hand-over to the pool run on the calling thread.
     */
    private static void multiply(Kernels kern, int m, int nc, int depth, float[] a, int aBase, int aRow, int aCol, int[] aRows,
                                 float[] bPack, int bBase, float[] c, int cBase, int ldc, boolean clear) {
        int mr = kern.mr();
        int panels = (nc + kern.nr() - 1) / kern.nr();
        int mc = Math.min(MC, ((m + mr - 1) / mr) * mr);
        int mBlocks = (m + mc - 1) / mc;
        if ((long) m * nc * depth < PARALLEL_WORK || Parallel.serial()) {
            serialBlocks(kern, m, nc, depth, a, aBase, aRow, aCol, aRows, bPack, bBase, c, cBase, ldc, clear);
            return;
        }
        int nSplit = Math.max(1, Math.min(panels, (2 * Parallel.threads() + mBlocks - 1) / mBlocks));
        Parallel.forEach(mBlocks * nSplit, t -> {
            int i0 = t / nSplit * mc;
            int js = t % nSplit;
            for (int pc = 0; pc < depth; pc += KC) {
                block(kern, Math.min(KC, depth - pc), Math.min(mc, m - i0), i0, panels * js / nSplit, panels * (js + 1) / nSplit, nc,
                        a, aBase + pc * aCol, aRow, aCol, aRows, bPack, bBase + pc * panels * kern.nr(), c, cBase + i0 * ldc, ldc, clear && pc == 0);
            }
        });
    }

    /** {@link #multiply} on the calling thread: the row blocks one after another. */
    private static void serialBlocks(Kernels kern, int m, int nc, int depth, float[] a, int aBase, int aRow, int aCol, int[] aRows,
                                     float[] bPack, int bBase, float[] c, int cBase, int ldc, boolean clear) {
        int mr = kern.mr();
        int panels = (nc + kern.nr() - 1) / kern.nr();
        int mc = Math.min(MC, ((m + mr - 1) / mr) * mr);
        for (int i0 = 0; i0 < m; i0 += mc) {
            for (int pc = 0; pc < depth; pc += KC) {
                block(kern, Math.min(KC, depth - pc), Math.min(mc, m - i0), i0, 0, panels, nc, a, aBase + pc * aCol, aRow, aCol, aRows,
                        bPack, bBase + pc * panels * kern.nr(), c, cBase + i0 * ldc, ldc, clear && pc == 0);
            }
        }
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
        // A transposed (a gradient dYᵀ): its rows are contiguous at each step, so the whole block
        // is copied step by step, a run of `rows` values each, and the strips read it with stride `width`.
        boolean transposed = aRows == null && aRow == 1 && !inPlace;
        int width = strips * mr;
        int firstPacked = inPlace ? rows / mr : 0;
        float[] aPack = buffer(A_PACK, Math.max(1, strips - firstPacked) * mr * kc);
        if (transposed) {
            for (int p = 0; p < kc; p++) {
                System.arraycopy(a, aBase + i0 + p * aCol, aPack, p * width, rows);
                for (int r = rows; r < width; r++) aPack[p * width + r] = 0f;
            }
        } else {
            for (int s = firstPacked; s < strips; s++) {
                packA(kc, mr, i0 + s * mr, Math.min(mr, rows - s * mr), a, aBase, aRow, aCol, aRows, aPack, (s - firstPacked) * mr * kc);
            }
        }
        float[] edge = buffer(EDGE, mr * nr);
        for (int jr = p0; jr < p1; jr++) {
            int cols = Math.min(nr, nc - jr * nr);
            int bo = bBase + jr * kc * nr;
            for (int s = 0; s < strips; s++) {
                int rs = Math.min(mr, rows - s * mr);
                int co = cBase + s * mr * ldc + jr * nr;
                // where the strip's A is read: in place, from the transposed copy, or from its packed panel
                float[] src;
                int ao, rowStride, stepStride;
                if (s < firstPacked) {
                    src = a;
                    ao = aBase + (i0 + s * mr) * aRow;
                    rowStride = aRow;
                    stepStride = aCol;
                } else if (transposed) {
                    src = aPack;
                    ao = s * mr;
                    rowStride = 1;
                    stepStride = width;
                } else {
                    src = aPack;
                    ao = (s - firstPacked) * mr * kc;
                    rowStride = 1;
                    stepStride = mr;
                }
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
            int srcRow = sourceRow(bRows, p0 + p);
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
        for (int r = 0; r < mr; r++) {
            int srcRow = r >= rows ? -1 : sourceRow(aRows, i0 + r);
            if (srcRow < 0) {
                for (int p = 0; p < kc; p++) dst[d + p * mr + r] = 0f;
                continue;
            }
            int src = ao + srcRow * aRow;
            for (int p = 0; p < kc; p++) dst[d + p * mr + r] = a[src + p * aCol];
        }
    }

    /** The source row of row r under an optional row map (negative: a row of zeros). */
    private static int sourceRow(int[] map, int r) {
        return map == null ? r : map[r];
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
