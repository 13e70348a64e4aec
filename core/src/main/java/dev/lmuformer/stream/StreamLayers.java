package dev.lmuformer.stream;

import dev.lmuformer.engine.Kernels;
import dev.lmuformer.model.StateDict;
import dev.lmuformer.nn.BatchNorm1d;
import dev.lmuformer.nn.Lif;

/**
 * Weights prepared for streaming, read once from an evaluation-mode model's state_dict, and the
 * per-frame operations over them. Products are sums of the rows of a transposed weight scaled by
 * the input (no lane reductions); the sparse form skips zero inputs and adds the row of an input
 * equal to 1 without multiplying — for spike inputs that is the whole product, and it gives the
 * same bits as the dense form (a row scaled by 1 is the row, a row scaled by 0 adds nothing).
 */
final class StreamLayers {
    private StreamLayers() {
    }

    /** {@code y = W x + b} with W stored transposed, {@code wt [in, out]}; {@code b} null for none. */
    record FrameLinear(int in, int out, float[] wt, float[] b) {
    }

    /** An evaluation-mode BatchNorm as {@code y = x·scale + shift} (running statistics). */
    record Norm(float[] scale, float[] shift) {
        int channels() {
            return scale.length;
        }
    }

    /**
     * The LMU memory as its recurrence {@code m_t = Ā m_{t−1} + B̄ u_t} (REFERENCE §1), Ā transposed
     * so that the product is a sum of Ā's columns scaled by m_{t−1}.
     */
    record Lmu(int memory, float[] aT, float[] bBar) {
    }

    static StateDict.Entry entry(StateDict st, String name) {
        StateDict.Entry e = st.entries().get(name);
        if (e == null) throw new IllegalArgumentException("model has no tensor '" + name + "'");
        return e;
    }

    /** {@code m [rows, cols]} transposed. */
    static float[] transpose(float[] m, int rows, int cols) {
        float[] t = new float[m.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) t[c * rows + r] = m[r * cols + c];
        }
        return t;
    }

    /** A Linear ({@code [O, I]}) or 1×1 convolution ({@code [O, I, 1]}) {@code prefix}, with its bias. */
    static FrameLinear linear(StateDict st, String prefix) {
        StateDict.Entry w = entry(st, prefix + ".weight");
        int[] shape = w.shape();
        if (shape.length == 3 && shape[2] != 1) throw new IllegalArgumentException(w.name() + ": kernel size " + shape[2] + ", expected 1");
        int out = shape[0], in = shape[1];
        return new FrameLinear(in, out, transpose(w.data(), out, in), entry(st, prefix + ".bias").data().clone());
    }

    /**
     * A k=3, pad=1 convolution without bias over the window {@code [x_{t−1}; x_t; x_{t+1}]}: {@code [O, I, 3]}
     * repacked as {@code [3·I, O]}, rows in tap order, so that one product covers the window.
     */
    static FrameLinear conv3(StateDict st, String name) {
        StateDict.Entry e = entry(st, name);
        int out = e.shape()[0], in = e.shape()[1];
        if (e.shape()[2] != 3) throw new IllegalArgumentException(name + ": kernel size " + e.shape()[2] + ", expected 3");
        float[] w = new float[out * 3 * in];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                for (int t = 0; t < 3; t++) w[(t * in + i) * out + o] = e.data()[(o * in + i) * 3 + t];
            }
        }
        return new FrameLinear(3 * in, out, w, null);
    }

    /** The batch norm {@code prefix} in evaluation mode, with the scale and shift {@link BatchNorm1d} itself uses. */
    static Norm norm(StateDict st, String prefix) {
        for (BatchNorm1d bn : st.norms()) {
            if (bn.prefix().equals(prefix)) {
                Norm n = new Norm(new float[bn.channels()], new float[bn.channels()]);
                bn.evalAffine(n.scale(), n.shift());
                return n;
            }
        }
        throw new IllegalArgumentException("model has no batch norm '" + prefix + "'");
    }

    /** The buffers {@code prefix.A} and {@code prefix.B} of an LMU cell. */
    static Lmu lmu(StateDict st, String prefix) {
        StateDict.Entry a = entry(st, prefix + ".A");
        int d = a.shape()[0];
        return new Lmu(d, transpose(a.data(), d, d), entry(st, prefix + ".B").data().clone());
    }

    /**
     * {@code y = b + W x} (zeros where there is no bias). Sparse: only the rows of nonzero inputs,
     * added as they are where the input is 1 (a spike). FrameLinear: every row scaled by its input.
     */
    static void product(Kernels k, FrameLinear w, float[] x, int xo, float[] y, boolean sparse) {
        int out = w.out();
        if (w.b() == null) {
            java.util.Arrays.fill(y, 0, out, 0f);
        } else {
            System.arraycopy(w.b(), 0, y, 0, out);
        }
        float[] wt = w.wt();
        for (int j = 0; j < w.in(); j++) {
            float v = x[xo + j];
            if (!sparse) {
                k.axpy(out, v, wt, j * out, y, 0);
            } else if (v == 1f) {
                k.add(out, wt, j * out, y, 0);
            } else if (v != 0f) {
                k.axpy(out, v, wt, j * out, y, 0); // a sum of spikes (2, 3, …) where shortcuts add spike trains
            }
        }
    }

    /** One step of the memory: {@code m ← Ā m + B̄ u}, with {@code next} as scratch (at least D long). */
    static void advance(Kernels k, Lmu lmu, float[] m, float u, float[] next) {
        int d = lmu.memory();
        float[] b = lmu.bBar(), aT = lmu.aT();
        for (int r = 0; r < d; r++) next[r] = b[r] * u;
        for (int j = 0; j < d; j++) k.axpy(d, m[j], aT, j * d, next, 0);
        System.arraycopy(next, 0, m, 0, d);
    }

    /**
     * {@code s = LIF(bn(x))} for one frame: x normalised into {@code s}, then the neurons with
     * membranes {@code v} fire into {@code s} in place; {@code h} is scratch for the pre-reset membranes.
     */
    static void normLif(Kernels k, Norm bn, float[] x, float[] s, float[] v, float vth, float[] h) {
        int n = bn.channels();
        k.scaleShift(n, x, 0, bn.scale(), bn.shift(), s, 0);
        Lif.step(n, vth, s, 0, v, 0, h, 0, s, 0);
    }
}
