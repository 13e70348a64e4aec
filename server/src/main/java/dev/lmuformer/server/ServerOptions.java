package dev.lmuformer.server;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;

/**
 * How a {@link KeywordServer} listens and what it lets clients do.
 *
 * @param host            address to bind; only a loopback address may go without a {@code token}
 * @param port            TCP port; 0 for any free one ({@link KeywordServer#port()} says which)
 * @param maxSessions     streams served at once; the next connection is refused with close code 1013
 * @param token           the secret clients must present (bearer header or {@code ?token=}); null for none
 * @param allowedOrigins  browser origins allowed besides the server's own (e.g. {@code https://app.example})
 * @param idleTimeout     a connection that sends nothing for this long is closed (a client that died mid-stream)
 * @param maxMessageBytes the largest WebSocket message (text messages: at most 64 KiB of it)
 * @param maxUploadBytes  the largest {@code POST /v1/recognize} body
 * @param queueSeconds    audio a stream may have waiting for the model; a client that sends faster is slowed
 *                        (the server stops reading its socket until the queue drains)
 */
public record ServerOptions(String host, int port, int maxSessions, String token, List<String> allowedOrigins, Duration idleTimeout,
                            int maxMessageBytes, int maxUploadBytes, double queueSeconds) {
    /** Default bind address: loopback. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** Default port. */
    public static final int DEFAULT_PORT = 8080;
    /** Default number of streams at once. */
    public static final int DEFAULT_MAX_SESSIONS = 256;
    /** Default idle timeout. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    /** Default largest message: 1 MiB (32 s of 16 kHz 16-bit audio). */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 1 << 20;
    /** Default largest upload: 64 MiB (about 35 minutes of 16 kHz 16-bit audio). */
    public static final int DEFAULT_MAX_UPLOAD_BYTES = 64 << 20;
    /** Default audio queue per stream: 2 s. */
    public static final double DEFAULT_QUEUE_SECONDS = 2;

    /** Checks the ranges; a non-loopback address without a token is refused. */
    public ServerOptions {
        if (host == null || host.isBlank()) throw new IllegalArgumentException("a host to bind is needed");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must lie in 0…65535, got " + port);
        if (maxSessions < 1) throw new IllegalArgumentException("--max-sessions must be at least 1, got " + maxSessions);
        if (token != null && token.isBlank()) throw new IllegalArgumentException("--token must not be blank");
        allowedOrigins = List.copyOf(allowedOrigins);
        if (idleTimeout == null || idleTimeout.isNegative()
                || idleTimeout.isZero()) throw new IllegalArgumentException("the idle timeout must be positive, got " + idleTimeout);
        if (maxMessageBytes < 1024) throw new IllegalArgumentException("the largest message must be at least 1024 bytes, got " + maxMessageBytes);
        if (maxUploadBytes < 1024) throw new IllegalArgumentException("the largest upload must be at least 1024 bytes, got " + maxUploadBytes);
        if (!(queueSeconds >= 0.1) || Double.isInfinite(queueSeconds)) throw new IllegalArgumentException("the audio queue must hold at least 0.1 s, got "
                + queueSeconds);
        if (token == null && !loopback(host)) {
            throw new IllegalArgumentException("binding " + host + " lets other machines connect: give a --token that clients must present");
        }
    }

    /** The defaults: loopback, port 8080, no token. */
    public static ServerOptions defaults() {
        return new ServerOptions(DEFAULT_HOST, DEFAULT_PORT, DEFAULT_MAX_SESSIONS, null, List.of(), DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_MESSAGE_BYTES,
                DEFAULT_MAX_UPLOAD_BYTES, DEFAULT_QUEUE_SECONDS);
    }

    /** These options on another port. */
    public ServerOptions withPort(int p) {
        return new ServerOptions(host, p, maxSessions, token, allowedOrigins, idleTimeout, maxMessageBytes, maxUploadBytes, queueSeconds);
    }

    /** These options with another session limit. */
    public ServerOptions withMaxSessions(int n) {
        return new ServerOptions(host, port, n, token, allowedOrigins, idleTimeout, maxMessageBytes, maxUploadBytes, queueSeconds);
    }

    /** These options with a token (null for none). */
    public ServerOptions withToken(String t) {
        return new ServerOptions(host, port, maxSessions, t, allowedOrigins, idleTimeout, maxMessageBytes, maxUploadBytes, queueSeconds);
    }

    /** These options with another idle timeout. */
    public ServerOptions withIdleTimeout(Duration d) {
        return new ServerOptions(host, port, maxSessions, token, allowedOrigins, d, maxMessageBytes, maxUploadBytes, queueSeconds);
    }

    /** These options with an audio queue of {@code seconds} per stream. */
    public ServerOptions withQueueSeconds(double seconds) {
        return new ServerOptions(host, port, maxSessions, token, allowedOrigins, idleTimeout, maxMessageBytes, maxUploadBytes, seconds);
    }

    /** These options bound to {@code h}. */
    public ServerOptions withHost(String h) {
        return new ServerOptions(h, port, maxSessions, token, allowedOrigins, idleTimeout, maxMessageBytes, maxUploadBytes, queueSeconds);
    }

    private static boolean loopback(String host) {
        if (host.equalsIgnoreCase("localhost")) return true;
        try {
            // a literal address only: no name lookup decides what is safe
            return host.matches("[0-9.]+|\\[?[0-9a-fA-F:]+]?") && InetAddress.getByName(host.replace("[", "").replace("]", "")).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
