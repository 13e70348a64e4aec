package dev.lmuformer.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.lmuformer.engine.Kernels;
import dev.lmuformer.engine.Parallel;
import dev.lmuformer.model.Init;
import dev.lmuformer.model.LmuRnnConv1d;
import dev.lmuformer.audio.ModelInput;
import dev.lmuformer.stream.ContinuousRule;
import dev.lmuformer.stream.EarlyDecision;
import dev.lmuformer.stream.SpottingRule;
import dev.lmuformer.stream.KeywordSession;
import dev.lmuformer.stream.ModelStream;
import dev.lmuformer.stream.SessionGroup;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code bench --mode stream}: streaming inference ({@link ModelStream}) for lmu_rnn_conv1d. One
 * tick pushes one frame into each of {@code streams} independent streams, in groups of at most
 * {@code group} streams spread over the threads ({@link ModelStream#stepAll}); timed ticks follow
 * a warm-up long enough for the JIT. At 10 ms per frame the streams keep up with real time when a
 * tick takes at most 10 ms on average; {@code real_time_streams} counts the streams whose frames are
 * done within those 10 ms (all of them, or the share of the mean tick that fits), never more than
 * were run — run more streams to see whether more fit, or search with {@link #findMax}. With audio, each stream is a continuous
 * (or windowed) {@link KeywordSession} of a {@link SessionGroup} instead: a tick pushes 10 ms of audio (160 samples)
 * into every session and steps the group, so the filterbank, normalisation and decisions are timed too.
 */
final class StreamBench {
    static final double FRAME_MS = 10.0;
    /** Where {@link #largestSustained} stops doubling. */
    static final int MOST_STREAMS = 1 << 20;

    private StreamBench() {
    }

    /** What a tick feeds: feature frames to bare model streams, or audio to continuous or windowed keyword sessions. */
    enum Feed { FRAMES, CONTINUOUS, WINDOWED }

    static int run(LmuRnnConv1d net, int streams, int group, Feed feed, double seconds, boolean json, PrintWriter out) throws Exception {
        Init.pytorchDefault(net, 1);
        ModelStream model = new ModelStream(net);
        Map<String, Object> r = describe(net, model, group, feed);
        r.putAll(probe(model, streams, group, feed, seconds));
        print(r, json, out);
        return 0;
    }

    /**
     * {@code --find-max}: the most streams whose mean tick stays within 10 ms, found by doubling from
     * 64 and then halving the gap down to {@code resolution} streams, each probe timed as {@link #run}
     * does; prints every probe on {@code err} and the largest sustained probe as the result.
     */
    static int findMax(LmuRnnConv1d net, int group, Feed feed, double seconds, int resolution, boolean json, PrintWriter out,
                       PrintWriter err) throws Exception {
        Init.pytorchDefault(net, 1);
        ModelStream model = new ModelStream(net);
        Map<Integer, Map<String, Object>> probes = new java.util.HashMap<>();
        int most = largestSustained(64, resolution, n -> {
            Map<String, Object> p = probe(model, n, group, feed, seconds);
            probes.put(n, p);
            err.printf("  %d streams: mean tick %.3f ms%s%n", n, (double) p.get("mean_tick_ms"), (boolean) p.get("keeps_up") ? "" : " (too slow)");
            err.flush();
            return (boolean) p.get("keeps_up");
        });
        if (most == 0) throw new IllegalStateException("not even 64 streams keep up with real time here");
        Map<String, Object> r = describe(net, model, group, feed);
        r.putAll(probes.get(most));
        r.put("sustained_streams", most);
        print(r, json, out);
        return 0;
    }

    /**
     * The largest n for which {@code keepsUp} holds, to within {@code resolution}, for a {@code keepsUp}
     * that holds up to some n and fails beyond: doubles from {@code start} until it fails, then halves
     * the gap. 0 when it fails at {@code start}.
     */
    static int largestSustained(int start, int resolution, java.util.function.IntPredicate keepsUp) {
        int low = 0, high = 0; // holds at low (0: nothing yet); fails at high (0: not found yet)
        for (int n = start; high == 0; n *= 2) {
            if (n > MOST_STREAMS) return low;
            if (keepsUp.test(n)) {
                low = n;
            } else {
                high = n;
            }
        }
        if (low == 0) return 0;
        while (high - low > resolution) {
            int n = (low + high) / 2;
            if (keepsUp.test(n)) {
                low = n;
            } else {
                high = n;
            }
        }
        return low;
    }

    private static Map<String, Object> describe(LmuRnnConv1d net, ModelStream model, int group, Feed feed) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("model", LmuRnnConv1d.ARCH);
        r.put("mode", "stream");
        r.put("embed_dims", net.config().embedDims());
        r.put("input", feed == Feed.FRAMES ? "frames" : "audio");
        if (feed != Feed.FRAMES) r.put("sessions", feed == Feed.WINDOWED ? "windowed" : "continuous");
        r.put("group", group);
        r.put("threads", Parallel.threads());
        r.put("kernels", Kernels.get().name());
        r.put("look_ahead_frames", model.lookAhead());
        r.put("java", System.getProperty("java.version"));
        return r;
    }

    /** Warms up, then times ticks of {@code streams} fresh streams for {@code seconds}. */
    private static Map<String, Object> probe(ModelStream model, int streams, int group, Feed feed, double seconds) {
        Runnable tick = feed == Feed.FRAMES ? modelTick(model, streams, group) : sessionTick(model, streams, feed);
        // Warm-up: enough steps for the JIT's top tier, and at least a second; from audio, three
        // windows of 128 frames too, so that window ends (flushes) are compiled as well.
        long warmEnd = System.nanoTime() + 1_000_000_000L;
        int warmTicks = feed == Feed.FRAMES ? 0 : 3 * 128;
        for (long steps = 0, t = 0; steps < 20_000 || t < warmTicks || System.nanoTime() < warmEnd; steps += streams, t++) tick.run();
        double[] ms = new double[1 << 16];
        int ticks = 0;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (ticks < 50 || (System.nanoTime() < end && ticks < ms.length)) {
            long t0 = System.nanoTime();
            tick.run();
            ms[ticks++] = (System.nanoTime() - t0) / 1e6;
        }
        double[] sorted = Arrays.copyOf(ms, ticks);
        Arrays.sort(sorted);
        double median = sorted[ticks / 2];
        double mean = Arrays.stream(sorted).sum() / ticks;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("streams", streams);
        r.put("ticks", ticks);
        r.put("median_tick_ms", median);
        r.put("mean_tick_ms", mean);
        r.put("p90_tick_ms", sorted[(int) (ticks * 0.9)]);
        r.put("ms_per_frame_per_stream", median / streams);
        r.put("keeps_up", mean <= FRAME_MS);
        // Sustained: the frames of a stream keep coming, so the mean tick decides, outliers included.
        r.put("real_time_streams", (int) Math.min(streams, Math.floor(streams * FRAME_MS / mean)));
        return r;
    }

    private static void print(Map<String, Object> r, boolean json, PrintWriter out) throws Exception {
        if (json) {
            out.println(JSON.std.asString(r));
            return;
        }
        int streams = (int) r.get("streams");
        double median = (double) r.get("median_tick_ms");
        int lookAhead = (int) r.get("look_ahead_frames");
        out.printf("%s stream%s, width %d, %d stream(s) in groups of at most %d (%s): median %.4f ms per tick (mean %.4f, p90 %.4f),"
                        + " %.4f ms per frame per stream; %d of %d streams in real time at %.0f ms/frame; look-ahead %d frames (%.0f ms)%n",
                LmuRnnConv1d.ARCH, r.get("input").equals("audio") ? " from audio (" + r.get("sessions") + " keyword sessions)" : "", (int) r.get("embed_dims"),
                        streams,
                (int) r.get("group"), Main.engineLine(), median, (double) r.get("mean_tick_ms"), (double) r.get("p90_tick_ms"), median / streams,
                (int) r.get("real_time_streams"), streams, FRAME_MS, lookAhead, lookAhead * FRAME_MS);
        if (r.containsKey("sustained_streams")) {
            out.printf("sustained: %d concurrent real-time streams on %d thread(s) (mean tick within %.0f ms)%n",
                    (int) r.get("sustained_streams"), (int) r.get("threads"), FRAME_MS);
        }
    }

    /** One frame of random features into every stream, stepped in groups of at most {@code group}. */
    private static Runnable modelTick(ModelStream model, int streams, int group) {
        int f = model.inputFeatures();
        ModelStream.State[] states = new ModelStream.State[streams];
        float[][] frames = new float[streams][f];
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < streams; i++) {
            states[i] = model.newState();
            for (int j = 0; j < f; j++) frames[i][j] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return () -> model.stepAll(states, frames, streams, group);
    }

    /** 10 ms of audio (a second of noise per session, looped) into every session of a group, then its tick. */
    private static Runnable sessionTick(ModelStream model, int streams, Feed feed) {
        int hop = KeywordSession.SAMPLE_RATE / 100;
        SpottingRule rule = feed == Feed.WINDOWED ? EarlyDecision.DEFAULT : ContinuousRule.defaults(model.numClasses(), ContinuousRule.Score.SOFTMAX);
        SessionGroup sessions = new SessionGroup(model, streams, ModelInput.DEFAULT, rule, i -> new KeywordSession.Listener() { });
        float[][] audio = new float[streams][KeywordSession.SAMPLE_RATE];
        SplittableRandom rnd = new SplittableRandom(7);
        for (float[] a : audio) for (int j = 0; j < a.length; j++) a[j] = (float) (0.1 * (rnd.nextDouble() * 2 - 1));
        int[] at = {0};
        return () -> {
            for (int i = 0; i < streams; i++) sessions.session(i).push(audio[i], at[0], hop);
            at[0] = (at[0] + hop) % KeywordSession.SAMPLE_RATE;
            sessions.tick();
        };
    }
}
