package dev.lmuformer.engine;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Random;
import java.util.stream.Stream;

import static dev.lmuformer.testing.TensorAssert.assertTensorClose;

/** The blocked, packed, threaded GEMM against a double-precision triple loop, for every transpose. */
@Tag("kernels")
class GemmTest {

    /**
     * Shapes on both sides of each blocking constant of {@link Gemm}: depth blocks (KC), row blocks
     * (MC), column blocks (NC), the naive and the narrow path (SMALL, one output), and several
     * depth blocks with a remainder.
     */
    static Stream<Arguments> shapes() {
        int kc = Gemm.KC, mc = Gemm.MC, nc = Gemm.NC;
        return Stream.of(Arguments.of(1, 1, 1), Arguments.of(7, 5, 3), Arguments.of(6, 32, kc), Arguments.of(13, 47, kc + 44),
                Arguments.of(mc + 1, 33, kc + 1), Arguments.of(2 * mc + 8, 130, 70), Arguments.of(4 * mc, kc, 2 * kc + 88),
                Arguments.of(50, nc - 424, 4 * kc - 24), Arguments.of(50, nc + 3, 40), Arguments.of(5, 3, 16 * kc - 96), Arguments.of(300, 1, kc / 2 + 1),
                Arguments.of(1000, 2, 64), Arguments.of(16, 32, (int) (Gemm.SMALL / (16 * 32))), Arguments.of(16, 32, (int) (Gemm.SMALL / (16 * 32)) + 1));
    }

    @ParameterizedTest(name = "m={0} n={1} k={2}")
    @MethodSource("shapes")
    void matchesNaiveForAllLayouts(int m, int n, int k) {
        Random rnd = new Random(m * 31L + n * 7L + k);
        float[] a = random(rnd, m * k);
        float[] b = random(rnd, k * n);
        for (boolean transA : new boolean[] {false, true}) {
            for (boolean transB : new boolean[] {false, true}) {
                int aRow = transA ? 1 : k, aCol = transA ? m : 1;
                int bRow = transB ? 1 : n, bCol = transB ? k : 1;
                float[] expected = new float[m * n];
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double s = 0.5; // accumulate onto an existing value
                        for (int p = 0; p < k; p++) s += (double) a[i * aRow + p * aCol] * b[p * bRow + j * bCol];
                        expected[i * n + j] = (float) s;
                    }
                }
                float[] c = new float[m * n];
                java.util.Arrays.fill(c, 0.5f);
                Gemm.gemm(m, n, k, a, 0, aRow, aCol, b, 0, bRow, bCol, c, 0, n, true);
                assertTensorClose(Kernels.get().name() + " transA=" + transA + " transB=" + transB, expected, c, 1e-5);
                java.util.Arrays.fill(c, 9f);
                Gemm.gemm(m, n, k, a, 0, aRow, aCol, b, 0, bRow, bCol, c, 0, n, false);
                for (int i = 0; i < expected.length; i++) expected[i] -= 0.5f;
                assertTensorClose("overwrite transA=" + transA + " transB=" + transB, expected, c, 1e-5);
            }
        }
    }

    /** Deep products with a small result split their depth over the threads; 2 and 3 threads, uneven blocks. */
    @org.junit.jupiter.api.Test
    void depthSplitOverThreadsMatchesNaive() {
        int before = Parallel.threads();
        try {
            for (int threads : new int[] {2, 3}) {
                Parallel.setThreads(threads);
                matchesNaiveForAllLayouts(37, 40, 4 * Gemm.KC * threads + 77); // the smallest depth that splits, and a remainder
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @ParameterizedTest(name = "offsets m={0}")
    @CsvSource({"17", "64"})
    void respectsOffsetsAndLeadingDimension(int m) {
        Random rnd = new Random(5);
        int n = 40, k = 50, ldc = 45, off = 3;
        float[] a = random(rnd, off + m * k);
        float[] b = random(rnd, off + k * n);
        float[] c = new float[off + m * ldc];
        Gemm.gemm(m, n, k, a, off, k, 1, b, off, n, 1, c, off, ldc, false);
        float[] ref = new float[off + m * ldc];
        Gemm.naive(m, n, k, a, off, k, 1, b, off, n, 1, ref, off, ldc);
        assertTensorClose("offsets", ref, c, 1e-5);
    }

    @ParameterizedTest(name = "row maps m={0} n={1} k={2}")
    @CsvSource({"3,5,7", "50,40,300", "130,70,33"})
    void rowMapsGatherRowsAndInsertZeros(int m, int n, int k) {
        Random rnd = new Random(11);
        int srcRowsA = m + 5, srcRowsB = k + 5;
        float[] a = random(rnd, srcRowsA * k);
        float[] b = random(rnd, srcRowsB * n);
        int[] aRows = new int[m];
        int[] bRows = new int[k];
        for (int i = 0; i < m; i++) aRows[i] = rnd.nextInt(5) == 0 ? -1 : rnd.nextInt(srcRowsA);
        for (int p = 0; p < k; p++) bRows[p] = rnd.nextInt(5) == 0 ? -1 : rnd.nextInt(srcRowsB);
        float[] expected = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    if (aRows[i] < 0 || bRows[p] < 0) continue;
                    s += (double) a[aRows[i] * k + p] * b[bRows[p] * n + j];
                }
                expected[i * n + j] = (float) s;
            }
        }
        float[] c = new float[m * n];
        Gemm.gemm(m, n, k, a, 0, k, 1, aRows, b, 0, n, 1, bRows, c, 0, n, false);
        assertTensorClose("row maps", expected, c, 1e-5);
    }

    /** Packed products at one row (a frame), across depth blocks (KC) and column blocks (NC). */
    static Stream<Arguments> packedShapes() {
        int kc = Gemm.KC;
        return Stream.of(Arguments.of(1, 1, 1), Arguments.of(1, kc, 3 * kc), Arguments.of(2, 35, kc), Arguments.of(5, 47, kc + 44),
                Arguments.of(7, 32, kc + 1), Arguments.of(64, kc, 3 * kc), Arguments.of(130, Gemm.NC + 76, 70));
    }

    @ParameterizedTest(name = "packed m={0} n={1} k={2}")
    @MethodSource("packedShapes")
    void packedMatchesNaiveAndEachRowIsIndependentOfTheOthers(int m, int n, int k) {
        Random rnd = new Random(m * 13L + n + k * 3L);
        int lda = k + 3, ldc = n + 2; // rows of A and C with gaps, as in a column slice
        float[] a = random(rnd, m * lda);
        float[] b = random(rnd, n * k);
        Gemm.Packed packed = Gemm.pack(k, n, b, 0, 1, k); // B = Wᵀ of a row-major W [n, k]
        float[] expected = random(rnd, m * ldc);
        float[] c = expected.clone();
        Gemm.gemm(m, a, 0, lda, 1, packed, c, 0, ldc, true);
        Gemm.naive(m, n, k, a, 0, lda, 1, b, 0, 1, k, expected, 0, ldc);
        assertTensorClose("packed accumulate", expected, c, 1e-5);
        float[] overwritten = random(rnd, m * ldc);
        Gemm.gemm(m, a, 0, lda, 1, packed, overwritten, 0, ldc, false);
        float[] alone = new float[n];
        for (int i = 0; i < m; i++) {
            Gemm.gemm(1, a, i * lda, lda, 1, packed, alone, 0, n, false);
            org.junit.jupiter.api.Assertions.assertArrayEquals(alone,
                    java.util.Arrays.copyOfRange(overwritten, i * ldc, i * ldc + n), "row " + i + " alone");
        }
        if ((long) m * n * k > Gemm.SMALL && n >= Kernels.get().nr() / 2) { // the unpacked product is blocked too: same bits
            float[] unpacked = new float[m * ldc];
            Gemm.gemm(m, n, k, a, 0, lda, 1, b, 0, 1, k, unpacked, 0, ldc, false);
            for (int i = 0; i < m; i++) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(java.util.Arrays.copyOfRange(unpacked, i * ldc, i * ldc + n),
                        java.util.Arrays.copyOfRange(overwritten, i * ldc, i * ldc + n), "row " + i + " unpacked");
            }
        }
    }

    static float[] random(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rnd.nextGaussian();
        return x;
    }
}
