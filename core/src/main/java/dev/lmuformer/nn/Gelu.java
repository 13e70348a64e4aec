package dev.lmuformer.nn;

import dev.lmuformer.engine.Kernels;
import dev.lmuformer.engine.Parallel;

/**
 * {@code torch.nn.GELU()} (exact): y = x·Φ(x) = x·(1 + erf(x/√2))/2;
 * backward dy·(Φ(x) + x·φ(x)) with φ the standard normal density.
 */
public final class Gelu {
    private float[] x;
    private float[] y;
    private float[] cdf; // Φ(x) of the last forward, reused by backward
    private int n;

    /** Applies GELU to the first n values of x; returns y (owned by this layer). */
    public float[] forward(float[] x, int n) {
        this.x = x;
        this.n = n;
        y = Ops.ensure(y, n);
        cdf = Ops.ensure(cdf, n);
        float[] out = y, phi = cdf;
        Kernels k = Kernels.get();
        Parallel.forChunks(n, 1 << 13, (from, to) -> k.gelu(to - from, x, out, phi, from));
        return y;
    }

    /** {@code dx += dy·(Φ(x) + x·φ(x))}. */
    public void backward(float[] dy, float[] dx) {
        backward(dy, dx, true);
    }

    /** {@code dx (+)= dy·(Φ(x) + x·φ(x))}: added to dx when {@code accumulate}, else written. */
    public void backward(float[] dy, float[] dx, boolean accumulate) {
        float[] in = x, phi = cdf;
        Kernels k = Kernels.get();
        Parallel.forChunks(n, 1 << 13, (from, to) -> k.geluBackward(to - from, in, phi, dy, dx, from, accumulate));
    }

    /** The output of the last forward. */
    public float[] output() {
        return y;
    }
}
