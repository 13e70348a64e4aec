package dev.lmuformer.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.lmuformer.engine.Kernels;
import dev.lmuformer.engine.Parallel;
import dev.lmuformer.model.Init;
import dev.lmuformer.model.LmuRnnConv1d;
import dev.lmuformer.stream.LmuFormerStream;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code bench --mode stream}: per-frame latency of streaming inference ({@link LmuFormerStream})
 * for lmu_rnn_conv1d. One tick pushes one frame into each of {@code streams} independent streams
 * (groups of {@code group} streams stepped together, {@link LmuFormerStream#step(LmuFormerStream.State[], float[][], int)},
 * spread over the threads); the figure is the median tick time over about {@code seconds} of
 * timed ticks after a warm-up long enough for the JIT. At 10 ms per frame, a tick of T ms for S
 * streams means about {@code S · 10 / T} real-time streams fit on these threads.
 */
final class StreamBench {
    static final double FRAME_MS = 10.0;

    private StreamBench() {
    }

    static int run(LmuRnnConv1d net, int streams, int group, double seconds, boolean json, PrintWriter out) throws Exception {
        Init.pytorchDefault(net, 1);
        LmuFormerStream model = new LmuFormerStream(net);
        int f = model.inputFeatures();
        int groups = (streams + group - 1) / group;
        LmuFormerStream.State[][] states = new LmuFormerStream.State[groups][];
        float[][][] frames = new float[groups][][];
        SplittableRandom rnd = new SplittableRandom(7);
        for (int gi = 0; gi < groups; gi++) {
            int size = Math.min(group, streams - gi * group);
            states[gi] = new LmuFormerStream.State[size];
            frames[gi] = new float[size][f];
            for (int i = 0; i < size; i++) {
                states[gi][i] = model.newState();
                for (int j = 0; j < f; j++) frames[gi][i][j] = (float) (rnd.nextDouble() * 2 - 1);
            }
        }
        // Warm-up: enough steps for the JIT's top tier, and at least a second.
        long warmEnd = System.nanoTime() + 1_000_000_000L;
        for (long steps = 0; steps < 20_000 || System.nanoTime() < warmEnd; steps += streams) tick(model, states, frames);
        double[] ms = new double[1 << 16];
        int ticks = 0;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (ticks < 50 || (System.nanoTime() < end && ticks < ms.length)) {
            long t0 = System.nanoTime();
            tick(model, states, frames);
            ms[ticks++] = (System.nanoTime() - t0) / 1e6;
        }
        double[] sorted = Arrays.copyOf(ms, ticks);
        Arrays.sort(sorted);
        double median = sorted[ticks / 2];
        double perStream = median / streams;
        double realTime = FRAME_MS / perStream;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("model", LmuRnnConv1d.ARCH);
        r.put("mode", "stream");
        r.put("embed_dims", net.config().embedDims());
        r.put("streams", streams);
        r.put("group", group);
        r.put("threads", Parallel.threads());
        r.put("kernels", Kernels.get().name());
        r.put("look_ahead_frames", model.lookAhead());
        r.put("ticks", ticks);
        r.put("median_tick_ms", median);
        r.put("p90_tick_ms", sorted[(int) (ticks * 0.9)]);
        r.put("ms_per_frame_per_stream", perStream);
        r.put("real_time_streams", realTime);
        r.put("java", System.getProperty("java.version"));
        if (json) {
            out.println(JSON.std.asString(r));
        } else {
            out.printf("%s stream, width %d, %d stream(s) in groups of %d (%s): median %.4f ms per tick (p90 %.4f), %.4f ms per frame per stream"
                            + " → about %.0f real-time streams at %.0f ms/frame; look-ahead %d frames (%.0f ms)%n",
                    LmuRnnConv1d.ARCH, net.config().embedDims(), streams, group, Main.engineLine(), median, r.get("p90_tick_ms"),
                    perStream, realTime, FRAME_MS, model.lookAhead(), model.lookAhead() * FRAME_MS);
        }
        return 0;
    }

    /** One frame for every stream; groups are independent, so they may run on any thread. */
    private static void tick(LmuFormerStream model, LmuFormerStream.State[][] states, float[][][] frames) {
        if (states.length == 1) {
            model.step(states[0], frames[0], states[0].length);
        } else {
            Parallel.forEach(states.length, g -> model.step(states[g], frames[g], states[g].length));
        }
    }
}
