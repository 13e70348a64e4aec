package dev.lmuformer.cli;

import java.io.PrintWriter;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * The untimed iterations before a measurement. A fixed count is not enough on a small machine: with
 * two cores the JIT compiler threads share them with the work, C2 reaches the big kernels only
 * after several seconds, and until then the Vector API runs through its boxed Java fallback (with the
 * garbage collector copying its vectors). Three warm-up iterations of a training step left fresh
 * JVMs of the same command 15–35 % apart; warming up until the JIT has settled (with the step's own
 * allocations removed) brought five within 8 % (see docs/performance.md). Settled means: one whole
 * iteration during which the JIT compiled for under 1 % of its wall time, as the JVM's compilation
 * bean counts it.
 */
final class JitWarmup {
    /** Warm-up iterations at least, settled or not. */
    static final int MIN_ITERATIONS = 3;
    /** Give up waiting for the JIT after this many iterations or seconds (and say so: {@code settled} false). */
    static final int MAX_ITERATIONS = 200;
    static final double MAX_SECONDS = 120;

    private JitWarmup() {
    }

    /** What the warm-up did. */
    record Result(int iterations, double seconds, boolean settled) {
    }

    /**
     * Collects the warm-up's garbage (the boxed vectors of the interpreted and C1 phases fill the
     * young generation; the collection that follows otherwise lands among the timed iterations,
     * 1–2 s long, and moves the arrays), as benchmark harnesses do before measuring.
     */
    private static Result collected(Result r) {
        System.gc();
        return r;
    }

    /**
     * Runs {@code work} untimed: {@code fixed} times if given, else until the JIT has settled.
     *
     * @param progress where to print one line per iteration, or null
     * @return the iterations run, their seconds, and whether the last one saw the JIT settled
     */
    static Result run(Runnable work, Integer fixed, PrintWriter progress) {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean measurable = jit != null && jit.isCompilationTimeMonitoringSupported();
        if (fixed != null && fixed == 0) return new Result(0, 0, false);
        long start = System.nanoTime();
        for (int it = 1; ; it++) {
            long compiledBefore = measurable ? jit.getTotalCompilationTime() : 0;
            long t0 = System.nanoTime();
            work.run();
            double s = (System.nanoTime() - t0) / 1e9;
            double compiling = measurable ? (jit.getTotalCompilationTime() - compiledBefore) / 1e3 : Double.NaN;
            double total = (System.nanoTime() - start) / 1e9;
            if (progress != null) {
                progress.printf("  warm-up %d: %.3f s%s%n", it, s, measurable ? String.format(" (JIT compiling %.3f s)", compiling) : "");
                progress.flush();
            }
            boolean settled = measurable && compiling < 0.01 * s;
            if (fixed != null) {
                if (it >= fixed) return collected(new Result(it, total, settled));
                continue;
            }
            if (it >= MIN_ITERATIONS && (settled || !measurable)) return collected(new Result(it, total, settled));
            if (it >= MAX_ITERATIONS || total >= MAX_SECONDS) return collected(new Result(it, total, false));
        }
    }
}
