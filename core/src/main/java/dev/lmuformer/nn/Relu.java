package dev.lmuformer.nn;

import dev.lmuformer.engine.Kernels;
import dev.lmuformer.engine.Parallel;

/** {@code torch.nn.ReLU}: y = max(x, 0); backward passes dy where y &gt; 0. */
public final class Relu {
    private float[] y; // same shape as x
    private int n;

    /** Applies ReLU to the first n values of x; returns y (owned by this layer). */
    public float[] forward(float[] x, int n) {
        this.n = n;
        y = Ops.ensure(y, n);
        float[] out = y;
        Parallel.forChunks(n, 1 << 14, (from, to) -> {
            for (int i = from; i < to; i++) out[i] = Math.max(x[i], 0f);
        });
        return y;
    }

    /** {@code dx += dy · [y > 0]}. */
    public void backward(float[] dy, float[] dx) {
        backward(dy, dx, true);
    }

    /** {@code dx (+)= dy · [y > 0]}: added to dx when {@code accumulate}, else written (dx need not be cleared). */
    public void backward(float[] dy, float[] dx, boolean accumulate) {
        float[] out = y;
        Kernels k = Kernels.get();
        Parallel.forChunks(n, 1 << 14, (from, to) -> k.reluBackward(to - from, out, dy, dx, from, accumulate));
    }

    /** The per-frame form over {@code width} channels. */
    public FrameLayer frames(int width) {
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
                for (int i = 0; i < g.rows() * width; i++) y[i] = Math.max(x[i], 0f);
            }
        };
    }

    /** The output of the last forward. */
    public float[] output() {
        return y;
    }
}
