package dev.lmuformer.engine;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The engine's thread pool: a fixed number of worker threads that run index ranges.
 *
 * <p>The thread count defaults to the number of cores and can be set with the system property
 * {@code lmuformer.threads} or {@link #setThreads(int)}. Calls made from inside a parallel body
 * run serially on the calling thread, so kernels may nest without deadlock.
 *
 * <p>A training step makes about 1,700 parallel calls, many of them a millisecond or less. Handing
 * work to an executor's parked thread costs some 40 µs per call here (the thread has to be woken),
 * about a tenth of the step. So the workers spin for a short while ({@link #SPIN_NANOS}) after each
 * call, watching for the next one, and only then park; the caller takes part in the work and
 * waits for the workers' last items the same way. One call runs on the pool at a time; a call made
 * while another thread's call holds the pool runs serially on its own thread.
 *
 * <p>The pool is process-wide by design, as the cores it runs on are: {@link #setThreads(int)}
 * (the commands' {@code --threads}) resizes it for every model in the JVM.
 */
public final class Parallel {
    /** How long an idle worker (or a waiting caller) spins before it parks. */
    static final long SPIN_NANOS = 100_000;

    private static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> false);
    private static int threads = defaultThreads();
    private static Pool pool;

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

    private static synchronized Pool pool() {
        if (pool == null && threads > 1) pool = new Pool(threads - 1);
        return pool;
    }

    /** True where a parallel call would run serially: one thread, or inside a parallel body. */
    public static boolean serial() {
        return threads() == 1 || INSIDE.get();
    }

    /**
     * Runs {@code body} with every parallel call it makes run serially on the calling thread. For a
     * caller that is itself one of several threads sharing the cores — a server's shards, each
     * stepping its own streams — where a call spread over the pool would wait for whichever worker
     * the other threads' work has preempted.
     */
    public static void runSerial(Runnable body) {
        boolean was = INSIDE.get();
        INSIDE.set(true);
        try {
            body.run();
        } finally {
            INSIDE.set(was);
        }
    }

    /** Runs {@code body.accept(i)} for every i in [0, n), spread over the threads. */
    public static void forEach(int n, IntConsumer body) {
        if (n <= 0) return;
        int t = Math.min(threads(), n);
        Pool p = t == 1 || INSIDE.get() ? null : pool();
        if (p == null || !p.busy.compareAndSet(false, true)) {
            for (int i = 0; i < n; i++) body.accept(i);
            return;
        }
        Job job = new Job(n, body);
        try {
            p.run(job);
        } finally {
            p.busy.set(false);
        }
        Throwable failure = job.failure;
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

    /** One parallel call: its indices are claimed one at a time by whoever runs it. */
    private static final class Job {
        final int n;
        final IntConsumer body;
        final AtomicInteger next = new AtomicInteger();
        /** Workers inside {@link #work()}; a worker enters before it claims an index. */
        final AtomicInteger running = new AtomicInteger();
        volatile Throwable failure;
        volatile Thread waiter;

        Job(int n, IntConsumer body) {
            this.n = n;
            this.body = body;
        }

        /** Runs indices until none is left (or one failed). */
        void work() {
            boolean was = INSIDE.get();
            INSIDE.set(true);
            try {
                for (int i = next.getAndIncrement(); i < n && failure == null; i = next.getAndIncrement()) body.accept(i);
            } catch (Throwable e) {
                if (failure == null) failure = e;
            } finally {
                INSIDE.set(was);
            }
        }
    }

    /** The worker threads and the call they are serving. */
    private static final class Pool {
        final AtomicBoolean busy = new AtomicBoolean();
        final Worker[] workers;
        volatile Job current;
        volatile boolean stopped;

        Pool(int count) {
            workers = new Worker[count];
            for (int i = 0; i < count; i++) {
                workers[i] = new Worker(this);
                workers[i].setName("lmuformer-worker-" + (i + 1));
                workers[i].setDaemon(true);
                workers[i].start();
            }
        }

        /** Publishes {@code job}, works on it, then waits for the workers still inside it. */
        void run(Job job) {
            current = job;
            for (Worker w : workers) if (w.parked) LockSupport.unpark(w);
            job.work();
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (job.running.get() != 0) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    job.waiter = Thread.currentThread();
                    if (job.running.get() != 0) LockSupport.parkNanos(50_000);
                }
            }
            current = null;
        }

        void shutdown() {
            stopped = true;
            for (Worker w : workers) LockSupport.unpark(w);
        }
    }

    private static final class Worker extends Thread {
        final Pool pool;
        volatile boolean parked;

        Worker(Pool pool) {
            this.pool = pool;
        }

        @Override
        public void run() {
            Job last = null;
            while (!pool.stopped) {
                Job job = awaitJob(last);
                if (job == null) continue;
                last = job;
                job.running.incrementAndGet();
                job.work();
                if (job.running.decrementAndGet() == 0) {
                    Thread waiter = job.waiter;
                    if (waiter != null) LockSupport.unpark(waiter);
                }
            }
        }

        /** A call other than {@code last}: spins for a while, then parks until one is published (null when woken otherwise). */
        private Job awaitJob(Job last) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (System.nanoTime() < spinUntil) {
                Job job = pool.current;
                if (job != null && job != last) return job;
                Thread.onSpinWait();
            }
            parked = true;
            Job job = pool.current; // checked after raising the flag, so a call published meanwhile is seen or unparks us
            if ((job == null || job == last) && !pool.stopped) LockSupport.park(this);
            parked = false;
            job = pool.current;
            return job != null && job != last ? job : null;
        }
    }
}
