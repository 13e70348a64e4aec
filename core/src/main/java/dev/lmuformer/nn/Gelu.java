package dev.lmuformer.nn;

import dev.lmuformer.engine.MathF;
import dev.lmuformer.engine.Parallel;

/**
 * {@code torch.nn.GELU()} (exact): y = x·Φ(x) = x·(1 + erf(x/√2))/2;
 * backward dy·(Φ(x) + x·φ(x)) with φ the standard normal density.
 */
public final class Gelu {
    private static final float INV_SQRT2 = (float) (1 / Math.sqrt(2));
    private static final float INV_SQRT_2PI = (float) (1 / Math.sqrt(2 * Math.PI));
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
        Parallel.forChunks(n, 1 << 13, (from, to) -> {
            for (int i = from; i < to; i++) {
                phi[i] = 0.5f * (1f + MathF.erf(x[i] * INV_SQRT2));
                out[i] = x[i] * phi[i];
            }
        });
        return y;
    }

    /** {@code dx += dy·(Φ(x) + x·φ(x))}. */
    public void backward(float[] dy, float[] dx) {
        float[] in = x, phi = cdf;
        Parallel.forChunks(n, 1 << 13, (from, to) -> {
            for (int i = from; i < to; i++) {
                float v = in[i];
                float pdf = INV_SQRT_2PI * (float) Math.exp(-0.5 * v * v);
                dx[i] += dy[i] * (phi[i] + v * pdf);
            }
        });
    }

    /** The output of the last forward. */
    public float[] output() {
        return y;
    }
}
