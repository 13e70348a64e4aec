package dev.lmuformer.nn;

import dev.lmuformer.engine.Fft;
import dev.lmuformer.engine.Gemm;
import dev.lmuformer.engine.LaneFft;
import dev.lmuformer.engine.Parallel;

/**
 * The memory half of the LMU cell's {@code W_h} applied to the memory, without the memory:
 * {@code W_m m_t = Σ_{j≤t} (W_m H)[:, t−j] u_j}, a causal convolution of the scalar drive u with the
 * {@code Hd} kernels {@code K = W_m H[:, :N]}. For long sequences (psMNIST: N = 784, D = 468,
 * Hd = 346) this replaces the {@code [B, N, D]} memory, its FFTs over D channels and the
 * {@code B·N × D × Hd} matrix products of forward and backward with FFTs over Hd channels
 * ({@link LaneFft}, channels-last in place) and two small products with H per step.
 *
 * <p>Forward: {@code y[b, t, :] += irfft(rfft(u_b) · rfft(K))[t]}. Backward, for {@code g = dy}:
 * {@code du_b = irfft(Σ_k conj(rfft K_k) · rfft g_{b,k})} and
 * {@code dK_k = irfft(Σ_b conj(rfft u_b) · rfft g_{b,k})}, then {@code dW_m += dK · H[:, :N]ᵀ}.
 * Transforms of length L ≥ 2N have no wrap-around terms. Sums over channels and samples run in a
 * fixed order, so results do not depend on the thread count.
 */
final class MemoryProjection {
    private static final int LANES = LaneFft.LANES;
    /** Samples whose spectral products one backward task sums before the tasks' sums are added. */
    private static final int SAMPLE_BLOCK = 16;

    private final int d;
    private float[] h; // (D, hLen) of the last forward
    private int hLen;
    private final int hidden;
    private final int groups; // channel groups of LANES
    private LaneFft lanes;
    private Fft fft;
    private int frames = -1;
    private int batch;
    private float[] kernelsT;  // (N, Hd) K transposed
    private float[] kRe;       // (groups, bins, LANES) spectra of K
    private float[] kIm;
    private float[] uRe;       // (B, bins) spectra of u
    private float[] uIm;
    private float[] dkRe;      // (blocks, groups, bins, LANES) per backward task: Σ_b conj(Û_b)·Ĝ
    private float[] dkIm;
    private float[] duRe;      // (groups, B, bins) per channel group: Σ_c conj(K̂_c)·Ĝ_c
    private float[] duIm;
    private float[] dkT;       // (N, Hd) dK transposed

    MemoryProjection(int d, int hidden) {
        this.d = d;
        this.hidden = hidden;
        this.groups = (hidden + LANES - 1) / LANES;
    }

    /**
     * {@code y[(b·N + t)·Hd + k] += Σ_i W[k·ldw + i] · m_{b,t}[i]} for the memory m of drive
     * {@code u [B, N]}, with W the memory columns of W_h (row stride {@code ldw}) and the impulse
     * response {@code h [D, hLen]}, hLen ≥ N.
     */
    void forward(float[] h, int hLen, float[] w, int ldw, float[] u, int batch, int frames, float[] y) {
        if (frames > hLen) throw new IllegalArgumentException("sequence of " + frames + " frames is longer than H (" + hLen + ")");
        this.h = h;
        this.hLen = hLen;
        setLength(frames);
        this.batch = batch;
        int bins = lanes.bins();
        // K (transposed, [N, Hd]): K[k, s] = Σ_i W[k, i] H[i, s]
        kernelsT = Ops.ensure(kernelsT, frames * hidden);
        Gemm.gemm(frames, hidden, d, h, 0, 1, hLen, w, 0, 1, ldw, kernelsT, 0, hidden, false);
        kRe = Ops.ensure(kRe, groups * bins * LANES);
        kIm = Ops.ensure(kIm, groups * bins * LANES);
        float[] kt = kernelsT;
        Parallel.forEach(groups, g -> {
            LaneFft.Work work = lanes.work();
            lanes.forward(kt, g * LANES, hidden, frames, width(g), work);
            System.arraycopy(work.re, 0, kRe, g * bins * LANES, bins * LANES);
            System.arraycopy(work.im, 0, kIm, g * bins * LANES, bins * LANES);
        });
        uRe = Ops.ensure(uRe, batch * bins);
        uIm = Ops.ensure(uIm, batch * bins);
        CausalConvolution.rowSpectra(u, batch, frames, uRe, uIm);
        Parallel.forChunks(batch * groups, 1, (from, to) -> {
            LaneFft.Work work = lanes.work();
            for (int task = from; task < to; task++) {
                int b = task / groups, g = task % groups;
                int ko = g * bins * LANES;
                for (int f = 0; f < bins; f++) {
                    float ar = uRe[b * bins + f], ai = uIm[b * bins + f];
                    int o = f * LANES;
                    for (int c = 0; c < LANES; c++) {
                        float br = kRe[ko + o + c], bi = kIm[ko + o + c];
                        work.re[o + c] = ar * br - ai * bi;
                        work.im[o + c] = ar * bi + ai * br;
                    }
                }
                lanes.inverse(work, y, b * frames * hidden + g * LANES, hidden, frames, width(g), true);
            }
        });
    }

    /**
     * For {@code g = dy [B, N, Hd]} of the last forward: adds the drive gradient into
     * {@code du [B, N]} and the gradient of the memory columns of W_h into {@code dw} (row stride ldw).
     */
    void backward(float[] dy, float[] du, float[] dw, int ldw) {
        int n = frames;
        int bins = lanes.bins();
        int blocks = (batch + SAMPLE_BLOCK - 1) / SAMPLE_BLOCK;
        dkRe = Ops.ensure(dkRe, blocks * groups * bins * LANES);
        dkIm = Ops.ensure(dkIm, dkRe.length);
        duRe = Ops.ensure(duRe, groups * batch * bins);
        duIm = Ops.ensure(duIm, duRe.length);
        float[] dkRe = this.dkRe, dkIm = this.dkIm, duRe = this.duRe, duIm = this.duIm;
        Parallel.forChunks(blocks * groups, 1, (from, to) -> {
            LaneFft.Work work = lanes.work();
            for (int task = from; task < to; task++) {
                int block = task / groups, g = task % groups;
                int acc = task * bins * LANES;
                java.util.Arrays.fill(dkRe, acc, acc + bins * LANES, 0f);
                java.util.Arrays.fill(dkIm, acc, acc + bins * LANES, 0f);
                int ko = g * bins * LANES;
                for (int b = block * SAMPLE_BLOCK; b < Math.min(batch, (block + 1) * SAMPLE_BLOCK); b++) {
                    lanes.forward(dy, b * n * hidden + g * LANES, hidden, n, width(g), work);
                    int part = (g * batch + b) * bins;
                    for (int f = 0; f < bins; f++) {
                        float ur = uRe[b * bins + f], ui = uIm[b * bins + f];
                        int o = f * LANES;
                        float sr = 0f, si = 0f;
                        for (int c = 0; c < LANES; c++) {
                            float xr = work.re[o + c], xi = work.im[o + c];
                            dkRe[acc + o + c] += ur * xr + ui * xi;
                            dkIm[acc + o + c] += ur * xi - ui * xr;
                            float kr = kRe[ko + o + c], ki = kIm[ko + o + c];
                            sr += kr * xr + ki * xi;
                            si += kr * xi - ki * xr;
                        }
                        duRe[part + f] = sr;
                        duIm[part + f] = si;
                    }
                }
            }
        });
        // dK (transposed, [N, Hd]) from the blocks' spectra, summed in block order
        dkT = Ops.ensure(dkT, n * hidden);
        float[] dkT = this.dkT;
        Parallel.forEach(groups, g -> {
            LaneFft.Work work = lanes.work();
            java.util.Arrays.fill(work.re, 0f);
            java.util.Arrays.fill(work.im, 0f);
            for (int block = 0; block < blocks; block++) {
                int acc = (block * groups + g) * bins * LANES;
                for (int i = 0; i < bins * LANES; i++) {
                    work.re[i] += dkRe[acc + i];
                    work.im[i] += dkIm[acc + i];
                }
            }
            lanes.inverse(work, dkT, g * LANES, hidden, n, width(g), false);
        });
        // dW_m[k, i] += Σ_s dK[k, s] H[i, s]
        Gemm.gemm(hidden, d, n, dkT, 0, 1, hidden, h, 0, 1, hLen, dw, 0, ldw, true);
        Parallel.forChunks(batch, 1, (from, to) -> {
            float[] re = new float[bins];
            float[] im = new float[bins];
            float[] y = new float[fft.size() * 2];
            for (int b = from; b < to; b++) {
                java.util.Arrays.fill(re, 0f);
                java.util.Arrays.fill(im, 0f);
                for (int g = 0; g < groups; g++) {
                    int part = (g * batch + b) * bins;
                    for (int f = 0; f < bins; f++) {
                        re[f] += duRe[part + f];
                        im[f] += duIm[part + f];
                    }
                }
                fft.irfft(re, im, y);
                for (int j = 0; j < n; j++) du[b * n + j] += y[j];
            }
        });
    }

    private int width(int group) {
        return Math.min(LANES, hidden - group * LANES);
    }

    private void setLength(int n) {
        if (n == frames) return;
        int length = CausalConvolution.convolutionLength(n);
        lanes = new LaneFft(length);
        fft = Fft.of(length / 2);
        frames = n;
    }
}
