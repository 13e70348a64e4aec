package dev.lmuformer.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.lmuformer.audio.ModelInput;
import dev.lmuformer.data.speech.Augment;
import dev.lmuformer.data.Batch;
import dev.lmuformer.data.speech.Loader;
import dev.lmuformer.data.speech.Pipeline;
import dev.lmuformer.data.Split;
import dev.lmuformer.data.speech.SpeechCommands;
import dev.lmuformer.engine.Parallel;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code bench --mode loader}: training examples per second of the data loader with the reference's
 * augmentations (decode, mixup, filterbank, masks, noise, roll) on {@code --threads} loader threads.
 * Epochs follow one another; the figure is the median over timed batches of batch size / time between
 * consecutive batches arriving, so prefetching is included as in training. The process CPU time per
 * example (loader, GC and JIT threads together) is reported beside it: on a machine shared with
 * other work it shows what the loader would do with its cores to itself.
 */
final class LoaderBench {
    private LoaderBench() {
    }

    static int run(Path data, int batch, int warmup, int iterations, boolean json, PrintWriter out, PrintWriter err) throws Exception {
        SpeechCommands ds = SpeechCommands.open(data);
        var train = ds.examples(Split.TRAIN);
        if (train.isEmpty()) throw new IllegalArgumentException(data + ": the train split is empty");
        Pipeline pipeline = new Pipeline(Augment.REFERENCE, ModelInput.DEFAULT, ds.labels().size());
        int threads = Parallel.threads();
        double[] rates = new double[iterations];
        long examples = 0;
        double seconds = 0;
        long cpuStart = cpuNanos();
        double cpuPerExample;
        try (Loader loader = new Loader(train, pipeline, batch, true, 1, threads, 2)) {
            int epoch = 0;
            Iterator<Batch> it = loader.epoch(epoch);
            long last = System.nanoTime();
            for (int i = -warmup; i < iterations; i++) {
                if (!it.hasNext()) it = loader.epoch(++epoch);
                Batch b = it.next();
                long now = System.nanoTime();
                double s = (now - last) / 1e9;
                last = now;
                if (i == -1) cpuStart = cpuNanos(); // the timed window starts when the last warm-up batch arrives
                if (i >= 0) {
                    rates[i] = b.size() / s;
                    examples += b.size();
                    seconds += s;
                }
                if (!json) err.printf("  %s %d: %d examples in %.3f s%n", i < 0 ? "warm-up" : "batch", i < 0 ? i + warmup + 1 : i + 1, b.size(), s);
            }
            // Work prefetched beyond the window balances the work prefetched before it began.
            cpuPerExample = (cpuNanos() - cpuStart) / 1e6 / examples;
        }
        double[] sorted = rates.clone();
        Arrays.sort(sorted);
        double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("mode", "loader");
        r.put("data", data.toString());
        r.put("train_clips", train.size());
        r.put("batch", batch);
        r.put("threads", threads);
        r.put("iterations", iterations);
        r.put("examples_per_s", median);
        r.put("mean_examples_per_s", examples / seconds);
        r.put("cpu_ms_per_example", cpuPerExample);
        r.put("java", System.getProperty("java.version"));
        if (json) {
            out.println(JSON.std.asString(r));
        } else {
            out.printf("loader %s (%d train clips) batch %d, threads %d: median %.0f examples/s (overall %.0f over %d batches), %.3f CPU ms per example%n",
                    data, train.size(), batch, threads, median, examples / seconds, iterations, cpuPerExample);
        }
        return 0;
    }

    /** CPU time of the whole process so far, in nanoseconds (0 where the JVM cannot tell). */
    private static long cpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return Math.max(0, os.getProcessCpuTime());
        }
        return 0;
    }
}
