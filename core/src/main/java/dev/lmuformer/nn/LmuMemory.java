package dev.lmuformer.nn;

import dev.lmuformer.engine.Gemm;
import dev.lmuformer.engine.Parallel;

/**
 * The LMU memory in parallel mode (REFERENCE §1): for each sequence, {@code m_t = Σ_{j≤t} H[:, t−j] u_j},
 * the causal convolution of the scalar drive u with the impulse response H {@code [D, N]} — the
 * same function as the recurrence {@code m_t = Ā m_{t−1} + B̄ u_t}.
 *
 * <p>Computed as a Toeplitz product per sequence: {@code m_b = U_b · Hᵀ} with
 * {@code U_b[t][s] = u_b[t−s]} (lower triangular), one GEMM of N×N×D. Measured on the Speech
 * Commands shapes (N 128, D 256) this beats the FFT route of the reference (see
 * {@code LmuMemoryBench}): the product runs on the GEMM kernel at full speed and the FFT's
 * D inverse transforms per sequence do not.
 */
public final class LmuMemory {
    private static final ThreadLocal<float[]> SCRATCH = new ThreadLocal<>();

    private LmuMemory() {
    }

    /**
     * Forward: u {@code [B, N]} → m rows written at {@code m[(b·N + t)·ldm + i]}, i &lt; D.
     * H is {@code [D, hLen]} row-major with hLen ≥ N.
     */
    public static void forward(float[] u, int batch, int frames, float[] h, int d, int hLen, float[] m, int ldm) {
        Parallel.forEach(batch, b -> {
            float[] toeplitz = scratch(frames * frames);
            int base = b * frames;
            for (int t = 0; t < frames; t++) {
                int row = t * frames;
                for (int s = 0; s <= t; s++) toeplitz[row + s] = u[base + t - s];
                java.util.Arrays.fill(toeplitz, row + t + 1, row + frames, 0f);
            }
            // m_b (N×D) = U_b (N×N) · Hᵀ (N×D), Hᵀ(s, i) = h[i·hLen + s]
            Gemm.gemm(frames, d, frames, toeplitz, 0, frames, 1, h, 0, 1, hLen, m, base * ldm, ldm, false);
        });
    }

    /**
     * Backward: given dm rows (leading dimension ldm), adds {@code du_b[j] = Σ_{t≥j} Σ_i dm_b[t,i]·H[i, t−j]}
     * into du {@code [B, N]}.
     */
    public static void backward(float[] dm, int ldm, int batch, int frames, float[] h, int d, int hLen, float[] du) {
        Parallel.forEach(batch, b -> {
            float[] q = scratch(frames * frames);
            int base = b * frames;
            // Q (N×N) = dm_b (N×D) · H[:, :N] (D×N)
            Gemm.gemm(frames, frames, d, dm, base * ldm, ldm, 1, h, 0, hLen, 1, q, 0, frames, false);
            for (int j = 0; j < frames; j++) {
                float s = 0f;
                for (int t = j; t < frames; t++) s += q[t * frames + t - j];
                du[base + j] += s;
            }
        });
    }

    /** The recurrence {@code m_t = Ā m_{t−1} + B̄ u_t} in double: the reference the parallel forms are tested against. */
    public static double[] recurrence(float[] u, int batch, int frames, double[] aBar, double[] bBar, int d) {
        double[] m = new double[batch * frames * d];
        double[] state = new double[d];
        double[] next = new double[d];
        for (int b = 0; b < batch; b++) {
            java.util.Arrays.fill(state, 0);
            for (int t = 0; t < frames; t++) {
                double ut = u[b * frames + t];
                for (int i = 0; i < d; i++) {
                    double s = bBar[i] * ut;
                    for (int j = 0; j < d; j++) s += aBar[i * d + j] * state[j];
                    next[i] = s;
                }
                System.arraycopy(next, 0, state, 0, d);
                System.arraycopy(state, 0, m, (b * frames + t) * d, d);
            }
        }
        return m;
    }

    private static float[] scratch(int n) {
        float[] buf = SCRATCH.get();
        if (buf == null || buf.length < n) {
            buf = new float[n];
            SCRATCH.set(buf);
        }
        return buf;
    }
}
