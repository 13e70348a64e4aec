package dev.lmuformer.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.lmuformer.engine.Kernels;
import dev.lmuformer.engine.Parallel;
import dev.lmuformer.model.Init;
import dev.lmuformer.model.LmuRnnConv1d;
import dev.lmuformer.model.ModelConfig;
import dev.lmuformer.model.Models;
import dev.lmuformer.model.PsmnistSlmu;
import dev.lmuformer.model.SequenceModel;
import dev.lmuformer.model.SpikingLmuFormer;
import dev.lmuformer.nn.Lif;
import dev.lmuformer.stream.ModelStream;
import dev.lmuformer.stream.StreamingModel;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code bench --mode stream} for the models other than lmu_rnn_conv1d: the per-frame latency of
 * one stream stepped on the calling thread, the median over about {@code seconds} of timed frames
 * per variant after a JIT warm-up. For the Spiking LMUFormers it times the stream with and without
 * spike accumulation and, in the same run, lmu_rnn_conv1d at the same width; the variants take
 * turns sequence by sequence, so machine noise falls on all of them alike.
 *
 * <p>Weights are PyTorch's default initialisation. An untrained model's running statistics (0 and 1)
 * leave almost every neuron silent, which would flatter spike accumulation, so the running statistics
 * are first set to the batch statistics of the bench input (as {@code profile --batch-stats} uses
 * them), and the resulting firing rate is reported with the figures.
 */
final class SpikingStreamBench {
    private static final int WARMUP_FRAMES = 20_000;

    private SpikingStreamBench() {
    }

    /** One timed variant. */
    private record Variant(String label, StreamingModel model, long[] nanos) {
    }

    static int run(SequenceModel net, int streams, int group, double seconds, boolean json, PrintWriter out) {
        if (streams != 1 || group != 1) {
            throw new IllegalArgumentException("--streams and --group apply to " + LmuRnnConv1d.ARCH + "; " + net.arch() + " is timed as one stream");
        }
        if (!(seconds > 0)) throw new IllegalArgumentException("--seconds must be positive");
        ModelConfig config = net.config();
        int frames = config.seqLen(), f = net.inputFeatures();
        SplittableRandom rnd = new SplittableRandom(7);
        float[] x = new float[frames * f]; // one sequence [N, F]: filterbank-like values, or pixels in [0, 1)
        for (int i = 0; i < x.length; i++) x[i] = (float) (config instanceof ModelConfig.Psmnist ? rnd.nextDouble() : rnd.nextDouble() * 2 - 1);
        Init.pytorchDefault(net, 1);
        Init.calibrateNorms(net, x, 1, frames);
        net.forward(x, 1, frames, false);
        List<Lif> neurons = net instanceof SpikingLmuFormer s ? s.neurons() : net instanceof PsmnistSlmu p ? p.neurons() : List.of();
        double rate = neurons.stream().mapToDouble(Lif::firingRate).average().orElse(Double.NaN);

        int capacity = 1 << 20;
        List<Variant> variants = new ArrayList<>();
        if (net instanceof SpikingLmuFormer s) {
            variants.add(new Variant("spike accumulation", new ModelStream(s, true), new long[capacity]));
            variants.add(new Variant("dense", new ModelStream(s, false), new long[capacity]));
            SequenceModel baseline = Models.create(ModelConfig.fromMap(LmuRnnConv1d.ARCH, config.toMap()));
            Init.pytorchDefault(baseline, 1);
            variants.add(new Variant(LmuRnnConv1d.ARCH, StreamingModel.of(baseline), new long[capacity]));
        } else {
            variants.add(new Variant(net.arch(), StreamingModel.of(net), new long[capacity]));
        }
        List<StreamingModel.FrameStream> streamsOf = new ArrayList<>();
        for (Variant v : variants) streamsOf.add(v.model().open());

        long warmEnd = System.nanoTime() + (long) (Math.min(1.0, seconds) * 1e9);
        for (int i = 0; i < variants.size(); i++) {
            for (long n = 0; n < WARMUP_FRAMES || System.nanoTime() < warmEnd; n += frames) sequence(streamsOf.get(i), x, frames, f, null, 0);
        }
        int[] counts = new int[variants.size()];
        long end = System.nanoTime() + (long) (seconds * 1e9 * variants.size());
        while ((System.nanoTime() < end || counts[0] < 50) && counts[0] + frames <= capacity) {
            for (int i = 0; i < variants.size(); i++) counts[i] = sequence(streamsOf.get(i), x, frames, f, variants.get(i).nanos(), counts[i]);
        }

        Map<String, Object> r = new LinkedHashMap<>();
        r.put("model", net.arch());
        r.put("mode", "stream");
        r.put("embed_dims", config instanceof ModelConfig.Keyword k ? k.embedDims() : null);
        r.put("streams", 1);
        r.put("threads", Parallel.threads());
        r.put("kernels", Kernels.get().name());
        r.put("look_ahead_frames", variants.get(0).model().lookAhead());
        r.put("firing_rate", neurons.isEmpty() ? null : rate);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < variants.size(); i++) {
            double[] ms = new double[counts[i]];
            for (int j = 0; j < ms.length; j++) ms[j] = variants.get(i).nanos()[j] / 1e6;
            Arrays.sort(ms);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("variant", variants.get(i).label());
            row.put("frames", ms.length);
            row.put("median_ms_per_frame", ms[ms.length / 2]);
            row.put("p90_ms_per_frame", ms[(int) (ms.length * 0.9)]);
            rows.add(row);
        }
        r.put("results", rows);
        r.put("java", System.getProperty("java.version"));
        if (json) {
            try {
                out.println(JSON.std.asString(r));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return 0;
        }
        int lookAhead = variants.get(0).model().lookAhead();
        out.printf("%s stream%s, one stream (%s), look-ahead %d frames%s%s:%n", net.arch(),
                config instanceof ModelConfig.Keyword k ? ", width " + k.embedDims() : "", Main.engineLine(), lookAhead,
                config instanceof ModelConfig.Psmnist ? "" : String.format(" (%.0f ms)", lookAhead * StreamBench.FRAME_MS),
                neurons.isEmpty() ? "" : String.format(", mean firing rate %.1f %%", 100 * rate));
        for (Map<String, Object> row : rows) {
            out.printf("  %-20s median %.4f ms per frame (p90 %.4f), %d frames%n", row.get("variant"),
                    (double) row.get("median_ms_per_frame"), (double) row.get("p90_ms_per_frame"), (int) row.get("frames"));
        }
        return 0;
    }

    /** Streams x [N, F] from a reset state, timing each step into {@code nanos[from …]} when not null; returns the next free index. */
    private static int sequence(StreamingModel.FrameStream s, float[] x, int frames, int f, long[] nanos, int from) {
        s.reset();
        for (int t = 0; t < frames; t++) {
            long t0 = System.nanoTime();
            s.step(x, t * f);
            if (nanos != null) nanos[from++] = System.nanoTime() - t0;
        }
        return from;
    }
}
