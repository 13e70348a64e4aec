package dev.lmuformer.server;

import dev.lmuformer.audio.Resampler;
import dev.lmuformer.stream.KeywordSession;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One WebSocket stream. Jetty's threads deliver its messages one at a time (the listener demands
 * each next one itself); they are checked and decoded here — config parsed, samples converted and
 * resampled to 16 kHz — and handed to the {@link StreamHub}'s ticking thread as {@link Item}s. That
 * thread owns the stream's {@link KeywordSession} and sends every message the client receives.
 * Back-pressure: when more than the queue's worth of audio waits, the next message is not demanded
 * until the hub has drained half of it, so a client that sends faster than the model steps is slowed
 * by TCP itself and the other streams go on at their pace. Public only because Jetty calls the
 * listener methods through method handles; it is not API.
 */
public final class Connection implements Session.Listener {
    /** What the ticking thread is told, in order. */
    sealed interface Item permits Start, Audio, End, Fail, Gone {
    }

    /** The stream's config: its session can start. */
    record Start(ClientConfig config) implements Item {
    }

    /** 16 kHz samples, and when their message arrived (nanoTime). */
    record Audio(float[] samples, long arrived) implements Item {
    }

    /** The client's {@code {"type":"end"}}: flush, send the last events and {@code end}, close. */
    record End() implements Item {
    }

    /** A broken protocol: send the error, close with {@code code}. */
    record Fail(String kind, String message, int code) implements Item {
    }

    /** The socket is closed (by the client, the network or the idle timeout). */
    record Gone() implements Item {
    }

    /** Close codes (RFC 6455 §7.4.1). */
    static final int NORMAL = 1000, UNSUPPORTED_DATA = 1003, INVALID_PAYLOAD = 1007, POLICY = 1008, TRY_AGAIN_LATER = 1013;

    private enum Phase { CONFIG, AUDIO, ENDED, CLOSED }

    private final StreamHub hub;
    final ConcurrentLinkedQueue<Item> inbox = new ConcurrentLinkedQueue<>();
    /** 16 kHz samples queued for the ticking thread. */
    final AtomicLong queued = new AtomicLong();
    /** Set when a message was not demanded because the queue was full; the hub demands it once the queue has drained. */
    final java.util.concurrent.atomic.AtomicBoolean paused = new java.util.concurrent.atomic.AtomicBoolean();
    volatile Session socket;
    /** The hub shard serving this stream; set when admitted. */
    volatile StreamHub.Shard shard;

    // Jetty's thread only (one message at a time)
    private Phase phase = Phase.CONFIG;
    private ClientConfig config;
    private Resampler.Stream resampler;
    private float[] decoded = new float[0];   // the resampler's input
    private float[] resampled = new float[0];

    Connection(StreamHub hub) {
        this.hub = hub;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        socket = session;
        if (!hub.admit(this)) return; // refused with a close reason
        session.demand();
    }

    @Override
    public void onWebSocketText(String text) {
        if (phase == Phase.CLOSED || phase == Phase.ENDED) {
            if (phase == Phase.ENDED) fail("protocol", "nothing may follow {\"type\":\"end\"}", POLICY);
            return;
        }
        try {
            if (isEnd(text)) {
                if (phase == Phase.CONFIG) start(ClientConfig.DEFAULT);
                if (resampler != null) { // the filter's tail: the last output samples need the end of the input
                    float[] tail = new float[resampler.maxOutput(0)];
                    int n = resampler.finish(tail, 0);
                    if (n > 0) {
                        queued.addAndGet(n);
                        hub.offer(this, new Audio(Arrays.copyOf(tail, n), System.nanoTime()));
                    }
                }
                phase = Phase.ENDED;
                hub.offer(this, new End());
            } else if (phase == Phase.CONFIG) {
                start(ClientConfig.parse(text, hub.words()));
            } else {
                throw new ProtocolException("expected binary audio or {\"type\":\"end\"}, got a text message");
            }
        } catch (ProtocolException e) {
            fail("protocol", e.getMessage(), POLICY);
            return;
        }
        if (phase != Phase.CLOSED) socket.demand();
    }

    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
        try {
            if (phase == Phase.CLOSED) return;
            if (phase == Phase.ENDED) {
                fail("protocol", "audio after {\"type\":\"end\"}", POLICY);
                return;
            }
            if (phase == Phase.CONFIG) start(ClientConfig.DEFAULT);
            int bytes = payload.remaining();
            if (bytes % config.encoding().bytes != 0) {
                fail("audio", "a binary message of " + bytes + " bytes is not a whole number of " + config.encoding().wire + " samples ("
                        + config.encoding().bytes + " bytes each)", INVALID_PAYLOAD);
                return;
            }
            float[] samples = decode(payload.order(ByteOrder.LITTLE_ENDIAN), bytes / config.encoding().bytes);
            if (samples == null) {
                fail("audio", "the audio holds a sample that is not a finite number (NaN or infinity)", INVALID_PAYLOAD);
                return;
            }
            if (samples.length > 0) {
                hub.offer(this, new Audio(samples, System.nanoTime()));
                if (queued.addAndGet(samples.length) > hub.queueLimit()) {
                    paused.set(true); // the hub demands the next message once it has drained the queue
                    hub.pausedOne();
                    return;
                }
            }
            socket.demand();
        } finally {
            callback.succeed();
        }
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason, Callback callback) {
        gone();
        callback.succeed();
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        gone();
    }

    private void gone() {
        phase = Phase.CLOSED;
        hub.offer(this, new Gone());
    }

    private void start(ClientConfig c) {
        config = c;
        resampler = c.sampleRate() == KeywordSession.SAMPLE_RATE ? null : new Resampler(c.sampleRate(), KeywordSession.SAMPLE_RATE).stream();
        phase = Phase.AUDIO;
        hub.offer(this, new Start(c));
    }

    /** Stops reading and tells the hub to send the error and close. */
    private void fail(String kind, String message, int code) {
        phase = Phase.CLOSED;
        hub.offer(this, new Fail(kind, message, code));
    }

    /** The samples of {@code n} values at 16 kHz (a fresh array: it is queued), or null for a non-finite one. */
    private float[] decode(ByteBuffer b, int n) {
        // at 16 kHz the decoded samples are the queued ones; otherwise they are the resampler's input
        float[] x = resampler == null ? new float[n] : decoded.length >= n ? decoded : (decoded = new float[n]);
        if (config.encoding() == ClientConfig.Encoding.PCM_S16LE) {
            for (int i = 0; i < n; i++) x[i] = b.getShort() / 32768f;
        } else {
            for (int i = 0; i < n; i++) {
                float v = b.getFloat();
                if (!Float.isFinite(v)) return null;
                x[i] = v;
            }
        }
        if (resampler == null) return x;
        int max = resampler.maxOutput(n);
        if (resampled.length < max) resampled = new float[max];
        return Arrays.copyOf(resampled, resampler.push(x, 0, n, resampled, 0));
    }

    private static boolean isEnd(String text) {
        if (text.length() > 200 || !text.contains("end")) return false;
        try {
            Map<String, Object> m = ProtocolException.object(text, "a text message");
            return m.size() == 1 && "end".equals(m.get("type"));
        } catch (ProtocolException e) {
            return false;
        }
    }

    // sending: the hub's thread only

    /** Sends one text message; a failure (a client that does not read) closes the stream. */
    void send(String text) {
        Session s = socket;
        if (s == null || !s.isOpen()) return;
        s.sendText(text, Callback.from(() -> { }, t -> hub.sendFailed(this, t)));
    }

    /** Sends {@code {"type":"error","message":…}} and closes with {@code code} and a reason. */
    void sendErrorAndClose(String message, int code) {
        send(ServerMessages.error(message));
        close(code, message);
    }

    /** Closes the socket with a reason (shortened to fit a close frame). */
    void close(int code, String reason) {
        Session s = socket;
        if (s == null) return;
        byte[] utf8 = reason.getBytes(StandardCharsets.UTF_8);
        String r = utf8.length <= 120 ? reason : new String(utf8, 0, 117, StandardCharsets.UTF_8).replace("\uFFFD", "") + "...";
        s.close(code, r, Callback.NOOP);
    }
}
