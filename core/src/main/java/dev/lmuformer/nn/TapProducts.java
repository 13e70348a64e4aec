package dev.lmuformer.nn;

import dev.lmuformer.engine.Gemm;

/**
 * The products shared by {@link Linear} and {@link Conv1d}, over channels-last rows: one tap of a
 * weight {@code W [O, I, K]} (a Linear is K = 1) applied to rows shifted by a row map.
 *
 * <p>Tap s reads weight {@code W[o][i][s]} at {@code o·I·K + i·K + s}; the row maps of
 * {@link ShiftMaps} make frame t read frame t + s − K/2, or zero outside the sequence.
 */
final class TapProducts {
    private TapProducts() {
    }

    /** {@code y[r] (+)= W_s · x[map(r)]} for all R rows; x [R, I], y [R, O]. */
    static void forwardTap(float[] x, int rows, int in, int out, int kernel, int tap, float[] w, int[] map, float[] y, boolean accumulate) {
        Gemm.gemm(rows, out, in, x, 0, in, 1, map, w, tap, kernel, in * kernel, null, y, 0, out, accumulate);
    }

    /** {@code dx[map(r)] (+)= W_sᵀ · dy[r]}, written as dx[r'] (+)= W_sᵀ dy[inverseMap(r')]; added when {@code accumulate}. */
    static void backwardInputTap(float[] dy, int rows, int in, int out, int kernel, int tap, float[] w, int[] inverseMap, float[] dx, boolean accumulate) {
        Gemm.gemm(rows, in, out, dy, 0, out, 1, inverseMap, w, tap, in * kernel, kernel, null, dx, 0, in, accumulate);
    }

    /** {@code dW_s += Σ_r dy[r] ⊗ x[map(r)]} into {@code tmp [O, I]}, then scattered into tap s of {@code dw}. */
    static void backwardWeightTap(float[] dy, float[] x, int rows, int in, int out, int kernel, int tap, int[] map, float[] dw, float[] tmp) {
        if (kernel == 1) {
            Gemm.gemm(out, in, rows, dy, 0, 1, out, null, x, 0, in, 1, map, dw, 0, in, true);
            return;
        }
        Gemm.gemm(out, in, rows, dy, 0, 1, out, null, x, 0, in, 1, map, tmp, 0, in, false);
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) dw[(o * in + i) * kernel + tap] += tmp[o * in + i];
        }
    }
}
