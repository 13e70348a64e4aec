package dev.lmuformer.nn;

import java.util.SplittableRandom;

/**
 * {@code torch.nn.Dropout(p)}: in training, zeroes each value with probability p and scales the
 * rest by 1/(1−p); identity in evaluation. Seeded, so runs are reproducible.
 */
public final class Dropout {
    private float p;
    private SplittableRandom random;
    private float[] mask; // 0 or 1/(1−p) per value of the last training forward
    private float[] y;
    private int n;
    private boolean active;

    /** Dropout with probability {@code p} in [0, 1) and a seed. */
    public Dropout(double p, long seed) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        this.p = (float) p;
        this.random = new SplittableRandom(seed);
    }

    /** Reseeds the mask generator. */
    public void seed(long seed) {
        random = new SplittableRandom(seed);
    }

    /** Applies dropout to the first n values of x; returns x itself when inactive. */
    public float[] forward(float[] x, int n, boolean training) {
        this.n = n;
        active = training && p > 0;
        if (!active) return x;
        mask = Ops.ensure(mask, n);
        y = Ops.ensure(y, n);
        float keep = 1f / (1f - p);
        for (int i = 0; i < n; i++) {
            mask[i] = random.nextDouble() < p ? 0f : keep;
            y[i] = x[i] * mask[i];
        }
        return y;
    }

    /** {@code dx += dy·mask} (or dy when inactive). */
    public void backward(float[] dy, float[] dx) {
        for (int i = 0; i < n; i++) dx[i] += active ? dy[i] * mask[i] : dy[i];
    }

    /** Changes the probability (0 disables dropout). */
    public void setProbability(double probability) {
        if (!(probability >= 0 && probability < 1)) throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + probability);
        p = (float) probability;
    }

    /** The probability. */
    public double probability() {
        return p;
    }
}
