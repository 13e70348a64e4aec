package dev.lmuformer.server;

import dev.lmuformer.audio.AudioFormatException;
import dev.lmuformer.audio.Resampler;
import dev.lmuformer.audio.WavReader;
import dev.lmuformer.audio.Waveform;
import dev.lmuformer.io.Excerpt;
import dev.lmuformer.stream.KeywordSession;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.regex.Pattern;

/**
 * The keyword-spotting server: an embedded Jetty 12 serving
 * <ul>
 *   <li>{@code ws://HOST:PORT/v1/stream} — audio in, keyword events out (protocol: docs/serve.md), every
 *       stream a session of one {@link dev.lmuformer.stream.SessionGroup} ({@link StreamHub});</li>
 *   <li>{@code POST /v1/recognize} — a WAV body, the JSON events of the whole file;</li>
 *   <li>{@code /} — a page that listens to the microphone; {@code /healthz}; {@code /metrics} (Prometheus).</li>
 * </ul>
 * With a token, {@code /v1/…} needs it ({@code Authorization: Bearer T} or {@code ?token=T}); a browser's
 * WebSocket must come from the server's own origin or an allowed one.
 */
public final class KeywordServer implements AutoCloseable {
    private static final String WEB = "dev/lmuformer/server/web/";
    /** {@code POST /v1/recognize} requests computed at once; more are answered 503 with {@code Retry-After}. */
    public static final int RECOGNIZE_AT_ONCE = 2;
    private static final Pattern ASSET = Pattern.compile("/([a-z][a-z0-9-]*\\.(html|js|css))");

    private final Spotter spotter;
    private final ServerOptions options;
    private final ServerMetrics metrics = new ServerMetrics();
    private final Server jetty;
    private final ServerConnector connector;
    private final StreamHub hub;
    /** Permits for {@code POST /v1/recognize}, which holds an HTTP thread while it reads and computes. */
    private final Semaphore recognizing = new Semaphore(RECOGNIZE_AT_ONCE);

    private KeywordServer(Spotter spotter, ServerOptions options) {
        this.spotter = spotter;
        this.options = options;
        // few threads: the listeners only decode and queue, and on a small machine each extra runnable
        // thread takes time from the shards (measured on 2 cores: 8 threads carry 200 streams at a p99 of
        // 25-40 ms, 64 threads at 110-270 ms)
        int cores = Runtime.getRuntime().availableProcessors();
        QueuedThreadPool threads = new QueuedThreadPool(Math.max(8, 4 * cores), 4);
        threads.setName("lmuformer-http");
        threads.setDaemon(true);
        jetty = new Server(threads);
        connector = new ServerConnector(jetty);
        connector.setHost(options.host());
        connector.setPort(options.port());
        connector.setIdleTimeout(options.idleTimeout().toMillis());
        jetty.addConnector(connector);
        hub = new StreamHub(spotter, options, metrics);
        metrics.recognizingFrom(() -> RECOGNIZE_AT_ONCE - recognizing.availablePermits());
        WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(jetty, container -> {
            container.setIdleTimeout(options.idleTimeout());
            container.setMaxBinaryMessageSize(options.maxMessageBytes());
            container.setMaxTextMessageSize(Math.min(options.maxMessageBytes(), 64 * 1024));
            container.setMaxOutgoingFrames(4096); // a client that stops reading fails its sends instead of growing the heap
            // the listener only decodes and queues: it may run on the selector thread, without a hand-off per message
            container.setInvocationType(org.eclipse.jetty.util.thread.Invocable.InvocationType.NON_BLOCKING);
            container.addMapping("/v1/stream", this::upgrade);
        });
        ws.setHandler(new Routes());
        jetty.setHandler(ws);
        jetty.setStopTimeout(2000);
    }

    /**
     * Starts a server of {@code spotter} with {@code options}.
     *
     * @throws IllegalStateException when the port cannot be bound
     */
    public static KeywordServer start(Spotter spotter, ServerOptions options) {
        KeywordServer s = new KeywordServer(spotter, options);
        try {
            s.jetty.start();
        } catch (Exception e) {
            s.close();
            throw new IllegalStateException("cannot serve on " + options.host() + ":" + options.port() + ": " + e.getMessage(), e);
        }
        return s;
    }

    /** The port it listens on (the chosen one when the options said 0). */
    public int port() {
        return connector.getLocalPort();
    }

    /** Its base URL, {@code http://HOST:PORT}. */
    public String url() {
        String h = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        return "http://" + h + ":" + port();
    }

    /** Its stream endpoint, {@code ws://HOST:PORT/v1/stream}. */
    public String streamUrl() {
        return "ws" + url().substring("http".length()) + "/v1/stream";
    }

    /** What it has counted. */
    public ServerMetrics metrics() {
        return metrics;
    }

    /** Stops serving: open streams are closed with 1001 (going away). */
    @Override
    public void close() {
        hub.close();
        try {
            jetty.stop();
        } catch (Exception e) {
            throw new IllegalStateException("stopping the server: " + e.getMessage(), e);
        }
    }

    /** The WebSocket upgrade: token and Origin checks, then a {@link Connection}. */
    private Object upgrade(ServerUpgradeRequest request, ServerUpgradeResponse response, Callback callback) {
        if (!authorised(request)) {
            metrics.refused.labelValues("token").inc();
            Response.writeError(request, response, callback, HttpStatus.UNAUTHORIZED_401, "a valid token is needed (Authorization: Bearer … or ?token=…)");
            return null;
        }
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        if (origin != null && !originAllowed(origin, request)) {
            metrics.refused.labelValues("origin").inc();
            Response.writeError(request, response, callback, HttpStatus.FORBIDDEN_403, "origin " + Excerpt.of(origin) + " is not allowed");
            return null;
        }
        return new Connection(hub);
    }

    private boolean authorised(Request request) {
        if (options.token() == null) return true;
        String given = null;
        String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) given = header.substring(7).trim();
        if (given == null) given = Request.extractQueryParameters(request).getValue("token");
        // constant time: the comparison must not tell how much of a guess was right
        return given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), options.token().getBytes(StandardCharsets.UTF_8));
    }

    /** A browser page's origin: the server's own (the Host it was reached at) or one allowed by the options. */
    private boolean originAllowed(String origin, Request request) {
        String host = request.getHeaders().get(HttpHeader.HOST);
        if (host != null && (origin.equals("http://" + host) || origin.equals("https://" + host))) return true;
        return options.allowedOrigins().contains(origin);
    }

    /** The plain HTTP routes. */
    private final class Routes extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            String path = Request.getPathInContext(request);
            String method = request.getMethod();
            if (path.equals("/v1/recognize")) {
                if (!HttpMethod.POST.is(method)) return error(request, response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, "POST a WAV file here");
                if (!authorised(request)) {
                    metrics.refused.labelValues("token").inc();
                    return discardThenError(request, response, callback, HttpStatus.UNAUTHORIZED_401,
                            "a valid token is needed (Authorization: Bearer … or ?token=…)");
                }
                if (!recognizing.tryAcquire()) {
                    metrics.recognized.labelValues("busy").inc();
                    response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
                    return discardThenError(request, response, callback, HttpStatus.SERVICE_UNAVAILABLE_503,
                            RECOGNIZE_AT_ONCE + " files are being recognized already; try again shortly");
                }
                try {
                    recognize(request, response, callback);
                } finally {
                    recognizing.release();
                }
                return true;
            }
            if (!HttpMethod.GET.is(method) && !HttpMethod.HEAD.is(method)) {
                return error(request, response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, method + " is not served here");
            }
            switch (path) {
                case "/healthz" -> {
                    return send(response, callback, HttpStatus.OK_200, "application/json", "{\"status\":\"ok\",\"sessions\":" + metrics.activeSessions() + "}");
                }
                case "/metrics" -> {
                    return send(response, callback, HttpStatus.OK_200, ServerMetrics.CONTENT_TYPE, metrics.text());
                }
                case "/" -> {
                    return asset(response, callback, "index.html");
                }
                default -> {
                    var m = ASSET.matcher(path);
                    if (m.matches()) return asset(response, callback, m.group(1));
                    return error(request, response, callback, HttpStatus.NOT_FOUND_404, "nothing at " + path);
                }
            }
        }

        private boolean asset(Response response, Callback callback, String name) throws IOException {
            try (InputStream in = KeywordServer.class.getClassLoader().getResourceAsStream(WEB + name)) {
                if (in == null) {
                    return send(response, callback, HttpStatus.NOT_FOUND_404, "text/plain; charset=utf-8", "no such page: " + name + "\n");
                }
                String type = name.endsWith(".html") ? "text/html; charset=utf-8" : name.endsWith(".js") ? "text/javascript; charset=utf-8"
                        : "text/css; charset=utf-8";
                response.getHeaders().put("Cache-Control", "no-cache");
                return send(response, callback, HttpStatus.OK_200, type, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }

        /** POST /v1/recognize: the whole WAV through a session of its own, its events as JSON. */
        private void recognize(Request request, Response response, Callback callback) {
            byte[] body;
            try (InputStream in = Request.asInputStream(request)) {
                body = in.readNBytes(options.maxUploadBytes() + 1);
            } catch (IOException e) {
                metrics.recognized.labelValues("error").inc();
                error(request, response, callback, HttpStatus.BAD_REQUEST_400, "cannot read the body: " + e.getMessage());
                return;
            }
            if (body.length > options.maxUploadBytes()) {
                metrics.recognized.labelValues("error").inc();
                error(request, response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413, "the body is larger than " + options.maxUploadBytes() + " bytes");
                return;
            }
            Waveform w;
            try {
                w = Resampler.toRate(WavReader.read(body, "the request body"), KeywordSession.SAMPLE_RATE);
            } catch (AudioFormatException | IllegalArgumentException e) {
                metrics.recognized.labelValues("error").inc();
                error(request, response, callback, HttpStatus.BAD_REQUEST_400, e.getMessage());
                return;
            }
            List<Object> events = new ArrayList<>();
            KeywordSession session = new KeywordSession(spotter.model(), spotter.input(), spotter.rule(), new KeywordSession.Listener() {
                @Override
                public void onKeyword(KeywordSession.Keyword k) {
                    events.add(k.json(spotter.words().get(k.label())));
                }
            });
            float[] s = w.samples();
            session.push(s, 0, s.length);
            session.finish();
            metrics.recognized.labelValues("ok").inc();
            metrics.events.inc(events.size());
            StringBuilder json = new StringBuilder("{\"seconds\":").append(Math.round(1e3 * s.length / KeywordSession.SAMPLE_RATE) / 1e3)
                    .append(",\"events\":[");
            for (int i = 0; i < events.size(); i++) json.append(i == 0 ? "" : ",").append(events.get(i));
            send(response, callback, HttpStatus.OK_200, "application/json", json.append("]}").toString());
        }

        /**
         * Answers once the body has been read and dropped — without holding a thread while it arrives:
         * a client still sending its body would see the connection reset, not the answer.
         */
        private boolean discardThenError(Request request, Response response, Callback callback, int status, String message) {
            Content.Source.consumeAll(request, Callback.from(() -> error(request, response, callback, status, message), callback::failed));
            return true;
        }

        private boolean error(Request request, Response response, Callback callback, int status, String message) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", "error");
            m.put("message", message);
            return send(response, callback, status, "application/json", ServerMessages.json(m));
        }

        private boolean send(Response response, Callback callback, int status, String type, String body) {
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
            Content.Sink.write(response, true, body, callback);
            return true;
        }
    }
}
