package dev.lmuformer.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Batches over examples 0 … n−1, in order or shuffled per epoch from (seed, epoch), built on
 * demand by {@link #batch(int[])}; the last batch may be smaller.
 */
public abstract class IndexedBatches implements BatchSource {
    private final int size;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;

    /** Batches of {@code batchSize} over {@code size} examples, shuffled per epoch from {@code seed} when {@code shuffle}. */
    protected IndexedBatches(int size, int batchSize, boolean shuffle, long seed) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be positive");
        this.size = size;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
    }

    /** The batch of the examples at {@code indices}. */
    protected abstract Batch batch(int[] indices);

    @Override
    public final Iterator<Batch> epoch(int epoch) {
        int[] order = order(epoch);
        List<int[]> batches = new ArrayList<>();
        for (int s = 0; s < size; s += batchSize) batches.add(Arrays.copyOfRange(order, s, Math.min(size, s + batchSize)));
        Iterator<int[]> it = batches.iterator();
        return new Iterator<>() {
            public boolean hasNext() {
                return it.hasNext();
            }

            public Batch next() {
                return batch(it.next());
            }
        };
    }

    @Override
    public final Batch batch(int epoch, int index) {
        if (index < 0 || index >= batchesPerEpoch()) throw new IndexOutOfBoundsException("batch " + index + " of " + batchesPerEpoch());
        return batch(Arrays.copyOfRange(order(epoch), index * batchSize, Math.min(size, (index + 1) * batchSize)));
    }

    private int[] order(int epoch) {
        return shuffled(size, shuffle ? new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch) : null);
    }

    /** 0 … n−1, shuffled by Fisher–Yates when {@code rnd} is not null. */
    public static int[] shuffled(int n, SplittableRandom rnd) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        if (rnd == null) return p;
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    @Override
    public final int batchesPerEpoch() {
        return (size + batchSize - 1) / batchSize;
    }

    @Override
    public final int size() {
        return size;
    }
}
