package dev.lmuformer.engine;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * The engine's thread pool: a fixed number of worker threads that run index ranges.
 *
 * <p>The thread count defaults to the number of cores and can be set with the system property
 * {@code lmuformer.threads} or {@link #setThreads(int)}. Calls made from inside a parallel body
 * run serially on the calling thread, so kernels may nest without deadlock.
 */
public final class Parallel {
    private static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> false);
    private static int threads = defaultThreads();
    private static ExecutorService pool;

    private Parallel() {
    }

    private static int defaultThreads() {
        String p = System.getProperty("lmuformer.threads");
        if (p != null && !p.isBlank()) {
            try {
                int t = Integer.parseInt(p.trim());
                if (t >= 1) return t;
            } catch (NumberFormatException ignored) {
                // fall through to the default
            }
            throw new IllegalArgumentException("lmuformer.threads must be a positive integer, got '" + p + "'");
        }
        return Runtime.getRuntime().availableProcessors();
    }

    /** Number of threads used by parallel kernels. */
    public static synchronized int threads() {
        return threads;
    }

    /** Sets the number of threads (at least 1) used by parallel kernels. */
    public static synchronized void setThreads(int count) {
        if (count < 1) throw new IllegalArgumentException("thread count must be at least 1, got " + count);
        if (count != threads && pool != null) {
            pool.shutdown();
            pool = null;
        }
        threads = count;
    }

    private static synchronized ExecutorService pool() {
        if (pool == null && threads > 1) {
            AtomicInteger id = new AtomicInteger();
            pool = Executors.newFixedThreadPool(threads - 1, r -> {
                Thread t = new Thread(r, "lmuformer-worker-" + id.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        return pool;
    }

    /** True where a parallel call would run serially: one thread, or inside a parallel body. */
    public static boolean serial() {
        return threads() == 1 || INSIDE.get();
    }

    /** Runs {@code body.accept(i)} for every i in [0, n), spread over the threads. */
    public static void forEach(int n, IntConsumer body) {
        if (n <= 0) return;
        int t = Math.min(threads(), n);
        if (t == 1 || INSIDE.get()) {
            for (int i = 0; i < n; i++) body.accept(i);
            return;
        }
        ExecutorService executor = pool();
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            boolean was = INSIDE.get();
            INSIDE.set(true);
            try {
                for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) body.accept(i);
            } finally {
                INSIDE.set(was);
            }
        };
        @SuppressWarnings("unchecked")
        Future<?>[] futures = new Future<?>[t - 1];
        for (int w = 0; w < t - 1; w++) futures[w] = executor.submit(worker);
        Throwable failure = null;
        try {
            worker.run();
        } catch (Throwable e) {
            failure = e;
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                if (failure == null) failure = e.getCause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (failure == null) failure = e;
            }
        }
        if (failure instanceof RuntimeException) throw (RuntimeException) failure;
        if (failure instanceof Error) throw (Error) failure;
        if (failure != null) throw new IllegalStateException(failure);
    }

    /**
     * Splits [0, n) into about {@code threads()} contiguous chunks (at least {@code grain} long)
     * and runs {@code body.run(from, to)} on each.
     */
    public static void forChunks(int n, int grain, RangeBody body) {
        if (n <= 0) return;
        int chunks = Math.max(1, Math.min(threads(), (n + grain - 1) / Math.max(1, grain)));
        forEach(chunks, c -> body.run((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks)));
    }

    /** A body over an index range [from, to). */
    @FunctionalInterface
    public interface RangeBody {
        /** Processes indices from (inclusive) to (exclusive). */
        void run(int from, int to);
    }
}
