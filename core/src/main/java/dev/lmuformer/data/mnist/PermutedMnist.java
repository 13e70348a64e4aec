package dev.lmuformer.data.mnist;

import dev.lmuformer.data.Batch;
import dev.lmuformer.data.IndexedBatches;
import dev.lmuformer.engine.Tensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Permuted sequential MNIST (REFERENCE §4): each image scaled to [0, 1], flattened row-major and
 * permuted by one fixed permutation, as a sequence {@code [784, 1]}; targets one-hot over 10
 * classes. Batches are shuffled per epoch from (seed, epoch) when asked.
 */
public final class PermutedMnist extends IndexedBatches {
    private final Idx images;
    private final Idx labels;
    private final int[] permutation;
    private final int classes = 10;

    /**
     * @param images      an IDX image file's contents
     * @param labels      the matching labels
     * @param permutation pixel order (a permutation of 0 … pixels−1)
     */
    public PermutedMnist(Idx images, Idx labels, int[] permutation, int batchSize, boolean shuffle, long seed) {
        super(images.count(), batchSize, shuffle, seed);
        if (images.count() != labels.count()) throw new IllegalArgumentException(images.count() + " images but " + labels.count() + " labels");
        if (permutation.length != images.itemSize()) throw new IllegalArgumentException("permutation of " + permutation.length + " for " + images.itemSize()
                + " pixels");
        for (byte l : labels.data()) if ((l & 0xff) >= classes) throw new IllegalArgumentException("label " + (l & 0xff) + " outside 0…9");
        this.images = images;
        this.labels = labels;
        this.permutation = permutation.clone();
    }

    /** The permutation drawn from {@code seed} (Fisher–Yates over a seeded generator). */
    public static int[] permutation(int pixels, long seed) {
        return shuffled(pixels, new SplittableRandom(seed));
    }

    /**
     * The {@code split} ("train" or "t10k") {@code kind} ("images" or "labels") IDX file of an MNIST
     * folder, by either of its usual names ({@code train-images-idx3-ubyte}, {@code train-images.idx3-ubyte}),
     * raw or .gz.
     */
    public static Idx read(Path dir, String split, String kind) {
        String dims = kind.equals("images") ? "idx3" : "idx1";
        return Idx.read(find(dir, split + "-" + kind + "-" + dims + "-ubyte", split + "-" + kind + "." + dims + "-ubyte"));
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
    protected Batch batch(int[] indices) {
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
}
