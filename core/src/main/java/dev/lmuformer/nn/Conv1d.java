package dev.lmuformer.nn;

import dev.lmuformer.engine.Winograd;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code torch.nn.Conv1d} with an odd kernel K, stride 1 and padding K/2 ("same"), over
 * channels-last activations: x {@code [B, N, I]} → y {@code [B, N, O]}.
 * {@code y[b,t,o] = bias[o] + Σ_s Σ_i W[o,i,s] · x[b, t+s−K/2, i]} with zeros outside the sequence.
 * Weight layout {@code [O, I, K]} as in the reference state_dict.
 *
 * <p>K = 1 is one GEMM. K = 3 (the patch embedding) computes its output, its input gradient and
 * its weight gradient by Winograd F(4,3), half the multiply-adds of the direct form; the system
 * property {@code lmuformer.conv3=direct} selects the direct form, K shifted GEMMs, which other
 * odd kernels always use.
 */
public final class Conv1d {
    private static final boolean WINOGRAD = !"direct".equals(System.getProperty("lmuformer.conv3", "winograd"));

    /** Weight {@code [O, I, K]}. */
    public final Parameter weight;
    /** Bias {@code [O]}, or null. */
    public final Parameter bias;
    private final int in;
    private final int out;
    private final int kernel;

    private float[] x; // (B, N, I) the last input, kept for backward
    private float[] y; // (B, N, O)
    private float[] tapGrad; // (O, I) one tap of the weight gradient
    private final Winograd.Workspace workspace = new Winograd.Workspace();
    private boolean inputTransformed; // the workspace holds the Winograd transform of x: set by forward, spent by backward
    private final ShiftMaps shifts;   // the direct form's row maps, for the last input shape
    private int batch;
    private int frames;

    /** A convolution named {@code prefix} ({@code prefix.weight}, {@code prefix.bias}). */
    public Conv1d(String prefix, int in, int out, int kernel, boolean withBias) {
        if (kernel < 1 || kernel % 2 == 0) throw new IllegalArgumentException("kernel must be odd, got " + kernel);
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.weight = new Parameter(prefix + ".weight", out, in, kernel);
        this.bias = withBias ? new Parameter(prefix + ".bias", out) : null;
        this.shifts = new ShiftMaps(kernel / 2);
    }

    /** Forward over {@code x [batch, frames, I]}; returns y {@code [batch, frames, O]} (a buffer owned by this layer). */
    public float[] forward(float[] x, int batch, int frames) {
        int rows = batch * frames;
        this.x = x;
        this.batch = batch;
        this.frames = frames;
        y = Ops.ensure(y, rows * out);
        if (useWinograd()) {
            Winograd.conv3(x, batch, frames, in, out, Winograd.transformWeights(weight.data, out, in, false, workspace), y, false, workspace);
            inputTransformed = true;
        } else {
            for (int s = 0; s < kernel; s++) {
                TapProducts.forwardTap(x, rows, in, out, kernel, s, weight.data, shifts.of(batch, frames, s - kernel / 2), y, s > 0);
            }
        }
        if (bias != null) Ops.addBias(y, rows, out, bias.data);
        return y;
    }

    /** Adds the parameter gradients for {@code dy [B, N, O]} and, when {@code dx} is not null, adds the input gradient into it. */
    public void backward(float[] dy, float[] dx) {
        backward(dy, dx, true);
    }

    /**
     * Adds the parameter gradients for {@code dy [B, N, O]}; when dx is not null, adds the input
     * gradient into it ({@code accumulate}) or writes it there.
     */
    public void backward(float[] dy, float[] dx, boolean accumulate) {
        int rows = batch * frames;
        if (useWinograd()) {
            Winograd.weightGradient(x, dy, batch, frames, in, out, weight.grad, inputTransformed, workspace);
            inputTransformed = false; // the input gradient's convolution below overwrites the transform
            if (dx != null) Winograd.conv3(dy, batch, frames, out, in, Winograd.transformWeights(weight.data, out, in, true, workspace), dx, accumulate,
                    workspace);
        } else {
            if (kernel > 1) tapGrad = Ops.ensure(tapGrad, out * in);
            for (int s = 0; s < kernel; s++) {
                int shift = s - kernel / 2;
                TapProducts.backwardWeightTap(dy, x, rows, in, out, kernel, s, shifts.of(batch, frames, shift), weight.grad, tapGrad);
                if (dx != null) TapProducts.backwardInputTap(dy, rows, in, out, kernel, s, weight.data, shifts.of(batch, frames, -shift), dx, accumulate
                        || s > 0);
            }
        }
        if (bias != null) Ops.addColumnSums(dy, rows, out, bias.grad);
    }

    private boolean useWinograd() {
        return kernel == 3 && WINOGRAD;
    }

    /** The output buffer of the last forward. */
    public float[] output() {
        return y;
    }

    /**
     * The per-frame form (weights copied): a 1×1 convolution is a product per frame; a k=3 one is a
     * product over its window {@code [x_{t−1}; x_t; x_{t+1}]}, so its output for frame t comes with
     * input t+1 (one frame of look-ahead), and its end-of-stream padding is a zero frame.
     *
     * @param spikes whether the input is spikes, so that an accumulating build skips the zero inputs
     * @throws IllegalArgumentException for other kernel sizes
     */
    public FrameLayer frames(FrameBuild build, boolean spikes) {
        float[] b = bias == null ? null : bias.data;
        if (kernel == 1) return FrameProduct.ofWeight(weight.data, in, out, b, build, spikes);
        if (kernel != 3) throw new IllegalArgumentException(weight.name() + ": no per-frame form for kernel size " + kernel);
        return new WindowFrame(build, spikes);
    }

    /** A k=3 convolution stepped over its window: {@code [O, I, 3]} repacked as {@code [3·I, O]}, rows in tap order. */
    private final class WindowFrame implements FrameLayer {
        private final FrameProduct product;
        private final int slot;
        private final int windows; // scratch (rows, 3·I): the windows of the rows that produce
        private final int delay;

        WindowFrame(FrameBuild build, boolean spikes) {
            float[] w = new float[out * 3 * in];
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    for (int t = 0; t < 3; t++) w[(t * in + i) * out + o] = weight.data[(o * in + i) * 3 + t];
                }
            }
            product = new FrameProduct(3 * in, out, w, out, 1, bias == null ? null : bias.data, build, spikes);
            slot = build.state(window -> new Window(3 * in));
            windows = build.scratch();
            delay = build.delay();
        }

        @Override
        public int in() {
            return in;
        }

        @Override
        public int out() {
            return out;
        }

        @Override
        public void step(FrameGroup g, float[] x, float[] y) {
            boolean pad = g.takePad(delay);
            float[] gathered = g.scratch(windows, 3 * in);
            int kept = 0;
            for (int r = 0; r < g.rows(); r++) {
                Window s = (Window) g.state(r, slot);
                float[] win = s.values;
                System.arraycopy(win, in, win, 0, 2 * in);
                if (pad) {
                    java.util.Arrays.fill(win, 2 * in, 3 * in, 0f);
                } else {
                    System.arraycopy(x, r * in, win, 2 * in, in);
                }
                if (s.seen < 2) s.seen++;
                if (s.seen < 2) continue; // the output for frame t needs input t+1
                System.arraycopy(win, 0, gathered, kept * 3 * in, 3 * in);
                g.keep(r, kept++);
            }
            g.rows(kept);
            product.apply(kept, gathered, 0, 3 * in, y, 0, out, false);
        }
    }

    /** A stream's window {@code [x_{t−1}; x_t; x_{t+1}]} (zeros: the left padding) and how many inputs it has had (at most 2 counted). */
    private static final class Window implements FrameState {
        final float[] values;
        int seen;

        Window(int n) {
            values = new float[n];
        }

        @Override
        public void clear() {
            java.util.Arrays.fill(values, 0f);
            seen = 0;
        }
    }

    /** Output channels. */
    public int outChannels() {
        return out;
    }

    /** Input channels. */
    public int inChannels() {
        return in;
    }

    /** Kernel size. */
    public int kernelSize() {
        return kernel;
    }

    /** Weight, then bias if any. */
    public List<Parameter> parameters() {
        List<Parameter> p = new ArrayList<>();
        p.add(weight);
        if (bias != null) p.add(bias);
        return p;
    }
}
