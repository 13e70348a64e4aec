package dev.lmuformer.data;

import dev.lmuformer.engine.Tensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Permuted sequential MNIST (REFERENCE §4): each image scaled to [0, 1], flattened row-major and
 * permuted by one fixed permutation, as a sequence {@code [784, 1]}; targets one-hot over 10
 * classes. Batches are shuffled per epoch from (seed, epoch) when asked.
 */
public final class PermutedMnist implements BatchSource {
    private final Idx images;
    private final Idx labels;
    private final int[] permutation;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final int classes = 10;

    /**
     * @param images      an IDX image file's contents
     * @param labels      the matching labels
     * @param permutation pixel order (a permutation of 0 … pixels−1)
     */
    public PermutedMnist(Idx images, Idx labels, int[] permutation, int batchSize, boolean shuffle, long seed) {
        if (images.count() != labels.count()) throw new IllegalArgumentException(images.count() + " images but " + labels.count() + " labels");
        if (permutation.length != images.itemSize()) throw new IllegalArgumentException("permutation of " + permutation.length + " for " + images.itemSize() + " pixels");
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be positive");
        for (byte l : labels.data()) if ((l & 0xff) >= classes) throw new IllegalArgumentException("label " + (l & 0xff) + " outside 0…9");
        this.images = images;
        this.labels = labels;
        this.permutation = permutation.clone();
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
    }

    /** The permutation drawn from {@code seed} (Fisher–Yates over a seeded generator). */
    public static int[] permutation(int pixels, long seed) {
        int[] p = new int[pixels];
        for (int i = 0; i < pixels; i++) p[i] = i;
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = pixels - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** The first existing file among the names (raw or .gz) in {@code dir}. */
    public static Path find(Path dir, String... names) {
        for (String n : names) {
            for (String candidate : new String[] {n, n + ".gz"}) {
                Path p = dir.resolve(candidate);
                if (Files.exists(p)) return p;
            }
        }
        throw new IllegalArgumentException(dir + ": none of " + String.join(", ", names) + " (or .gz) found");
    }

    @Override
    public Iterator<Batch> epoch(int epoch) {
        int n = images.count();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        if (shuffle) {
            SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
            for (int i = n - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        List<int[]> batches = new ArrayList<>();
        for (int s = 0; s < n; s += batchSize) batches.add(java.util.Arrays.copyOfRange(order, s, Math.min(n, s + batchSize)));
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

    private Batch batch(int[] indices) {
        int pixels = images.itemSize();
        float[] x = new float[indices.length * pixels]; // (B, 784, 1)
        float[] y = new float[indices.length * classes];
        byte[] img = images.data();
        for (int b = 0; b < indices.length; b++) {
            int src = indices[b] * pixels;
            for (int t = 0; t < pixels; t++) x[b * pixels + t] = (img[src + permutation[t]] & 0xff) / 255f;
            y[b * classes + (labels.data()[indices[b]] & 0xff)] = 1f;
        }
        return new Batch(new Tensor(x, indices.length, pixels, 1), new Tensor(y, indices.length, classes), indices);
    }

    @Override
    public int batchesPerEpoch() {
        return (images.count() + batchSize - 1) / batchSize;
    }

    @Override
    public int size() {
        return images.count();
    }
}
