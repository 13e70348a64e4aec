package dev.lmuformer.cli;

import com.fasterxml.jackson.jr.ob.JSON;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A headless Chromium driven over the DevTools protocol (CDP), for tests of the browser page.
 *
 * <p>{@link #launch} starts {@code chromium --headless=new} on a throw-away profile with a fake
 * microphone that plays (and loops) a WAV file, reads the DevTools port from
 * {@code <profile>/DevToolsActivePort} and connects to the page target with the JDK's
 * {@link WebSocket}. Then {@link #navigate}, {@link #evaluate} and {@link #waitFor} act on that
 * page; {@link #close} kills the browser's process tree and deletes the profile. The page's
 * console messages and uncaught exceptions are collected ({@link #console()}) and quoted in
 * failures.
 *
 * <p>The binary is {@code $CHROMIUM} when set, otherwise the first of {@code chromium},
 * {@code chromium-browser}, {@code google-chrome} on the PATH ({@code scripts/install-chromium.sh}
 * installs one).
 */
final class Chromium implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final Path root;
    private final HttpClient http;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<Map<String, Object>>> pending = new ConcurrentHashMap<>();
    private final Map<String, List<CompletableFuture<Map<String, Object>>>> awaited = new ConcurrentHashMap<>();
    private final List<String> console = Collections.synchronizedList(new ArrayList<>());
    private volatile String closedBecause;

    private Chromium(Process process, Path root, HttpClient http, String pageSocketUrl) throws IOException {
        this.process = process;
        this.root = root;
        this.http = http;
        try {
            this.socket = http.newWebSocketBuilder()
                    .connectTimeout(Duration.ofSeconds(20))
                    .buildAsync(URI.create(pageSocketUrl), new Listener())
                    .get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while connecting to " + pageSocketUrl, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("cannot connect to the page target " + pageSocketUrl, e);
        }
        call("Page.enable", Map.of());
        call("Runtime.enable", Map.of());
    }

    /** The Chromium binary: {@code $CHROMIUM}, or chromium / chromium-browser / google-chrome on the PATH. */
    static Optional<Path> find() {
        String env = System.getenv("CHROMIUM");
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        String path = System.getenv("PATH");
        if (path == null) return Optional.empty();
        for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                if (dir.isEmpty()) continue;
                Path p = Path.of(dir, name);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Starts a headless Chromium whose (fake) microphone plays {@code fakeMicWav} in a loop. */
    static Chromium launch(Path fakeMicWav) throws IOException {
        Path binary = find().orElseThrow(() -> new IOException(
                "no Chromium: set CHROMIUM or put chromium on the PATH (scripts/install-chromium.sh)"));
        if (!Files.isRegularFile(fakeMicWav)) throw new IOException("no such WAV: " + fakeMicWav);
        Path root = Files.createTempDirectory("lmuformer-chromium");
        Path profile = Files.createDirectory(root.resolve("profile"));
        Path log = root.resolve("stderr.log");
        List<String> command = List.of(
                binary.toString(),
                "--headless=new",
                "--no-sandbox",
                "--remote-debugging-port=0",
                "--user-data-dir=" + profile,
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                "--use-file-for-fake-audio-capture=" + fakeMicWav.toAbsolutePath(),
                "--autoplay-policy=no-user-gesture-required",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-gpu",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-background-timer-throttling",
                "--disable-renderer-backgrounding",
                "--mute-audio",
                "about:blank");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
                .start();
        try {
            int port = awaitPort(process, profile.resolve("DevToolsActivePort"), log);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            String pageUrl = pageTarget(http, port);
            return new Chromium(process, root, http, pageUrl);
        } catch (IOException | RuntimeException e) {
            kill(process);
            String tail = tail(log);
            deleteTree(root);
            throw new IOException(e.getMessage() + (tail.isEmpty() ? "" : "\nchromium output:\n" + tail), e);
        }
    }

    /** Opens {@code url} in the page and waits for its load event. */
    void navigate(String url) {
        CompletableFuture<Map<String, Object>> loaded = awaitEvent("Page.loadEventFired");
        Map<String, Object> result = call("Page.navigate", Map.of("url", url));
        Object error = result.get("errorText");
        if (error != null && !error.toString().isEmpty()) {
            throw new IllegalStateException("navigation to " + url + " failed: " + error);
        }
        get(loaded, CALL_TIMEOUT, "the load event of " + url);
    }

    /**
     * Evaluates {@code js} in the page (promises are awaited) and returns its value as JSON text
     * ({@code null} for undefined; NaN, Infinity and the like as their JavaScript spelling).
     *
     * @throws IllegalStateException with the exception text when the script throws
     */
    String evaluate(String js) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("expression", js);
        params.put("returnByValue", true);
        params.put("awaitPromise", true);
        Map<String, Object> reply = call("Runtime.evaluate", params);
        Object details = reply.get("exceptionDetails");
        if (details instanceof Map<?, ?> d) {
            throw new IllegalStateException("JavaScript exception in `" + abbreviate(js) + "`: " + exceptionText(d));
        }
        Map<?, ?> result = (Map<?, ?>) reply.get("result");
        if (result == null) return "null";
        if (result.containsKey("unserializableValue")) return String.valueOf(result.get("unserializableValue"));
        if (!result.containsKey("value")) return "null";
        try {
            return JSON.std.asString(result.get("value"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@link #evaluate} parsed: a Map, List, String, Number, Boolean or null. */
    Object evaluateValue(String js) {
        try {
            return JSON.std.anyFrom(evaluate(js));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Polls {@code jsCondition} (every 100 ms) until it is truthy. A condition that throws counts
     * as false (the page may not have defined what it reads yet); the last exception is quoted
     * when the time runs out.
     *
     * @throws IllegalStateException on timeout, with the page's console
     */
    void waitFor(String jsCondition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String lastError = null;
        while (true) {
            try {
                if ("true".equals(evaluate("Boolean(" + jsCondition + ")"))) return;
                lastError = null;
            } catch (IllegalStateException e) {
                if (closedBecause != null) throw e;
                lastError = e.getMessage();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeout.toMillis() + " ms waiting for `"
                        + jsCondition + "`" + (lastError == null ? "" : "; last error: " + lastError)
                        + consoleTail());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + jsCondition, e);
            }
        }
    }

    /** The page's console messages and uncaught exceptions so far, oldest first. */
    List<String> console() {
        synchronized (console) {
            return List.copyOf(console);
        }
    }

    /** Kills the browser and its child processes, then deletes the profile. */
    @Override
    public void close() {
        closedBecause = "closed";
        try {
            socket.abort();
        } catch (RuntimeException ignored) {
            // already gone
        }
        kill(process);
        failAll(new IllegalStateException("Chromium closed"));
        deleteTree(root);
    }

    // ---- CDP plumbing -------------------------------------------------------------------------

    private Map<String, Object> call(String method, Map<String, Object> params) {
        if (closedBecause != null) throw new IllegalStateException("Chromium connection is " + closedBecause);
        int id = ids.incrementAndGet();
        CompletableFuture<Map<String, Object>> reply = new CompletableFuture<>();
        pending.put(id, reply);
        String text;
        try {
            text = JSON.std.asString(Map.of("id", id, "method", method, "params", params));
        } catch (IOException e) {
            pending.remove(id);
            throw new UncheckedIOException(e);
        }
        synchronized (socket) {
            get(socket.sendText(text, true), CALL_TIMEOUT, "sending " + method);
        }
        Map<String, Object> message = get(reply, CALL_TIMEOUT, "the reply to " + method);
        Object error = message.get("error");
        if (error != null) throw new IllegalStateException(method + " failed: " + error);
        @SuppressWarnings("unchecked")
        Map<String, Object> result = (Map<String, Object>) message.getOrDefault("result", Map.of());
        return result;
    }

    private CompletableFuture<Map<String, Object>> awaitEvent(String method) {
        CompletableFuture<Map<String, Object>> f = new CompletableFuture<>();
        awaited.computeIfAbsent(method, k -> Collections.synchronizedList(new ArrayList<>())).add(f);
        return f;
    }

    private void dispatch(String text) {
        Map<String, Object> message;
        try {
            message = JSON.std.mapFrom(text);
        } catch (IOException e) {
            console.add("[driver] unparsable CDP message: " + abbreviate(text));
            return;
        }
        Object id = message.get("id");
        if (id instanceof Number n) {
            CompletableFuture<Map<String, Object>> f = pending.remove(n.intValue());
            if (f != null) f.complete(message);
            return;
        }
        String method = String.valueOf(message.get("method"));
        Map<?, ?> params = message.get("params") instanceof Map<?, ?> m ? m : Map.of();
        if (method.equals("Runtime.consoleAPICalled")) {
            StringBuilder line = new StringBuilder("[console.").append(params.get("type")).append("]");
            if (params.get("args") instanceof List<?> args) {
                for (Object arg : args) {
                    if (arg instanceof Map<?, ?> a) {
                        Object v = a.containsKey("value") ? a.get("value") : a.get("description");
                        line.append(' ').append(v);
                    }
                }
            }
            console.add(line.toString());
        } else if (method.equals("Runtime.exceptionThrown") && params.get("exceptionDetails") instanceof Map<?, ?> d) {
            console.add("[exception] " + exceptionText(d));
        } else if (method.equals("Inspector.detached") || method.equals("Inspector.targetCrashed")) {
            closedBecause = method;
            failAll(new IllegalStateException("Chromium page: " + method));
        }
        List<CompletableFuture<Map<String, Object>>> waiting = awaited.remove(method);
        if (waiting != null) {
            synchronized (waiting) {
                waiting.forEach(f -> f.complete(message));
            }
        }
    }

    private void failAll(Throwable why) {
        pending.values().forEach(f -> f.completeExceptionally(why));
        pending.clear();
        awaited.values().forEach(l -> {
            synchronized (l) {
                l.forEach(f -> f.completeExceptionally(why));
            }
        });
        awaited.clear();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder parts = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            parts.append(data);
            if (last) {
                String text = parts.toString();
                parts.setLength(0);
                dispatch(text);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closedBecause = "closed by Chromium (" + statusCode + " " + reason + ")";
            failAll(new IllegalStateException("Chromium " + closedBecause));
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            if (closedBecause == null) closedBecause = "broken: " + error;
            failAll(new IllegalStateException("Chromium connection " + closedBecause, error));
        }
    }

    private <T> T get(CompletableFuture<T> future, Duration timeout, String what) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for " + what, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) throw r;
            throw new IllegalStateException(what + ": " + cause, cause);
        } catch (TimeoutException e) {
            throw new IllegalStateException("no " + what + " within " + timeout.toSeconds() + " s"
                    + (process.isAlive() ? "" : " (Chromium exited " + process.exitValue() + ")") + consoleTail());
        }
    }

    private String consoleTail() {
        List<String> lines = console();
        if (lines.isEmpty()) return "";
        return "\npage console:\n  " + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    private static String exceptionText(Map<?, ?> details) {
        if (details.get("exception") instanceof Map<?, ?> ex && ex.get("description") != null) {
            return String.valueOf(ex.get("description"));
        }
        return String.valueOf(details.get("text"));
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }

    // ---- process and files --------------------------------------------------------------------

    private static int awaitPort(Process process, Path portFile, Path log) throws IOException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.isRegularFile(portFile)) {
                List<String> lines = Files.readAllLines(portFile, StandardCharsets.UTF_8);
                if (!lines.isEmpty() && lines.get(0).matches("\\d+")) return Integer.parseInt(lines.get(0));
            }
            // Some builds only print "DevTools listening on ws://127.0.0.1:PORT/…".
            for (String line : tail(log).split("\n")) {
                int at = line.indexOf("DevTools listening on ws://");
                if (at >= 0) {
                    String rest = line.substring(at + "DevTools listening on ws://".length());
                    String port = rest.substring(rest.indexOf(':') + 1, rest.indexOf('/'));
                    if (port.matches("\\d+")) return Integer.parseInt(port);
                }
            }
            if (!process.isAlive()) throw new IOException("Chromium exited with " + process.exitValue() + " before DevTools was up");
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while starting Chromium", e);
            }
        }
        throw new IOException("Chromium did not open its DevTools port within " + START_TIMEOUT.toSeconds() + " s");
    }

    /** The webSocketDebuggerUrl of the first page target (a new one when there is none). */
    private static String pageTarget(HttpClient http, int port) throws IOException {
        String base = "http://127.0.0.1:" + port;
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            for (Object t : JSON.std.listFrom(httpGet(http, base + "/json/list", "GET"))) {
                if (t instanceof Map<?, ?> target && "page".equals(target.get("type"))
                        && target.get("webSocketDebuggerUrl") != null) {
                    return target.get("webSocketDebuggerUrl").toString();
                }
            }
            if (System.nanoTime() > deadline) break;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        Map<String, Object> created = JSON.std.mapFrom(httpGet(http, base + "/json/new?about:blank", "PUT"));
        Object url = created.get("webSocketDebuggerUrl");
        if (url == null) throw new IOException("Chromium has no page target: " + created);
        return url.toString();
    }

    private static String httpGet(HttpClient http, String url, String method) throws IOException {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(10))
                    .method(method, HttpRequest.BodyPublishers.noBody())
                    .build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) throw new IOException(method + " " + url + ": HTTP " + response.statusCode());
            return response.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + url, e);
        }
    }

    private static void kill(Process process) {
        // Snapshot the tree first: once the browser is gone its children are re-parented.
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        process.destroy();
        try {
            if (!process.waitFor(3, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle child : tree) child.destroyForcibly();
        for (ProcessHandle child : tree) {
            try {
                child.onExit().get(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException ignored) {
                // left to the OS
            }
        }
    }

    private static String tail(Path log) {
        try {
            if (!Files.isRegularFile(log)) return "";
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    private static void deleteTree(Path root) {
        // Chromium's last writes may race the first pass.
        for (int attempt = 0; attempt < 5 && Files.exists(root); attempt++) {
            try (Stream<Path> paths = Files.walk(root)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException ignored) {
                        // retried below
                    }
                });
            } catch (IOException | UncheckedIOException ignored) {
                // retried
            }
            if (Files.exists(root)) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
