package dev.lmuformer.nn;

import java.util.SplittableRandom;

/**
 * {@code torch.nn.Dropout(p)}: in training, zeroes each value with probability p and scales the
 * rest by 1/(1−p); identity in evaluation. The mask of the k-th training forward is a function of
 * the seed and k alone, so a run is reproducible and one resumed at forward k (its training state
 * stores both, {@link #seed()} and {@link #forwards()}) draws the same masks as an uninterrupted one.
 */
public final class Dropout {
    private float p;
    private long seed;
    private long forwards; // training forwards so far
    private float[] mask; // 0 or 1/(1−p) per value of the last training forward
    private float[] y;
    private int n;
    private boolean active;

    /** Dropout with probability {@code p} in [0, 1) and a seed. */
    public Dropout(double p, long seed) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        this.p = (float) p;
        this.seed = seed;
    }

    /** Reseeds the masks and starts again from the first forward. */
    public void seed(long seed) {
        this.seed = seed;
        this.forwards = 0;
    }

    /** The seed. */
    public long seed() {
        return seed;
    }

    /** Training forwards drawn so far. */
    public long forwards() {
        return forwards;
    }

    /** Continues a run whose dropout had {@code seed} and had drawn {@code forwards} masks. */
    public void resume(long seed, long forwards) {
        if (forwards < 0) throw new IllegalArgumentException("forwards must be 0 or more, got " + forwards);
        this.seed = seed;
        this.forwards = forwards;
    }

    /** Applies dropout to the first n values of x; returns x itself when inactive. */
    public float[] forward(float[] x, int n, boolean training) {
        this.n = n;
        active = training && p > 0;
        if (!active) return x;
        mask = Ops.ensure(mask, n);
        y = Ops.ensure(y, n);
        float keep = 1f / (1f - p);
        // one generator per forward, from (seed, forward): the golden-ratio step keeps the streams apart
        SplittableRandom random = new SplittableRandom(seed + 0x9E3779B97F4A7C15L * ++forwards);
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
