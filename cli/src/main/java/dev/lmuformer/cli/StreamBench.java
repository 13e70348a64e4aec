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
 * {@code bench --mode stream}: streaming inference ({@link LmuFormerStream}) for lmu_rnn_conv1d. One
 * tick pushes one frame into each of {@code streams} independent streams, in groups of at most
 * {@code group} streams spread over the threads ({@link LmuFormerStream#stepAll}); timed ticks follow
 * a warm-up long enough for the JIT. At 10 ms per frame the streams keep up with real time when a
 * tick takes at most 10 ms on average; {@code real_time_streams} counts the streams whose frames are
 * done within those 10 ms (all of them, or the share of the mean tick that fits), never more than
 * were run — run more streams to see whether more fit.
 */
final class StreamBench {
    static final double FRAME_MS = 10.0;

    private StreamBench() {
    }

    static int run(LmuRnnConv1d net, int streams, int group, double seconds, boolean json, PrintWriter out) throws Exception {
        Init.pytorchDefault(net, 1);
        LmuFormerStream model = new LmuFormerStream(net);
        int f = model.inputFeatures();
        LmuFormerStream.State[] states = new LmuFormerStream.State[streams];
        float[][] frames = new float[streams][f];
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < streams; i++) {
            states[i] = model.newState();
            for (int j = 0; j < f; j++) frames[i][j] = (float) (rnd.nextDouble() * 2 - 1);
        }
        // Warm-up: enough steps for the JIT's top tier, and at least a second.
        long warmEnd = System.nanoTime() + 1_000_000_000L;
        for (long steps = 0; steps < 20_000 || System.nanoTime() < warmEnd; steps += streams) model.stepAll(states, frames, streams, group);
        double[] ms = new double[1 << 16];
        int ticks = 0;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (ticks < 50 || (System.nanoTime() < end && ticks < ms.length)) {
            long t0 = System.nanoTime();
            model.stepAll(states, frames, streams, group);
            ms[ticks++] = (System.nanoTime() - t0) / 1e6;
        }
        double[] sorted = Arrays.copyOf(ms, ticks);
        Arrays.sort(sorted);
        double median = sorted[ticks / 2];
        double mean = Arrays.stream(sorted).sum() / ticks;
        // Sustained: the frames of a stream keep coming, so the mean tick decides, outliers included.
        int realTime = (int) Math.min(streams, Math.floor(streams * FRAME_MS / mean));
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
        r.put("mean_tick_ms", mean);
        r.put("p90_tick_ms", sorted[(int) (ticks * 0.9)]);
        r.put("ms_per_frame_per_stream", median / streams);
        r.put("keeps_up", mean <= FRAME_MS);
        r.put("real_time_streams", realTime);
        r.put("java", System.getProperty("java.version"));
        if (json) {
            out.println(JSON.std.asString(r));
        } else {
            out.printf("%s stream, width %d, %d stream(s) in groups of at most %d (%s): median %.4f ms per tick (mean %.4f, p90 %.4f),"
                            + " %.4f ms per frame per stream; %d of %d streams in real time at %.0f ms/frame; look-ahead %d frames (%.0f ms)%n",
                    LmuRnnConv1d.ARCH, net.config().embedDims(), streams, group, Main.engineLine(), median, mean, r.get("p90_tick_ms"),
                    median / streams, realTime, streams, FRAME_MS, model.lookAhead(), model.lookAhead() * FRAME_MS);
        }
        return 0;
    }
}
