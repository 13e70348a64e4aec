package dev.lmuformer.data.speech;

import dev.lmuformer.data.Batch;
import dev.lmuformer.data.BatchSource;
import dev.lmuformer.engine.Tensor;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Multi-threaded, prefetching batches of {@link Pipeline} examples, the same for any thread count.
 *
 * <p>Epoch e visits the examples in a permutation drawn from {@code (seed, e)} (or in list order
 * without shuffling); the example at position i of epoch e gets the seed {@code mix(seed, e, i)}, so
 * a batch depends only on (seed, epoch, batch index). Batches hold {@code batchSize} examples, the
 * last one fewer. Each example is one task on the loader's own daemon threads; an epoch's iterator
 * keeps up to {@code prefetch} batches in flight ahead of the one being consumed.
 * Close the loader to stop its threads.
 */
public final class Loader implements BatchSource, AutoCloseable {
    /** Computes example {@code index} with {@code seed} into row buffers: from audio, or from prepared filterbanks. */
    @FunctionalInterface
    private interface Examples {
        void compute(int index, long seed, float[] x, int xOff, float[] y, int yOff);
    }

    private final int size;
    private final Examples examples;
    private final Pipeline pipeline;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final int prefetch;
    private final ExecutorService pool;

    /**
     * @param examples  the clips (also the pool of mixup partners)
     * @param pipeline  what to compute per example
     * @param batchSize examples per batch, positive
     * @param shuffle   a fresh permutation each epoch (training) or list order (evaluation)
     * @param seed      fixes the permutations and every augmentation
     * @param threads   worker threads, positive
     * @param prefetch  batches computed ahead, positive (2 keeps the workers busy across batch boundaries)
     */
    public Loader(List<Example> examples, Pipeline pipeline, int batchSize, boolean shuffle, long seed, int threads, int prefetch) {
        this(examples.size(), example(List.copyOf(examples), pipeline), pipeline, batchSize, shuffle, seed, threads, prefetch);
    }

    private static Examples example(List<Example> examples, Pipeline pipeline) {
        return (index, seed, x, xOff, y, yOff) -> pipeline.example(examples, index, seed, x, xOff, y, yOff);
    }

    /**
     * Batches of prepared filterbanks ({@link Pipeline#preparedExample}): the batches a loader over the
     * clips' audio gives with the same pipeline and seed, for a pipeline whose augmentations act on the
     * filterbank only.
     */
    public static Loader prepared(PreparedFeatures.Clips clips, Pipeline pipeline, int batchSize, boolean shuffle, long seed, int threads, int prefetch) {
        return new Loader(clips.size(), (index, s, x, xOff, y, yOff) -> pipeline.preparedExample(clips, index, s, x, xOff, y, yOff),
                pipeline, batchSize, shuffle, seed, threads, prefetch);
    }

    private Loader(int size, Examples examples, Pipeline pipeline, int batchSize, boolean shuffle, long seed, int threads, int prefetch) {
        if (size == 0) throw new IllegalArgumentException("no examples to load");
        if (batchSize < 1 || threads < 1 || prefetch < 1) {
            throw new IllegalArgumentException("batch size, threads and prefetch must be positive: " + batchSize + ", " + threads + ", " + prefetch);
        }
        this.size = size;
        this.examples = examples;
        this.pipeline = pipeline;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
        this.prefetch = prefetch;
        AtomicInteger id = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "lmuformer-loader-" + id.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Number of examples per epoch. */
    @Override
    public int size() {
        return size;
    }

    /** Number of batches per epoch (the last may be short). */
    @Override
    public int batchesPerEpoch() {
        return (size + batchSize - 1) / batchSize;
    }

    /** The order in which epoch {@code epoch} visits the examples. */
    public int[] order(int epoch) {
        int[] order = new int[size];
        for (int i = 0; i < order.length; i++) order[i] = i;
        if (shuffle) {
            SplittableRandom rng = new SplittableRandom(mix(seed, epoch));
            for (int i = order.length - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    /** The batches of epoch {@code epoch}, computed ahead on the loader's threads. */
    @Override
    public Iterator<Batch> epoch(int epoch) {
        int[] order = order(epoch);
        int batches = batchesPerEpoch();
        return new Iterator<>() {
            private final ArrayDeque<Pending> ahead = new ArrayDeque<>();
            private int submitted;

            @Override
            public boolean hasNext() {
                return submitted < batches || !ahead.isEmpty();
            }

            @Override
            public Batch next() {
                if (!hasNext()) throw new NoSuchElementException();
                while (submitted < batches && ahead.size() < prefetch + 1) ahead.add(submit(epoch, order, submitted++));
                return ahead.poll().await();
            }
        };
    }

    /** Batch {@code index} of epoch {@code epoch}, computed now (same values as the iterator's). */
    @Override
    public Batch batch(int epoch, int index) {
        if (index < 0 || index >= batchesPerEpoch()) throw new IndexOutOfBoundsException("batch " + index + " of " + batchesPerEpoch());
        return submit(epoch, order(epoch), index).await();
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }

    private Pending submit(int epoch, int[] order, int index) {
        int from = index * batchSize;
        int b = Math.min(batchSize, order.length - from);
        int n = pipeline.inputSize();
        int c = pipeline.numClasses();
        float[] x = new float[b * n]; // [B, N, F]
        float[] y = new float[b * c]; // [B, classes]
        int[] indices = new int[b];
        Future<?>[] tasks = new Future<?>[b];
        for (int r = 0; r < b; r++) {
            int row = r;
            int position = from + r;
            indices[r] = order[position];
            tasks[r] = pool.submit(() -> examples.compute(order[position], mix(mix(seed, epoch), position), x, row * n, y, row * c));
        }
        return new Pending(new Batch(new Tensor(x, b, pipeline.modelInput().frames(), n / pipeline.modelInput().frames()),
                new Tensor(y, b, c), indices), tasks);
    }

    /** A batch whose rows are being computed. */
    private record Pending(Batch batch, Future<?>[] tasks) {
        Batch await() {
            for (Future<?> f : tasks) {
                try {
                    f.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while loading a batch", e);
                } catch (ExecutionException e) {
                    for (Future<?> other : tasks) other.cancel(false);
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException re) throw re;
                    if (cause instanceof Error err) throw err;
                    throw new IllegalStateException(cause);
                }
            }
            return batch;
        }
    }

    /** A seed from two numbers: SplitMix64's finaliser over a golden-ratio step, so nearby inputs give unrelated seeds. */
    static long mix(long a, long b) {
        long z = a * 0x9E3779B97F4A7C15L + b + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
