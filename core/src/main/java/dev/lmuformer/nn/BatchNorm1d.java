package dev.lmuformer.nn;

import dev.lmuformer.engine.Kernels;
import dev.lmuformer.engine.Parallel;

import java.util.List;

/**
 * {@code torch.nn.BatchNorm1d} over channels-last rows {@code [R, C]} (REFERENCE §3).
 * Training normalises with the batch mean and biased variance over all R = B·N rows (one pass
 * over the rows, in double, shifted by the first row) and updates {@code running = 0.9·running + 0.1·batch} with the unbiased variance;
 * evaluation uses the running statistics. eps = 1e-5.
 */
public final class BatchNorm1d {
    private static final double EPS = 1e-5;
    /** Weight of a training batch's statistics in the running ones (PyTorch's default). */
    public static final double MOMENTUM = 0.1;

    /** γ {@code [C]}. */
    public final Parameter weight;
    /** β {@code [C]}. */
    public final Parameter bias;
    /** Buffer {@code running_mean [C]}. */
    public final float[] runningMean;
    /** Buffer {@code running_var [C]}. */
    public final float[] runningVar;
    private final String prefix;
    private final int channels;
    private long batchesTracked;

    private float[] x; // (R, C) last input
    private float[] y; // (R, C)
    private final float[] mean;   // (C) batch mean used by the last training forward
    private final float[] invStd; // (C) 1 / sqrt(var + eps) of the last training forward
    private final float[] scale;  // (C) γ·invStd
    private final float[] shift;  // (C) β − mean·scale
    private int rows;
    private boolean trained;

    /** A batch norm named {@code prefix} over {@code channels}. γ = 1, β = 0, running stats 0 / 1. */
    public BatchNorm1d(String prefix, int channels) {
        this.prefix = prefix;
        this.channels = channels;
        weight = new Parameter(prefix + ".weight", channels);
        bias = new Parameter(prefix + ".bias", channels);
        java.util.Arrays.fill(weight.data, 1f);
        runningMean = new float[channels];
        runningVar = new float[channels];
        java.util.Arrays.fill(runningVar, 1f);
        mean = new float[channels];
        invStd = new float[channels];
        scale = new float[channels];
        shift = new float[channels];
    }

    /** Normalises {@code x [rows, C]}; returns y (owned by this layer). */
    public float[] forward(float[] x, int rows, boolean training) {
        this.x = x;
        this.rows = rows;
        this.trained = training;
        y = Ops.ensure(y, rows * channels);
        if (training) {
            double[][] sums = shiftedSums(x, rows);
            for (int c = 0; c < channels; c++) {
                double batchMean = x[c] + sums[0][c] / rows;
                mean[c] = (float) batchMean;
                double sq = Math.max(0, sums[1][c] - sums[0][c] * sums[0][c] / rows); // Σ(x − mean)²
                double var = sq / rows;
                invStd[c] = (float) (1.0 / Math.sqrt(var + EPS));
                double unbiased = rows > 1 ? sq / (rows - 1) : var;
                runningMean[c] = (float) ((1 - MOMENTUM) * runningMean[c] + MOMENTUM * batchMean);
                runningVar[c] = (float) ((1 - MOMENTUM) * runningVar[c] + MOMENTUM * unbiased);
                scale[c] = weight.data[c] * invStd[c];
                shift[c] = bias.data[c] - mean[c] * scale[c];
            }
            batchesTracked++;
        } else {
            evalAffine(scale, shift);
        }
        Kernels k = Kernels.get();
        float[] out = y;
        Parallel.forChunks(rows, 256, (from, to) -> {
            for (int r = from; r < to; r++) k.scaleShift(channels, x, r * channels, scale, shift, out, r * channels);
        });
        return y;
    }

    /**
     * The evaluation-mode normalisation as a per-channel affine map {@code y = x·scale + shift}:
     * {@code scale = γ/√(running_var + eps)}, {@code shift = β − running_mean·scale}, rounded as
     * {@link #forward} uses them.
     */
    public void evalAffine(float[] scale, float[] shift) {
        for (int c = 0; c < channels; c++) {
            float s = (float) (weight.data[c] / Math.sqrt(runningVar[c] + EPS));
            scale[c] = s;
            shift[c] = bias.data[c] - runningMean[c] * s;
        }
    }

    /**
     * {@code Σ(x − x₀)} and {@code Σ(x − x₀)²} per channel in one pass over x, in double, with
     * x₀ the first row: shifted by a sample so that {@code Σ(x − x₀)² − (Σ(x − x₀))²/R} does not
     * cancel when a channel's mean is far larger than its spread.
     */
    private double[][] shiftedSums(float[] x, int rows) {
        return Ops.columnReductions(rows, channels, 2, (from, to, sums) -> {
            double[] s1 = sums[0], s2 = sums[1];
            for (int r = from; r < to; r++) {
                int o = r * channels;
                for (int c = 0; c < channels; c++) {
                    double d = x[o + c] - x[c];
                    s1[c] += d;
                    s2[c] += d * d;
                }
            }
        });
    }

    /**
     * Backward of the training-mode forward: adds dγ = Σ dy·x̂, dβ = Σ dy and
     * {@code dx += invStd·(g − mean(g) − x̂·mean(g·x̂))} with g = γ·dy.
     */
    public void backward(float[] dy, float[] dx) {
        backward(dy, dx, true);
    }

    /**
     * As {@link #backward(float[], float[])}, with the input gradient added to dx when
     * {@code accumulate}, else written (dx need not be cleared).
     */
    public void backward(float[] dy, float[] dx, boolean accumulate) {
        if (!trained) throw new IllegalStateException(prefix + ": backward needs a training-mode forward");
        int n = rows;
        double[][] sums = Ops.columnSumsWithProducts(dy, x, n, channels);
        double[] sumDy = sums[0];
        double[] sumDyX = sums[1];
        float[] a = new float[channels]; // dx = a·dy + b·x + c
        float[] b = new float[channels];
        float[] c = new float[channels];
        for (int ch = 0; ch < channels; ch++) {
            // Σ dy·x̂ = invStd·(Σ dy·x − mean·Σ dy)
            double sumDyXhat = invStd[ch] * (sumDyX[ch] - mean[ch] * sumDy[ch]);
            weight.grad[ch] += (float) sumDyXhat;
            bias.grad[ch] += (float) sumDy[ch];
            double g = weight.data[ch] * invStd[ch];
            double k = g * invStd[ch] * sumDyXhat / n; // coefficient of x̂ / invStd
            a[ch] = (float) g;
            b[ch] = (float) (-k);
            c[ch] = (float) (-g * sumDy[ch] / n + k * mean[ch]);
        }
        Parallel.forChunks(n, 256, (from, to) -> {
            for (int r = from; r < to; r++) {
                int o = r * channels;
                for (int ch = 0; ch < channels; ch++) {
                    float d = a[ch] * dy[o + ch] + b[ch] * x[o + ch] + c[ch];
                    dx[o + ch] = accumulate ? dx[o + ch] + d : d;
                }
            }
        });
    }

    /** The output of the last forward. */
    public float[] output() {
        return y;
    }

    /** The per-frame form in evaluation: the {@link #evalAffine} scale and shift (copied), row by row. */
    public FrameLayer frames() {
        float[] scale = new float[channels], shift = new float[channels];
        evalAffine(scale, shift);
        Kernels k = Kernels.get();
        int n = channels;
        return new FrameLayer() {
            @Override
            public int in() {
                return n;
            }

            @Override
            public int out() {
                return n;
            }

            @Override
            public void step(FrameGroup g, float[] x, float[] y) {
                for (int r = 0; r < g.rows(); r++) k.scaleShift(n, x, r * n, scale, shift, y, r * n);
            }
        };
    }

    /** Channels. */
    public int channels() {
        return channels;
    }

    /** The name prefix ({@code prefix.running_mean} ...). */
    public String prefix() {
        return prefix;
    }

    /** {@code num_batches_tracked}. */
    public long batchesTracked() {
        return batchesTracked;
    }

    /** Sets {@code num_batches_tracked} (checkpoint loading). */
    public void setBatchesTracked(long n) {
        batchesTracked = n;
    }

    /** γ and β. */
    public List<Parameter> parameters() {
        return List.of(weight, bias);
    }
}
