package dev.lmuformer.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code torch.nn.Linear} applied to every row: x {@code [R, I]} → y = x·Wᵀ + b {@code [R, O]}.
 * Weight layout {@code [O, I]} as in the reference state_dict.
 */
public final class Linear {
    /** Weight {@code [O, I]}. */
    public final Parameter weight;
    /** Bias {@code [O]}, or null. */
    public final Parameter bias;
    private final int in;
    private final int out;
    private float[] x; // (R, I)
    private float[] y; // (R, O)
    private int rows;

    /** A linear layer named {@code prefix}. */
    public Linear(String prefix, int in, int out, boolean withBias) {
        this.in = in;
        this.out = out;
        this.weight = new Parameter(prefix + ".weight", out, in);
        this.bias = withBias ? new Parameter(prefix + ".bias", out) : null;
    }

    /** Forward over R rows; returns y {@code [R, O]} (owned by this layer). */
    public float[] forward(float[] x, int rows) {
        this.x = x;
        this.rows = rows;
        y = Ops.ensure(y, rows * out);
        TapProducts.forwardTap(x, rows, in, out, 1, 0, weight.data, null, y, false);
        if (bias != null) Ops.addBias(y, rows, out, bias.data);
        return y;
    }

    /** Adds parameter gradients for {@code dy [R, O]}; adds the input gradient into {@code dx} when not null. */
    public void backward(float[] dy, float[] dx) {
        backward(dy, dx, true);
    }

    /**
     * Adds parameter gradients for {@code dy [R, O]}; when dx is not null, adds the input gradient
     * into it ({@code accumulate}) or writes it there.
     */
    public void backward(float[] dy, float[] dx, boolean accumulate) {
        TapProducts.backwardWeightTap(dy, x, rows, in, out, 1, 0, null, weight.grad, null);
        if (dx != null) TapProducts.backwardInputTap(dy, rows, in, out, 1, 0, weight.data, null, dx, accumulate);
        if (bias != null) Ops.addColumnSums(dy, rows, out, bias.grad);
    }

    /** The output buffer of the last forward. */
    public float[] output() {
        return y;
    }

    /** The per-frame form (weights copied); {@code spikes}: the input is spikes, so an accumulating build skips zero inputs. */
    public FrameLayer frames(FrameBuild build, boolean spikes) {
        return FrameProduct.ofWeight(weight.data, in, out, bias == null ? null : bias.data, build, spikes);
    }

    /** Input features. */
    public int inFeatures() {
        return in;
    }

    /** Output features. */
    public int outFeatures() {
        return out;
    }

    /** Weight, then bias if any. */
    public List<Parameter> parameters() {
        List<Parameter> p = new ArrayList<>();
        p.add(weight);
        if (bias != null) p.add(bias);
        return p;
    }
}
