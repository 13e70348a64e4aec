package dev.lmuformer.nn;

import dev.lmuformer.engine.Kernels;
import dev.lmuformer.engine.Parallel;

/**
 * The multi-step leaky integrate-and-fire neuron of the spiking models (REFERENCE §2): τ = 2,
 * hard reset to 0, threshold v_th. Its time axis is the sequence axis: every (sample, channel)
 * is one neuron that carries its membrane from frame to frame, starting at 0.
 * <pre>
 *   h_t = v_{t−1} + (x_t − v_{t−1})/τ;   s_t = [h_t − v_th ≥ 0];   v_t = h_t·(1 − s_t)
 * </pre>
 * Backward: sigmoid surrogate {@code ds/dh = α·σ(αz)(1 − σ(αz))}, z = h − v_th, α = 4; the reset
 * is detached (v_t passes gradient to h_t through 1 − s_t with s_t constant) and the membrane
 * carries gradient from frame t+1 back to frame t. One fused pass over the frames each way,
 * vectorisable across channels, with no per-frame allocation.
 */
public final class Lif {
    private final float threshold;
    private float[] membrane; // (B, N, C) h_t before the spike, kept for the surrogate gradient
    private float[] spikes;   // (B, N, C) 0 or 1
    private float[] carried;  // (B, C) the membranes v_t of forward, their gradients dv_t in backward
    private long[] counts;    // (B) spikes per sample of the last forward
    private int batch;
    private int frames;
    private int channels;
    private long fired;

    /** A neuron layer with threshold v_th (1.0 in most places, 0.5 before the LMU and after attention). */
    public Lif(double threshold) {
        this.threshold = (float) threshold;
    }

    /** Spikes {@code [B, N, C]} for inputs x {@code [B, N, C]} (a buffer owned by this layer). */
    public float[] forward(float[] x, int batch, int frames, int channels) {
        this.batch = batch;
        this.frames = frames;
        this.channels = channels;
        int n = batch * frames * channels;
        membrane = Ops.ensure(membrane, n);
        spikes = Ops.ensure(spikes, n);
        carried = Ops.ensure(carried, batch * channels);
        if (counts == null || counts.length < batch) counts = new long[batch];
        float[] h = membrane, s = spikes, v = carried;
        long[] counts = this.counts;
        float vth = threshold;
        Parallel.forEach(batch, b -> {
            java.util.Arrays.fill(v, b * channels, (b + 1) * channels, 0f);
            long count = 0;
            for (int t = 0; t < frames; t++) {
                int o = (b * frames + t) * channels;
                count += step(channels, vth, x, o, v, b * channels, h, o, s, o);
            }
            counts[b] = count;
        });
        long total = 0;
        for (int b = 0; b < batch; b++) total += counts[b];
        fired = total;
        return spikes;
    }

    /**
     * One frame of {@code n} neurons with threshold {@code vth}, the rule above: membranes
     * {@code v[vo …]} are carried in place, the pre-reset membranes h_t go to {@code h[ho …]} and the
     * spikes (0 or 1) to {@code s[so …]}; returns how many fired. The parallel forward and the
     * streaming models share it ({@link Kernels#lifStep}), so both round alike.
     */
    public static int step(int n, float vth, float[] x, int xo, float[] v, int vo, float[] h, int ho, float[] s, int so) {
        return Kernels.get().lifStep(n, vth, x, xo, v, vo, h, ho, s, so);
    }

    /** Adds the surrogate input gradient for {@code dSpikes [B, N, C]} into {@code dx}. */
    public void backward(float[] dSpikes, float[] dx) {
        float[] h = membrane;
        float vth = threshold;
        Kernels k = Kernels.get();
        float[] dv = carried; // dL/dv_t carried back from frame t+1
        Parallel.forEach(batch, b -> {
            java.util.Arrays.fill(dv, b * channels, (b + 1) * channels, 0f);
            for (int t = frames - 1; t >= 0; t--) k.lifBackward(channels, vth, h, dSpikes, dx, (b * frames + t) * channels, dv, b * channels);
        });
    }

    /**
     * The per-frame form over {@code width} neurons: each stream carries their membranes, and a frame
     * is one {@link #step} of them.
     */
    public FrameLayer frames(int width, FrameBuild build) {
        float vth = threshold;
        int slot = build.state(window -> new FrameState.Floats(width));
        int preReset = build.scratch();
        return new FrameLayer() {
            @Override
            public int in() {
                return width;
            }

            @Override
            public int out() {
                return width;
            }

            @Override
            public void step(FrameGroup g, float[] x, float[] y) {
                float[] h = g.scratch(preReset, width);
                for (int r = 0; r < g.rows(); r++) {
                    float[] v = ((FrameState.Floats) g.state(r, slot)).values;
                    Lif.step(width, vth, x, r * width, v, 0, h, r * width, y, r * width);
                }
            }
        };
    }

    /** The spikes of the last forward. */
    public float[] output() {
        return spikes;
    }

    /** Fraction of neuron-frames that fired in the last forward (0 before any). */
    public double firingRate() {
        long n = (long) batch * frames * channels;
        return n == 0 ? 0 : (double) fired / n;
    }

    /** The threshold v_th. */
    public double threshold() {
        return threshold;
    }
}
