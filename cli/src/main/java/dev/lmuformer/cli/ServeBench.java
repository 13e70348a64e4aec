package dev.lmuformer.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.lmuformer.audio.ModelInput;
import dev.lmuformer.engine.Kernels;
import dev.lmuformer.engine.Parallel;
import dev.lmuformer.model.Init;
import dev.lmuformer.model.LmuRnnConv1d;
import dev.lmuformer.server.KeywordServer;
import dev.lmuformer.server.ServerOptions;
import dev.lmuformer.server.Spotter;
import dev.lmuformer.stream.ContinuousRule;
import dev.lmuformer.stream.StreamingModel;

import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code bench --mode serve}: a {@link KeywordServer} on loopback and {@code clients} WebSocket clients
 * in the same JVM, each sending 10 ms of 16-bit audio every 10 ms and asking for score messages. The
 * latency of a score message is its arrival minus the moment the client sent the audio chunk that
 * completed the frame it needed ({@code known_at}): an audio chunk's way in, through the session
 * group, and its result's way out. A client whose previous send has not completed when its next
 * chunk is due falls behind (counted); one whose socket closes is dropped.
 */
final class ServeBench {
    private static final int CHUNK = 160;
    private static final double WARMUP_SECONDS = 2;
    /** An untimed first probe: C2 compiles the model's kernels only after several seconds of load, and a server runs warm. */
    private static final double FIRST_WARMUP_SECONDS = 10;
    private static final int SAMPLE_RATE = 16000;

    private ServeBench() {
    }

    /** One probe's figures. */
    record Probe(int clients, double p50Ms, double p99Ms, long scores, long events, int dropped, long late, double seconds) {
        boolean sustained() {
            return dropped == 0 && p99Ms <= 100 && late == 0;
        }

        Map<String, Object> map() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("clients", clients);
            m.put("latency_p50_ms", p50Ms);
            m.put("latency_p99_ms", p99Ms);
            m.put("score_messages", scores);
            m.put("events", events);
            m.put("dropped", dropped);
            m.put("late_chunks", late);
            m.put("seconds", seconds);
            m.put("sustained", sustained());
            return m;
        }
    }

    /** A client: sends its chunks on the bench's clock, records the latency of what comes back. */
    private static final class Client implements WebSocket.Listener {
        final long[] sentAt;          // nanoTime each chunk was handed to the socket
        final long measureFrom;       // chunks from this index on are timed
        final List<Long> latencies = new ArrayList<>();
        final AtomicLong events = new AtomicLong();
        final AtomicBoolean closed = new AtomicBoolean();
        final StringBuilder partial = new StringBuilder();
        volatile CompletableFuture<WebSocket> lastSend = CompletableFuture.completedFuture(null);
        WebSocket socket;
        long late;

        Client(int chunks, long measureFrom) {
            sentAt = new long[chunks];
            this.measureFrom = measureFrom;
        }

        @Override
        public void onOpen(WebSocket ws) {
            ws.request(Long.MAX_VALUE);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (!last) return null;
            long now = System.nanoTime();
            String t = partial.toString();
            partial.setLength(0);
            if (t.startsWith("{\"type\":\"keyword\"")) events.incrementAndGet();
            if (!t.startsWith("{\"type\":\"scores\"")) return null;
            int k = t.indexOf("\"known_at\":");
            if (k < 0) return null;
            double knownAt = Double.parseDouble(t.substring(k + 11, t.indexOf(',', k)));
            int chunk = (int) ((Math.round(knownAt * SAMPLE_RATE) - 1) / CHUNK);
            if (chunk >= measureFrom && chunk < sentAt.length && sentAt[chunk] != 0) {
                synchronized (latencies) {
                    latencies.add(now - sentAt[chunk]);
                }
            }
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
            closed.set(true);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.set(true);
        }
    }

    /**
     * Runs the probes: against a server of its own (a random {@code net}) or, with {@code url}, against
     * a server already running elsewhere (another process, pinned to other cores, or another machine).
     */
    static int run(LmuRnnConv1d net, URI url, int clients, double seconds, boolean findMax, boolean json, PrintWriter out, PrintWriter err) throws Exception {
        if (!(seconds > 0)) throw new IllegalArgumentException("--seconds must be positive");
        Init.pytorchDefault(net, 1);
        // a random model: the score messages carry the latency; a low threshold makes events happen too
        ContinuousRule rule = ContinuousRule.defaults(net.numClasses(), ContinuousRule.Score.SOFTMAX).withThreshold(0.05);
        List<String> words = new ArrayList<>();
        for (int c = 0; c < net.numClasses(); c++) words.add("class" + c);
        Spotter spotter = new Spotter(StreamingModel.of(net), ModelInput.DEFAULT, rule, words, net.arch());
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("model", net.arch());
        result.put("mode", "serve");
        result.put("threads", Parallel.threads());
        result.put("kernels", Kernels.get().name());
        result.put("java", System.getProperty("java.version"));
        List<Probe> probes = new ArrayList<>();
        err.println("  warm-up (untimed):");
        probe(spotter, url, findMax ? 64 : clients, FIRST_WARMUP_SECONDS, err);
        if (!findMax) {
            probes.add(probe(spotter, url, clients, seconds, err));
        } else {
            // doubling from 64 while sustained, then bisecting to 16 clients
            int lo = 0, hi = -1;
            for (int n = 64; hi < 0 && n <= 4096; n *= 2) {
                Probe p = probe(spotter, url, n, seconds, err);
                probes.add(p);
                if (p.sustained()) lo = n; else hi = n;
            }
            while (hi > 0 && hi - lo > 16) {
                int mid = (lo + hi) / 2;
                Probe p = probe(spotter, url, mid, seconds, err);
                probes.add(p);
                if (p.sustained()) lo = mid; else hi = mid;
            }
            result.put("max_sustained_clients", lo);
        }
        List<Map<String, Object>> ps = new ArrayList<>();
        for (Probe p : probes) ps.add(p.map());
        result.put("probes", ps);
        if (json) {
            out.println(JSON.std.asString(result));
        } else {
            for (Probe p : probes) {
                out.printf("%d clients: latency p50 %.1f ms, p99 %.1f ms; %d score messages, %d events; %d dropped, %d late chunks (%s)%n",
                        p.clients(), p.p50Ms(), p.p99Ms(), p.scores(), p.events(), p.dropped(), p.late(), p.sustained() ? "sustained" : "not sustained");
            }
            if (findMax) out.printf("most clients sustained (p99 ≤ 100 ms, nothing dropped or late): %s (%s)%n", result.get("max_sustained_clients"),
                    Main.engineLine());
        }
        return 0;
    }

    /** One server (its own, or the one at {@code url}), {@code n} clients, {@code seconds} timed after the warm-up. */
    static Probe probe(Spotter spotter, URI url, int n, double seconds, PrintWriter err) throws Exception {
        int warmChunks = (int) (WARMUP_SECONDS * 100), chunks = warmChunks + (int) Math.round(seconds * 100);
        short[] audio = noise(SAMPLE_RATE * 4);
        ServerOptions options = ServerOptions.defaults().withPort(0).withMaxSessions(n);
        try (KeywordServer server = url == null ? KeywordServer.start(spotter, options) : null) {
            URI target = url != null ? url : URI.create(server.streamUrl());
            HttpClient http = HttpClient.newHttpClient();
            Client[] cs = new Client[n];
            for (int i = 0; i < n; i++) {
                cs[i] = new Client(chunks, warmChunks);
                cs[i].socket = http.newWebSocketBuilder().buildAsync(target, cs[i]).get(30, TimeUnit.SECONDS);
                cs[i].socket.sendText("{\"sample_rate\":16000,\"encoding\":\"pcm_s16le\",\"scores\":true}", true).get(30, TimeUnit.SECONDS);
            }
            long start = System.nanoTime();
            ByteBuffer[] bufs = new ByteBuffer[n];
            for (int k = 0; k < chunks; k++) {
                long due = start + k * 10_000_000L;
                long wait = due - System.nanoTime();
                if (wait > 0) LockSupport.parkNanos(wait);
                for (int i = 0; i < n; i++) {
                    Client c = cs[i];
                    if (c.closed.get()) continue;
                    if (!c.lastSend.isDone()) {
                        if (k >= warmChunks) c.late++;
                        continue; // a chunk cannot be sent while the last is in flight: it is dropped as late
                    }
                    int off = (int) (((long) k * CHUNK + (long) i * 997) % (audio.length - CHUNK));
                    // little-endian samples written byte by byte: the JDK client masks a buffer set to little-endian order wrongly
                    ByteBuffer b = bufs[i] == null ? bufs[i] = ByteBuffer.allocate(2 * CHUNK) : bufs[i].clear();
                    for (int s = 0; s < CHUNK; s++) {
                        b.put((byte) audio[off + s]);
                        b.put((byte) (audio[off + s] >> 8));
                    }
                    b.flip();
                    c.sentAt[k] = System.nanoTime();
                    c.lastSend = c.socket.sendBinary(b, true);
                }
            }
            long sentNanos = System.nanoTime() - start;
            Thread.sleep(300); // the last chunks' results
            List<Long> all = new ArrayList<>();
            long events = 0;
            int dropped = 0;
            for (Client c : cs) {
                synchronized (c.latencies) {
                    all.addAll(c.latencies);
                }
                events += c.events.get();
                if (c.closed.get()) dropped++;
                if (!c.closed.get()) c.socket.abort();
            }
            long[] l = all.stream().mapToLong(Long::longValue).toArray();
            Arrays.sort(l);
            long late = Arrays.stream(cs).mapToLong(c -> c.late).sum();
            Probe p = new Probe(n, l.length == 0 ? Double.NaN : l[l.length / 2] / 1e6, l.length == 0 ? Double.NaN : l[(int) Math.min(l.length - 1,
                    Math.ceil(0.99 * l.length) - 1)] / 1e6,
                    l.length, events, dropped, late, seconds);
            err.printf("  %d clients: p50 %.1f ms, p99 %.1f ms, %d dropped, %d late; sending took %.1f s for %.1f s of audio%s%n",
                    n, p.p50Ms(), p.p99Ms(), dropped, late, sentNanos / 1e9, chunks / 100.0, server == null ? "" : String.format(
                            "; server: %d ticks, mean %.2f ms, %d frames", server.metrics().ticks(),
                            1e3 * server.metrics().tickSecondsTotal() / Math.max(1, server.metrics().ticks()), server.metrics().framesStepped()));
            err.flush();
            return p;
        }
    }

    /** Band-limited noise at about −30 dBFS, the same every run. */
    private static short[] noise(int samples) {
        SplittableRandom r = new SplittableRandom(3);
        short[] s = new short[samples];
        double y = 0;
        for (int i = 0; i < samples; i++) {
            y = 0.7 * y + 0.3 * r.nextGaussian();
            s[i] = (short) Math.max(-32768, Math.min(32767, Math.round(y * 1000)));
        }
        return s;
    }
}
