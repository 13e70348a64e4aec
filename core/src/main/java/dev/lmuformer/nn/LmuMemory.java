package dev.lmuformer.nn;

import dev.lmuformer.engine.Gemm;
import dev.lmuformer.engine.Parallel;

/**
 * The LMU memory in parallel mode (REFERENCE §1): for each sequence, {@code m_t = Σ_{j≤t} H[:, t−j] u_j},
 * the causal convolution of the scalar drive u with the impulse response H {@code [D, N]} — the
 * same function as the recurrence {@code m_t = Ā m_{t−1} + B̄ u_t}.
 *
 * <p>Two parallel forms, chosen by measurement ({@code MemB} in the closing notes of issue 2,
 * batch 128, D 256, 2 threads): a <b>Toeplitz product</b> per sequence, {@code m_b = U_b · Hᵀ} with
 * {@code U_b[t][s] = u_b[t−s]}, one GEMM of N×N×D on the GEMM kernel — 23 ms against 54 ms for the
 * FFT at N = 128 and still ahead at N = 384 (184 vs 210 ms); and the <b>FFT</b> of the reference,
 * {@code irfft(rfft(u)·rfft(H))}, whose N·log N cost wins for long sequences (psMNIST, N = 784,
 * D = 468: 584 vs 1183 ms). {@link #FFT_FROM} is the switch-over length.
 */
public final class LmuMemory {
    /** Sequences at least this long use the FFT; shorter ones the Toeplitz product. */
    public static final int FFT_FROM = 448;
    private static final ThreadLocal<float[]> SCRATCH = new ThreadLocal<>();

    /** How the convolution is computed. */
    public enum Method {
        /** One N×N×D GEMM per sequence. */
        TOEPLITZ,
        /** Real FFTs of length ≥ 2N. */
        FFT;

        /** The measured faster method for sequences of {@code frames}. */
        public static Method fastest(int frames) {
            return frames >= FFT_FROM ? FFT : TOEPLITZ;
        }
    }

    private final float[] h; // (D, hLen)
    private final int d;
    private final int hLen;
    private float[] specRe; // (D, L/2+1) spectra of H[:, :specFrames], for the FFT method
    private float[] specIm;
    private int specFrames = -1;

    /** A memory with impulse response {@code h [d, hLen]} (not copied; treat as immutable). */
    public LmuMemory(float[] h, int d, int hLen) {
        if (h.length != d * hLen) throw new IllegalArgumentException("H must be [" + d + ", " + hLen + "]");
        this.h = h;
        this.d = d;
        this.hLen = hLen;
    }

    /** Memory size D. */
    public int size() {
        return d;
    }

    /** Longest sequence H covers. */
    public int length() {
        return hLen;
    }

    /** Forward with the fastest method: u {@code [B, N]} → m rows at {@code m[(b·N + t)·ldm + i]}, i &lt; D. */
    public void forward(float[] u, int batch, int frames, float[] m, int ldm) {
        forward(Method.fastest(frames), u, batch, frames, m, ldm);
    }

    /** Forward with a given method. */
    public void forward(Method method, float[] u, int batch, int frames, float[] m, int ldm) {
        checkLength(frames);
        if (method == Method.TOEPLITZ) {
            toeplitzForward(u, batch, frames, m, ldm);
            return;
        }
        spectra(frames);
        float[] dense = ldm == d ? m : new float[batch * frames * d];
        CausalConvolution.causalConvolve(u, batch, frames, d, specRe, specIm, dense);
        if (dense != m) {
            Parallel.forChunks(batch * frames, 256, (from, to) -> {
                for (int r = from; r < to; r++) System.arraycopy(dense, r * d, m, r * ldm, d);
            });
        }
    }

    /** Backward with the fastest method: adds {@code du_b[j] = Σ_{t≥j} Σ_i dm_b[t,i]·H[i, t−j]} into du {@code [B, N]}. */
    public void backward(float[] dm, int ldm, int batch, int frames, float[] du) {
        backward(Method.fastest(frames), dm, ldm, batch, frames, du);
    }

    /** Backward with a given method. */
    public void backward(Method method, float[] dm, int ldm, int batch, int frames, float[] du) {
        checkLength(frames);
        if (method == Method.TOEPLITZ) {
            toeplitzBackward(dm, ldm, batch, frames, du);
            return;
        }
        spectra(frames);
        float[] dense = dm;
        if (ldm != d) {
            float[] packed = new float[batch * frames * d];
            Parallel.forChunks(batch * frames, 256, (from, to) -> {
                for (int r = from; r < to; r++) System.arraycopy(dm, r * ldm, packed, r * d, d);
            });
            dense = packed;
        }
        float[] add = new float[batch * frames];
        CausalConvolution.causalConvolveAdjoint(dense, batch, frames, d, specRe, specIm, add);
        for (int i = 0; i < add.length; i++) du[i] += add[i];
    }

    private void checkLength(int frames) {
        if (frames > hLen) throw new IllegalArgumentException("sequence of " + frames + " frames is longer than H (" + hLen + ")");
    }

    private synchronized void spectra(int frames) {
        if (specFrames == frames) return;
        float[] head = new float[d * frames];
        for (int i = 0; i < d; i++) System.arraycopy(h, i * hLen, head, i * frames, frames);
        int bins = CausalConvolution.convolutionLength(frames) / 2 + 1;
        specRe = new float[d * bins];
        specIm = new float[d * bins];
        CausalConvolution.rowSpectra(head, d, frames, specRe, specIm);
        specFrames = frames;
    }

    private void toeplitzForward(float[] u, int batch, int frames, float[] m, int ldm) {
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

    private void toeplitzBackward(float[] dm, int ldm, int batch, int frames, float[] du) {
        Parallel.forEach(batch, b -> {
            float[] q = scratch(frames * frames);
            int base = b * frames;
            // Q (N×N) = dm_b (N×D) · H[:, :N] (D×N); du_b[j] sums the j-th subdiagonal of Q
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
