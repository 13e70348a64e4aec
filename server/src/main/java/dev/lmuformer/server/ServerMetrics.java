package dev.lmuformer.server;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;

/**
 * What a {@link KeywordServer} counts, served at {@code /metrics} in the Prometheus text format.
 * One registry per server (no global one), so that servers in one JVM — tests, benches — count apart.
 */
public final class ServerMetrics {
    /** Content type of {@link #text()}. */
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private IntSupplier active = () -> 0;
    private IntSupplier recognizing = () -> 0;
    final Counter sessions = Counter.builder().name("lmuformer_sessions")
            .help("WebSocket streams admitted").register(registry);
    final Counter refused = Counter.builder().name("lmuformer_connections_refused")
            .help("Connections refused, by reason").labelNames("reason").register(registry);
    final Counter frames = Counter.builder().name("lmuformer_frames")
            .help("10 ms audio frames stepped through the model").register(registry);
    final Counter events = Counter.builder().name("lmuformer_keyword_events")
            .help("Keyword events sent").register(registry);
    final Counter errors = Counter.builder().name("lmuformer_stream_errors")
            .help("Streams closed with an error message, by kind").labelNames("kind").register(registry);
    final Counter recognized = Counter.builder().name("lmuformer_recognize_requests")
            .help("POST /v1/recognize requests, by outcome").labelNames("outcome").register(registry);
    final Counter paused = Counter.builder().name("lmuformer_stream_pauses")
            .help("Times a stream's socket stopped being read because its audio queue was full (a client sending faster than real time)").register(registry);
    final Histogram tickSeconds = Histogram.builder().name("lmuformer_tick_duration_seconds")
            .help("Wall time of one tick of the session group: audio in, frames stepped, events out")
            .classicUpperBounds(0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1).register(registry);
    final Histogram chunkLatency = Histogram.builder().name("lmuformer_chunk_latency_seconds")
            .help("From an audio message's arrival to the end of the tick that stepped its last frame")
            .classicUpperBounds(0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2).register(registry);

    ServerMetrics() {
        GaugeWithCallback.builder().name("lmuformer_sessions_active").help("WebSocket streams served now (admitted, not yet ended or gone)")
                .callback(cb -> cb.call(active.getAsInt())).register(registry);
        GaugeWithCallback.builder().name("lmuformer_recognize_in_progress").help("POST /v1/recognize requests being read or computed now")
                .callback(cb -> cb.call(recognizing.getAsInt())).register(registry);
    }

    /** Where {@code lmuformer_sessions_active} is read from: the hub's admission count. */
    void activeSessionsFrom(IntSupplier count) {
        active = count;
    }

    /** Where {@code lmuformer_recognize_in_progress} is read from: the permits taken. */
    void recognizingFrom(IntSupplier count) {
        recognizing = count;
    }

    /** Streams served now: admitted and not yet ended, failed or gone. */
    public int activeSessions() {
        return active.getAsInt();
    }

    /** Connections refused so far, for any reason. */
    public long refusedConnections() {
        return (long) refused.collect().getDataPoints().stream().mapToDouble(d -> d.getValue()).sum();
    }

    /** Frames stepped so far. */
    public long framesStepped() {
        return (long) frames.get();
    }

    /** Keyword events sent so far. */
    public long keywordEvents() {
        return (long) events.get();
    }

    /** Times a stream was slowed because its queue was full. */
    public long pauses() {
        return (long) paused.get();
    }

    /** Ticks of the session group so far that had work. */
    public long ticks() {
        return tickSeconds.collect().getDataPoints().get(0).getCount();
    }

    /** Wall time of those ticks, in seconds. */
    public double tickSecondsTotal() {
        return tickSeconds.collect().getDataPoints().get(0).getSum();
    }

    /** Every metric in the Prometheus text exposition format (version 0.0.4). */
    public String text() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape(), EscapingScheme.ALLOW_UTF8);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // into memory
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
