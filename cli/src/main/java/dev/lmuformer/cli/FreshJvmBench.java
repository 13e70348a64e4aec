package dev.lmuformer.cli;

import com.fasterxml.jackson.jr.ob.JSON;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench --jvms K} and {@code bench --sweep-threads 1,2,4}: the same measurement in fresh JVMs,
 * one after another, so that what a single JVM cannot show is seen — the spread between JIT
 * compilations of the same code, and the scaling with threads (each thread count in its own JVM, as a
 * user would start it). Each child is this JVM's own command line (same JVM options, same class path)
 * running {@code bench} with the caller's options, {@code --threads T} and {@code --json}.
 */
final class FreshJvmBench {
    private FreshJvmBench() {
    }

    /** One child's result. */
    record Run(int threads, int jvm, double samplesPerSecond, Map<String, Object> json) {
    }

    /**
     * Runs {@code jvms} children per thread count and prints each, then the spread per thread count
     * (min, median, max, slowest/fastest) and, for several thread counts, the speed-up over the first.
     *
     * @param benchArgs the caller's {@code bench} arguments without {@code --jvms}, {@code --sweep-threads},
     *                  {@code --threads} and {@code --json}
     */
    static int run(List<String> benchArgs, int[] threadCounts, int jvms, boolean json, PrintWriter out, PrintWriter err)
            throws IOException, InterruptedException {
        List<String> jvm = new ArrayList<>();
        jvm.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        jvm.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        jvm.add("-cp");
        jvm.add(System.getProperty("java.class.path"));
        jvm.add(Main.class.getName());
        jvm.add("bench");
        List<Run> runs = new ArrayList<>();
        for (int threads : threadCounts) {
            for (int k = 1; k <= jvms; k++) {
                List<String> cmd = new ArrayList<>(jvm);
                cmd.addAll(benchArgs);
                cmd.addAll(List.of("--threads", Integer.toString(threads), "--json"));
                Map<String, Object> result = child(cmd);
                double sps = ((Number) result.get("samples_per_s")).doubleValue();
                runs.add(new Run(threads, k, sps, result));
                if (!json) {
                    err.printf("  threads %d, JVM %d/%d: %.1f samples/s (median %.3f s, min %.3f s, max %.3f s)%n", threads, k, jvms, sps,
                            ((Number) result.get("median_s")).doubleValue(), ((Number) result.get("min_s")).doubleValue(),
                            ((Number) result.get("max_s")).doubleValue());
                    err.flush();
                }
            }
        }
        List<Map<String, Object>> perThreads = new ArrayList<>();
        double firstMedian = Double.NaN;
        for (int threads : threadCounts) {
            double[] sps = runs.stream().filter(r -> r.threads == threads).mapToDouble(Run::samplesPerSecond).sorted().toArray();
            double median = median(sps);
            if (Double.isNaN(firstMedian)) firstMedian = median;
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("threads", threads);
            row.put("jvms", sps.length);
            row.put("samples_per_s_min", sps[0]);
            row.put("samples_per_s_median", median);
            row.put("samples_per_s_max", sps[sps.length - 1]);
            row.put("slowest_over_fastest", sps[0] / sps[sps.length - 1]);
            row.put("speedup_over_first", median / firstMedian);
            perThreads.add(row);
        }
        Map<String, Object> first = runs.get(0).json;
        if (json) {
            Map<String, Object> result = new LinkedHashMap<>();
            for (String key : List.of("model", "mode", "batch", "kernels", "frames", "embed_dims", "iterations", "java")) result.put(key, first.get(key));
            result.put("by_threads", perThreads);
            result.put("runs", runs.stream().map(Run::json).toList());
            out.println(JSON.std.asString(result));
        } else {
            out.printf("%s %s batch %d, %s JVM(s) per thread count (java %s, kernels %s):%n", first.get("model"), first.get("mode"),
                    ((Number) first.get("batch")).intValue(), jvms, first.get("java"), first.get("kernels"));
            out.println("  threads   samples/s min / median / max   slowest/fastest   speed-up");
            for (Map<String, Object> row : perThreads) {
                out.printf("  %7d   %8.1f / %8.1f / %8.1f   %15.3f   %7.2fx%n", (Integer) row.get("threads"),
                        (Double) row.get("samples_per_s_min"), (Double) row.get("samples_per_s_median"), (Double) row.get("samples_per_s_max"),
                        (Double) row.get("slowest_over_fastest"), (Double) row.get("speedup_over_first"));
            }
        }
        return 0;
    }

    private static Map<String, Object> child(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close(); // the child reads nothing
        // drain stderr on its own thread so that a chatty child cannot block on a full pipe
        StringBuilder stderr = new StringBuilder();
        Thread drain = new Thread(() -> {
            try {
                stderr.append(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // the child's exit code below tells what matters
            }
        });
        drain.start();
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        drain.join();
        if (rc != 0) {
            String why = stderr.toString().lines().filter(l -> !l.startsWith("WARNING: Using incubator modules")).reduce((a, b) -> b).orElse("no message");
            throw new IllegalStateException("a bench JVM exited with code " + rc + ": " + why);
        }
        String line = stdout.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b)
                .orElseThrow(() -> new IllegalStateException("a bench JVM printed no JSON result"));
        return JSON.std.mapFrom(line);
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Parses {@code 1,2,4}: positive thread counts, at least one. */
    static int[] parseThreadCounts(String list) {
        try {
            int[] counts = Arrays.stream(list.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
            if (counts.length == 0 || Arrays.stream(counts).anyMatch(t -> t < 1)) throw new NumberFormatException();
            return counts;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--sweep-threads takes positive thread counts separated by commas, e.g. 1,2,4; got '" + list + "'");
        }
    }
}
