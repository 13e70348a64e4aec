package dev.lmuformer.nn;

import dev.lmuformer.engine.Kernels;
import dev.lmuformer.engine.Parallel;

/**
 * {@code torch.nn.GELU()} (exact): y = x·Φ(x) = x·(1 + erf(x/√2))/2;
 * backward dy·(Φ(x) + x·φ(x)) with φ the standard normal density, the slope kept from the forward.
 */
public final class Gelu {
    /**
     * Elements per kernel call. With one long call per thread, C2 (JDK 17) compiled the kernel
     * with its vector stores boxed more often (GELU five times slower in that JVM; see
     * {@code VectorKernels.gelu}).
     */
    private static final int PIECE = 1 << 13;
    private float[] y;
    private float[] slope; // Φ(x) + x·φ(x) of the last forward, for backward
    private int n;

    /** Applies GELU to the first n values of x; returns y (owned by this layer). */
    public float[] forward(float[] x, int n) {
        this.n = n;
        y = Ops.ensure(y, n);
        slope = Ops.ensure(slope, n);
        float[] out = y, d = slope;
        Kernels k = Kernels.get();
        Parallel.forChunks(n, PIECE, (from, to) -> {
            for (int p = from; p < to; p += PIECE) k.gelu(Math.min(PIECE, to - p), x, out, d, p);
        });
        return y;
    }

    /** {@code dx += dy·(Φ(x) + x·φ(x))}. */
    public void backward(float[] dy, float[] dx) {
        backward(dy, dx, true);
    }

    /** {@code dx (+)= dy·(Φ(x) + x·φ(x))}: added to dx when {@code accumulate}, else written. */
    public void backward(float[] dy, float[] dx, boolean accumulate) {
        float[] d = slope;
        Kernels k = Kernels.get();
        Parallel.forChunks(n, 1 << 14, (from, to) -> k.multiply(to - from, dy, d, dx, from, accumulate));
    }

    /**
     * The per-frame form over {@code width} channels, row by row: how the kernel splits a length into
     * vector and tail must not depend on the size of the group.
     */
    public FrameLayer frames(int width, FrameBuild build) {
        int slopes = build.scratch();
        Kernels k = Kernels.get();
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
                float[] unused = g.scratch(slopes, width); // the derivative, which only backward reads
                for (int r = 0; r < g.rows(); r++) k.gelu(width, x, y, unused, r * width);
            }
        };
    }

    /** The output of the last forward. */
    public float[] output() {
        return y;
    }
}
