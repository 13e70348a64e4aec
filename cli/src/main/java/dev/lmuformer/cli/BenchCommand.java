package dev.lmuformer.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.lmuformer.engine.Kernels;
import dev.lmuformer.engine.Parallel;
import dev.lmuformer.model.Init;
import dev.lmuformer.model.LmuRnnConv1d;
import dev.lmuformer.model.ModelConfig;
import dev.lmuformer.model.Models;
import dev.lmuformer.model.SequenceModel;
import dev.lmuformer.stream.ModelStream;
import dev.lmuformer.train.Recipe;
import dev.lmuformer.train.TrainStep;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * {@code lmuformer bench}: samples per second of a model in training (forward, loss, backward,
 * Adam step) or evaluation, after warm-up; the median over timed iterations. {@code --mode loader}
 * measures the training data loader instead ({@link LoaderBench}), {@code --mode stream} the per-frame
 * latency of streaming inference ({@link StreamBench}; {@link SpikingStreamBench} for the other models).
 */
@Command(name = "bench",
        description = "Measure training or evaluation throughput (samples/s, median of timed iterations), the data loader's, or streaming latency per frame.",
        footer = {"", "Examples:",
                "  lmuformer bench --model lmu_rnn_conv1d --mode train --batch 128",
                "  lmuformer bench --model lmu_rnn_conv1d --mode eval --batch 256 --threads 2 --json",
                "  lmuformer bench --model psmnist_lmu --mode train --batch 100 --threads 2 --jvms 5",
                "  lmuformer bench --mode train --sweep-threads 1,2,4,8,16",
                "  lmuformer bench --mode loader --data data/keywords --threads 2",
                "  lmuformer bench --mode stream --threads 1",
                "  lmuformer bench --mode stream --model slmu_rnn_ms_conv1d --threads 1",
                "  lmuformer bench --mode stream --streams 256 --group 64 --threads 2",
                "  lmuformer bench --mode stream --streams 256 --audio --threads 2",
                "  lmuformer bench --mode stream --find-max --audio --threads 2",
                "  lmuformer bench --mode serve --clients 200 --seconds 10 --threads 2",
                "  lmuformer bench --mode serve --find-max --threads 2",
                "  lmuformer bench --mode serve --clients 100 --url ws://127.0.0.1:8080/v1/stream"})
final class BenchCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", defaultValue = "lmu_rnn_conv1d", description = "Architecture (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--mode", defaultValue = "eval", description = "train, eval, loader, stream or serve (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--batch",
            description = "Batch size (default: 256 for eval; for train the model's recipe's, 128 for Speech Commands, 100 for psMNIST, 32 for LRA).")
    Integer batch;

    @Option(names = "--threads", defaultValue = "0", description = "Threads (0 = all cores).")
    int threads;

    @Option(names = "--warmup", paramLabel = "N",
            description = "Untimed iterations before the timed ones (default: train and eval modes until the JIT has settled — at least "
                    + JitWarmup.MIN_ITERATIONS + ", then until one iteration passes with the JIT compiling for under 1 %% of it; 3 in loader mode).")
    Integer warmup;

    @Option(names = "--iterations", defaultValue = "7", description = "Timed iterations (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--dim", description = "Embedding width C (default: the architecture's).")
    Integer dim;

    @Option(names = "--frames", description = "Sequence length N (default: the architecture's).")
    Integer frames;

    @Option(names = "--streams", defaultValue = "1", description = "Stream mode: streams stepped per frame tick (default: ${DEFAULT-VALUE}).")
    int streams;

    @Option(names = "--group",
            description = "Stream mode, lmu_rnn_conv1d: most streams stepped together as one matrix product per layer (1 = one by one; default: "
                    + ModelStream.DEFAULT_GROUP + ").")
    Integer group;

    @Option(names = "--find-max", description = "Stream mode, lmu_rnn_conv1d: search the most concurrent streams that keep up with real time "
            + "(doubling from 64, then bisecting to 16 streams).")
    boolean findMax;

    @Option(names = "--audio",
            description = "Stream mode, lmu_rnn_conv1d: feed keyword sessions 10 ms of audio per tick, so the filterbank and decisions are timed too.")
    boolean audio;

    @Option(names = "--windowed", description = "With --audio: windowed sessions (one decision per 1.28 s window) instead of continuous ones.")
    boolean windowed;

    @Option(names = "--seconds", defaultValue = "3", description = "Stream mode: timed seconds after warm-up (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--clients", defaultValue = "200",
            description = "Serve mode: WebSocket clients, each sending 10 ms of audio every 10 ms (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--url", paramLabel = "ws://HOST:PORT/v1/stream",
            description = "Serve mode: load this running server instead of one of its own (started by `serve`, e.g. pinned to other cores).")
    String url;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Option(names = "--jvms", defaultValue = "1", paramLabel = "K",
            description = "Train and eval modes: run the measurement in K fresh JVMs one after another and report the spread across them "
                    + "(min, median, max, slowest/fastest; default: ${DEFAULT-VALUE}, this JVM).")
    int jvms;

    @Option(names = "--sweep-threads", paramLabel = "LIST",
            description = "Train and eval modes: measure each thread count of LIST (e.g. 1,2,4,8,16), each in fresh JVMs (--jvms per count), "
                    + "and report the speed-up over the first.")
    String sweepThreads;

    @Option(names = "--data", description = "Loader mode: dataset root in the Speech Commands layout (its train split is loaded).")
    java.nio.file.Path data;

    /** The modes. */
    private static final List<String> MODES = List.of("train", "eval", "loader", "stream", "serve");

    /** The options that apply to some modes only, and those modes; --threads and --json apply to all. */
    private static final Map<String, List<String>> MODE_OPTIONS = Map.ofEntries(
            Map.entry("--model", List.of("train", "eval", "stream", "serve")),
            Map.entry("--batch", List.of("train", "eval", "loader")),
            Map.entry("--warmup", List.of("train", "eval", "loader")),
            Map.entry("--iterations", List.of("train", "eval", "loader")),
            Map.entry("--dim", List.of("train", "eval", "stream", "serve")),
            Map.entry("--frames", List.of("train", "eval", "stream", "serve")),
            Map.entry("--jvms", List.of("train", "eval")),
            Map.entry("--sweep-threads", List.of("train", "eval")),
            Map.entry("--data", List.of("loader")),
            Map.entry("--streams", List.of("stream")),
            Map.entry("--group", List.of("stream")),
            Map.entry("--audio", List.of("stream")),
            Map.entry("--windowed", List.of("stream")),
            Map.entry("--find-max", List.of("stream", "serve")),
            Map.entry("--seconds", List.of("stream", "serve")),
            Map.entry("--clients", List.of("serve")),
            Map.entry("--url", List.of("serve")));

    /** Refuses an option given for a mode it does not apply to, in one line. */
    private void checkOptionsOfMode() {
        if (!MODES.contains(mode)) throw new IllegalArgumentException("--mode must be " + String.join(", ", MODES) + ", got '" + mode + "'");
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        for (Map.Entry<String, List<String>> e : new java.util.TreeMap<>(MODE_OPTIONS).entrySet()) {
            List<String> modes = e.getValue();
            if (parsed.hasMatchedOption(e.getKey()) && !modes.contains(mode)) {
                throw new IllegalArgumentException(e.getKey() + " applies to --mode " + String.join(", ", modes) + ", not " + mode);
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        java.io.PrintWriter out = spec.commandLine().getOut();
        java.io.PrintWriter err = spec.commandLine().getErr();
        checkOptionsOfMode();
        Main.applyThreads(threads);
        boolean train = mode.equals("train");
        if (warmup != null && warmup < 0 || iterations < 1) throw new IllegalArgumentException("--warmup must be ≥ 0 and --iterations ≥ 1");
        if (jvms < 1) throw new IllegalArgumentException("--jvms must be at least 1, got " + jvms);
        if (jvms > 1 || sweepThreads != null) {
            int[] counts = sweepThreads != null ? FreshJvmBench.parseThreadCounts(sweepThreads) : new int[] {Parallel.threads()};
            List<String> childArgs = withoutOptions(benchArgs(), "--jvms", "--sweep-threads", "--threads", "--json");
            return FreshJvmBench.run(childArgs, counts, jvms, json, out, err);
        }
        int b = batch != null ? batch : mode.equals("eval") ? 256 : Recipe.forModel(model).batchSize();
        if (b < 1) throw new IllegalArgumentException("--batch must be positive, got " + b);
        if (mode.equals("loader")) {
            if (data == null) throw new IllegalArgumentException("--mode loader needs --data DIR (a Speech Commands-layout dataset)");
            return LoaderBench.run(data, b, warmup == null ? 3 : warmup, iterations, json, out, err);
        }
        Map<String, Object> overrides = new LinkedHashMap<>();
        if (dim != null) overrides.put("embed_dims", dim);
        if (frames != null) overrides.put("seq_len", frames);
        if (!Models.names().contains(model)) {
            throw new IllegalArgumentException("unknown model '" + model + "' (known: " + String.join(", ", Models.names()) + ")");
        }
        ModelConfig config = ModelConfig.fromMap(model, overrides);
        SequenceModel net = Models.create(config);
        if (mode.equals("serve")) {
            if (!(net instanceof LmuRnnConv1d lmu)) throw new IllegalArgumentException("--mode serve runs " + LmuRnnConv1d.ARCH + ", not " + net.arch());
            if (clients < 1) throw new IllegalArgumentException("--clients must be at least 1, got " + clients);
            return ServeBench.run(lmu, url == null ? null : java.net.URI.create(url), clients, seconds, findMax, json, out, err);
        }
        if (mode.equals("stream")) {
            if ((findMax || audio) && !(net instanceof LmuRnnConv1d)) {
                throw new IllegalArgumentException("--find-max and --audio apply to " + LmuRnnConv1d.ARCH + "; " + net.arch() + " is timed as one stream");
            }
            if (findMax && spec.commandLine().getParseResult().hasMatchedOption("--streams")) {
                throw new IllegalArgumentException("--find-max chooses the stream counts itself; leave out --streams");
            }
            if (!(net instanceof LmuRnnConv1d lmu)) return SpikingStreamBench.run(net, streams, group == null ? 1 : group, seconds, json, out);
            int g = group == null ? ModelStream.DEFAULT_GROUP : group;
            if (audio && group != null) throw new IllegalArgumentException("--group does not apply with --audio: sessions step in groups of "
                    + ModelStream.DEFAULT_GROUP);
            if (streams < 1 || g < 1 || !(seconds > 0)) {
                throw new IllegalArgumentException("--streams and --group must be ≥ 1 and --seconds positive");
            }
            if (windowed && !audio) throw new IllegalArgumentException("--windowed applies to --audio sessions");
            StreamBench.Feed feed = !audio ? StreamBench.Feed.FRAMES : windowed ? StreamBench.Feed.WINDOWED : StreamBench.Feed.CONTINUOUS;
            if (findMax) return StreamBench.findMax(lmu, g, feed, seconds, 16, json, out, err);
            return StreamBench.run(lmu, streams, g, feed, seconds, json, out);
        }
        Init.pytorchDefault(net, 1);
        ModelConfig.Lra tokens = config instanceof ModelConfig.Lra lra ? lra : null;
        int n = config.seqLen() * (tokens == null ? 1 : tokens.towers());
        int f = net.inputFeatures();
        SplittableRandom rnd = new SplittableRandom(7);
        float[] x = new float[b * n * f];
        // token models read ids (no padding here), the others real-valued features
        for (int i = 0; i < x.length; i++) x[i] = tokens != null ? 1 + rnd.nextInt(tokens.vocabSize() - 1) : (float) (rnd.nextDouble() * 2 - 1);
        float[] y = new float[b * net.numClasses()];
        for (int i = 0; i < b; i++) y[i * net.numClasses() + rnd.nextInt(net.numClasses())] = 1f;
        TrainStep step = train ? Recipe.forModel(model).step(net) : null; // the model's own task recipe
        Runnable once = train ? () -> step.run(x, y, b, n) : () -> net.forward(x, b, n, false);
        JitWarmup.Result warm = JitWarmup.run(once, warmup, json ? null : err);
        double[] seconds = new double[iterations];
        for (int it = 0; it < iterations; it++) {
            long t0 = System.nanoTime();
            once.run();
            seconds[it] = (System.nanoTime() - t0) / 1e9;
            if (!json) err.printf("  iteration %d: %.3f s%n", it + 1, seconds[it]);
        }
        double[] sorted = seconds.clone();
        Arrays.sort(sorted);
        double median = FreshJvmBench.median(sorted);
        double samplesPerSecond = b / median;
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("model", model);
        result.put("mode", mode);
        result.put("batch", b);
        result.put("threads", Parallel.threads());
        result.put("kernels", Kernels.get().name());
        result.put("frames", n);
        result.put("embed_dims", config instanceof ModelConfig.Keyword k ? (Integer) k.embedDims() : tokens != null ? (Integer) tokens.embedDims() : null);
        result.put("warmup_iterations", warm.iterations());
        result.put("warmup_s", warm.seconds());
        result.put("jit_settled", warm.settled());
        result.put("iterations", iterations);
        result.put("median_s", median);
        result.put("min_s", sorted[0]);
        result.put("max_s", sorted[sorted.length - 1]);
        result.put("samples_per_s", samplesPerSecond);
        result.put("java", System.getProperty("java.version"));
        if (json) {
            out.println(JSON.std.asString(result));
        } else {
            out.printf("%s %s batch %d (%s): median %.3f s/iteration, %.1f samples/s (min %.3f s, max %.3f s)%n",
                    model, mode, b, Main.engineLine(), median, samplesPerSecond, sorted[0], sorted[sorted.length - 1]);
        }
        return 0;
    }

    /** This command's own arguments: picocli's original arguments start with the parent's and the subcommand's name. */
    private List<String> benchArgs() {
        List<String> all = spec.commandLine().getParseResult().originalArgs();
        int at = all.indexOf(spec.name());
        return all.subList(at + 1, all.size());
    }

    /** The arguments less the named options and their values ({@code --name value} or {@code --name=value}; {@code --json} has none). */
    static List<String> withoutOptions(List<String> args, String... names) {
        List<String> kept = new ArrayList<>();
        List<String> drop = List.of(names);
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            if (!drop.contains(name)) {
                kept.add(a);
            } else if (!a.contains("=") && !a.equals("--json")) {
                i++; // its value
            }
        }
        return kept;
    }
}
