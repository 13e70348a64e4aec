package dev.lmuformer.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.lmuformer.audio.WavReader;
import dev.lmuformer.checkpoint.Checkpoint;
import dev.lmuformer.model.Init;
import dev.lmuformer.model.ModelConfig;
import dev.lmuformer.model.Models;
import dev.lmuformer.model.SequenceModel;
import dev.lmuformer.server.KeywordServer;
import dev.lmuformer.server.ServerOptions;
import dev.lmuformer.server.Spotter;
import dev.lmuformer.stream.KeywordSession;
import dev.lmuformer.testing.TinySpeechCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code serve} in process, talked to with the JDK's WebSocket client on loopback: the events of a
 * stream equal {@code stream --json} on the same file, however the audio is chunked; every bad input
 * gets its error and the server goes on; limits, token and Origin checks; connection churn.
 */
class ServeTest {
    private static final List<String> NAMES = List.of("left", "right", "up");
    /** The rule of the server and of {@code stream}: held one frame, at the median of the top class's score (set up below), so it fires often. */
    private String[] rule;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private Path checkpoint;
    private Path wav;
    private KeywordServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void setUp() {
        SequenceModel m = Models.create(ModelConfig.fromMap("lmu_rnn_conv1d", Map.of("embed_dims", 16, "in_channels", 128, "num_classes", 3,
                "seq_len", 128)));
        Init.pytorchDefault(m, 7);
        checkpoint = dir.resolve("m.safetensors");
        Checkpoint.save(checkpoint, m, Map.of("labels", String.join(",", NAMES), "loss", "CE"));
        wav = dir.resolve("long.wav");
        busyWav(wav, 4, 16000, 5);
        // the random model's top class hovers around one score: its median makes it cross often
        ServeCommand probe = new ServeCommand();
        new CommandLine(probe).parseArgs("--checkpoint", checkpoint.toString());
        Spotter sp = ServeCommand.spotter(probe.checkpoint, probe.spot);
        List<Double> top = new ArrayList<>();
        double[] sc = new double[NAMES.size()];
        KeywordSession k = new KeywordSession(sp.model(), sp.input(), sp.rule(), new KeywordSession.Listener() {
            @Override
            public void onFrame(long frame, double seconds, float[] logits) {
                sp.rule().score().of(logits, 0, sc);
                top.add(Arrays.stream(sc).max().getAsDouble());
            }
        });
        float[] s = WavReader.read(wav).samples();
        k.push(s, 0, s.length);
        k.finish();
        Collections.sort(top);
        rule = new String[]{"--threshold", String.format(java.util.Locale.ROOT, "%.6f", top.get(top.size() / 2)), "--hold", "1", "--refractory", "0.2"};
    }

    /** {@link TinySpeechCommands#busyAudio} as a 16-bit WAV: a random model's scores move on it, so the rule fires often. */
    private static void busyWav(Path file, int seconds, int rate, long seed) {
        float[] w = TinySpeechCommands.busyAudio(seconds * rate, rate, seed);
        short[] pcm = new short[w.length];
        for (int i = 0; i < pcm.length; i++) pcm[i] = (short) Math.round(32767 * Math.max(-1, Math.min(1, w[i])));
        TinySpeechCommands.writePcm16(file, pcm, rate);
    }

    @AfterEach
    void tearDown() {
        if (server != null) server.close();
    }

    private KeywordServer serve(ServerOptions options, String... extra) {
        ServeCommand cmd = new ServeCommand();
        List<String> args = new ArrayList<>(List.of("--checkpoint", checkpoint.toString()));
        args.addAll(List.of(rule));
        args.addAll(List.of(extra));
        new CommandLine(cmd).parseArgs(args.toArray(String[]::new));
        server = KeywordServer.start(ServeCommand.spotter(cmd.checkpoint, cmd.spot), options);
        return server;
    }

    private static ServerOptions loopback() {
        return ServerOptions.defaults().withPort(0);
    }

    /** {@code stream --json} on {@code file} with the rule options {@code ruleArgs} (none: the server's, {@link #rule}). */
    private List<String> streamJson(Path file, String... ruleArgs) {
        List<String> args = new ArrayList<>(List.of("stream", "--checkpoint", checkpoint.toString(), file.toString(), "--json"));
        args.addAll(List.of(ruleArgs.length == 0 ? rule : ruleArgs));
        CliRun r = CliRun.run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        return r.out().lines().toList();
    }

    /** A WebSocket client that keeps every text message and how the socket closed. */
    static final class Client implements WebSocket.Listener {
        final LinkedBlockingQueue<String> texts = new LinkedBlockingQueue<>();
        final CompletableFuture<String> closed = new CompletableFuture<>(); // "code reason"
        private final StringBuilder partial = new StringBuilder();
        WebSocket socket;

        @Override
        public void onOpen(WebSocket webSocket) {
            socket = webSocket;
            webSocket.request(Long.MAX_VALUE);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                texts.add(partial.toString());
                partial.setLength(0);
            }
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode + " " + reason);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete("error " + error);
        }

        /** The next text message. */
        String next() throws InterruptedException {
            String t = texts.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertNotNull(t, "no message within " + WAIT);
            return t;
        }

        /** Messages up to and including {"type":"end"} (or the close). */
        List<String> untilEnd() throws Exception {
            List<String> out = new ArrayList<>();
            while (true) {
                String t = texts.poll(200, TimeUnit.MILLISECONDS);
                if (t != null) {
                    out.add(t);
                    if (t.equals("{\"type\":\"end\"}")) return out;
                } else if (closed.isDone() && texts.isEmpty()) {
                    return out;
                }
            }
        }

        String closeStatus() throws Exception {
            return closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    private Client connect(String query, Map<String, String> headers) {
        Client c = new Client();
        WebSocket.Builder b = http.newWebSocketBuilder();
        headers.forEach(b::header);
        b.buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/v1/stream" + query), c).join();
        return c;
    }

    private Client connect() {
        return connect("", Map.of());
    }

    // The buffers go back to big-endian order before they are sent: the JDK 17 client masks a
    // little-endian buffer's payload wrongly (the server receives other bytes), a big-endian one right.
    private static ByteBuffer pcm16(float[] s, int from, int to) {
        ByteBuffer b = ByteBuffer.allocate(2 * (to - from)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = from; i < to; i++) b.putShort((short) Math.round(s[i] * 32768f));
        return b.flip().order(ByteOrder.BIG_ENDIAN);
    }

    private static ByteBuffer f32(float[] s, int from, int to) {
        ByteBuffer b = ByteBuffer.allocate(4 * (to - from)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = from; i < to; i++) b.putFloat(s[i]);
        return b.flip().order(ByteOrder.BIG_ENDIAN);
    }

    private static Map<String, Object> json(String text) throws IOException {
        return JSON.std.mapFrom(text);
    }

    /** Streams {@code samples} in chunks of {@code chunk}, then end; returns the keyword messages. */
    private List<String> spot(float[] samples, int chunk, String config, boolean float32) throws Exception {
        Client c = connect();
        if (config != null) c.socket.sendText(config, true).join();
        for (int at = 0; at < samples.length; at += chunk) {
            int to = Math.min(samples.length, at + chunk);
            c.socket.sendBinary(float32 ? f32(samples, at, to) : pcm16(samples, at, to), true).join();
        }
        c.socket.sendText("{\"type\":\"end\"}", true).join();
        List<String> got = c.untilEnd();
        assertTrue(got.get(0).startsWith("{\"type\":\"ready\""), got.get(0));
        assertEquals("{\"type\":\"end\"}", got.get(got.size() - 1));
        assertTrue(c.closeStatus().startsWith("1000"), c.closeStatus());
        return got.stream().filter(t -> t.startsWith("{\"type\":\"keyword\"")).toList();
    }

    @ParameterizedTest(name = "chunks of {0} samples")
    @ValueSource(ints = {1, 160, 3200})
    void eventsOverTheSocketEqualStreamJson(int chunk) throws Exception {
        List<String> expected = streamJson(wav);
        assertTrue(expected.size() >= 3, "the rule fires on the recording: " + expected);
        serve(loopback());
        float[] s = WavReader.read(wav).samples();
        assertEquals(expected, spot(s, chunk, null, false), "16-bit PCM, no config");
        if (chunk == 3200) {
            assertEquals(expected, spot(s, chunk, "{\"sample_rate\":16000,\"encoding\":\"f32le\"}", true), "f32le");
        }
        assertEquals(0, server.metrics().activeSessions());
    }

    @Test
    void otherRatesAreResampledAsStreamResamplesAFile() throws Exception {
        serve(loopback());
        for (int rate : new int[]{8000, 44100}) {
            Path other = dir.resolve("at" + rate + ".wav");
            busyWav(other, 3, rate, 9);
            List<String> expected = streamJson(other);
            float[] s = WavReader.read(other).samples();
            assertEquals(expected, spot(s, 441, "{\"sample_rate\":" + rate + ",\"encoding\":\"pcm_s16le\"}", false), rate + " Hz");
        }
    }

    @Test
    void aConfigNarrowsTheKeywordsAndScoresComeTenPerSecond() throws Exception {
        serve(loopback());
        float[] s = WavReader.read(wav).samples();
        Client c = connect();
        String threshold = rule[1];
        c.socket.sendText("{\"keywords\":[\"up\",\"left\"],\"threshold\":" + threshold + ",\"scores\":true}", true).join();
        Map<String, Object> ready = json(c.next());
        assertEquals("ready", ready.get("type"));
        assertEquals(List.of("left", "up"), ready.get("words"));
        assertEquals(Map.of("left", Double.parseDouble(threshold), "up", Double.parseDouble(threshold)), ready.get("thresholds"));
        c.socket.sendBinary(pcm16(s, 0, s.length), true).join();
        c.socket.sendText("{\"type\":\"end\"}", true).join();
        List<String> got = c.untilEnd();
        int scoreMessages = 0;
        double last = -1;
        for (String t : got) {
            Map<String, Object> m = json(t);
            if ("keyword".equals(m.get("type"))) {
                assertTrue(List.of("left", "up").contains(m.get("word")), t);
                assertTrue(((Number) m.get("score")).doubleValue() >= Double.parseDouble(threshold) - 1e-4, t);
            } else if ("scores".equals(m.get("type"))) {
                scoreMessages++;
                double time = ((Number) m.get("time")).doubleValue();
                assertTrue(time > last, "scores in time order: " + t);
                last = time;
                List<?> top = (List<?>) m.get("top");
                assertEquals(2, top.size(), "the two spotted words: " + t);
            }
        }
        int frames = 1 + (s.length - 400) / 160;
        assertEquals(frames / 10, scoreMessages, "one score message per 10 frames");
        List<String> keywords = got.stream().filter(t -> t.startsWith("{\"type\":\"keyword\"")).toList();
        assertFalse(keywords.isEmpty(), "events expected");
        assertEquals(streamJson(wav, "--keywords", "up,left", "--threshold", threshold, "--hold", "1", "--refractory", "0.2"), keywords,
                "the same as stream with those options");
    }

    /** Sends {@code messages} (String: text, ByteBuffer: binary); returns the error message and the close status. */
    private String[] badStream(Object... messages) throws Exception {
        Client c = connect();
        for (Object m : messages) {
            try {
                if (m instanceof String t) c.socket.sendText(t, true).join();
                else c.socket.sendBinary((ByteBuffer) m, true).join();
            } catch (CompletionException e) {
                break; // the server closed first
            }
        }
        String error = null;
        for (String t : c.untilEnd()) if (t.startsWith("{\"type\":\"error\"")) error = (String) json(t).get("message");
        return new String[]{error, c.closeStatus()};
    }

    @Test
    void everyBadInputGetsItsErrorAndTheServerGoesOn() throws Exception {
        serve(loopback());
        float[] s = WavReader.read(wav).samples();
        List<String> expected = spot(s, 1600, null, false);
        Object[][] cases = {
                {"not valid JSON", new Object[]{"{\"sample_rate\": 16000"}},
                {"must be a JSON object", new Object[]{"[1, 2]"}},
                {"unknown encoding 'mp3'", new Object[]{"{\"encoding\":\"mp3\"}"}},
                {"sample_rate must be a whole number", new Object[]{"{\"sample_rate\":96000}"}},
                {"sample_rate must be a whole number", new Object[]{"{\"sample_rate\":\"fast\"}"}},
                {"unknown config field 'rate'", new Object[]{"{\"rate\":16000}"}},
                {"unknown keyword 'banana'", new Object[]{"{\"keywords\":[\"banana\"]}"}},
                {"threshold must be a number in (0, 1]", new Object[]{"{\"threshold\":2}"}},
                {"not a whole number of pcm_s16le samples", new Object[]{ByteBuffer.wrap(new byte[321])}},
                {"not a whole number of f32le samples", new Object[]{"{\"encoding\":\"f32le\"}", ByteBuffer.wrap(new byte[6])}},
                {"not a finite number", new Object[]{"{\"encoding\":\"f32le\"}", f32(new float[]{0.1f, Float.NaN}, 0, 2)}},
                {"expected binary audio", new Object[]{pcm16(s, 0, 1600), "{\"sample_rate\":16000}"}},
                {"audio after", new Object[]{pcm16(s, 0, 1600), "{\"type\":\"end\"}", pcm16(s, 0, 1600)}},
        };
        for (Object[] k : cases) {
            String[] got = badStream((Object[]) k[1]);
            if (!((String) k[0]).equals("audio after")) {
                assertNotNull(got[0], k[0] + ": an error message expected, closed " + got[1]);
                assertTrue(got[0].contains((String) k[0]), "expected '" + k[0] + "' in: " + got[0]);
                assertFalse(got[1].startsWith("1000"), k[0] + ": closed with an error code, got " + got[1]);
            }
            // the server goes on: a good stream still gets its events
            assertEquals(expected, spot(s, 1600, null, false), "after " + k[0]);
        }
        String big = "{\"sample_rate\":16000,\"pad\":\"" + "x".repeat(70_000) + "\"}";
        String[] tooBig = badStream(big);
        assertTrue(tooBig[1].startsWith("1009"), "a message over the limit: " + tooBig[1]);
        assertEquals(expected, spot(s, 1600, null, false), "after a message over the limit");
        String metrics = get("/metrics").body();
        assertTrue(metrics.contains("lmuformer_stream_errors_total{kind=\"protocol\"}"), metrics);
        assertEquals(0, server.metrics().activeSessions());
    }

    @Test
    void aClientSendingFasterThanRealTimeIsSlowedAndLosesNothingWhileAnotherKeepsItsPace() throws Exception {
        serve(loopback().withQueueSeconds(0.25));
        float[] s = WavReader.read(wav).samples();
        float[] burst = new float[s.length * 8]; // 32 s, sent as fast as the socket takes it
        for (int k = 0; k < 8; k++) System.arraycopy(s, 0, burst, k * s.length, s.length);
        Path longWav = dir.resolve("long32.wav");
        short[] pcm = new short[burst.length];
        for (int i = 0; i < pcm.length; i++) pcm[i] = (short) Math.round(burst[i] * 32768f);
        TinySpeechCommands.writePcm16(longWav, pcm, 16000);
        CompletableFuture<List<String>> fast = CompletableFuture.supplyAsync(() -> {
            try {
                return spot(burst, 3200, null, false);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        // meanwhile a client at real time: 100 ms every 100 ms
        Client paced = connect();
        paced.socket.sendText("{}", true).join();
        for (int at = 0; at < s.length; at += 1600) {
            paced.socket.sendBinary(pcm16(s, at, Math.min(s.length, at + 1600)), true).join();
            Thread.sleep(100);
        }
        paced.socket.sendText("{\"type\":\"end\"}", true).join();
        List<String> pacedEvents = paced.untilEnd().stream().filter(t -> t.startsWith("{\"type\":\"keyword\"")).toList();
        assertEquals(streamJson(wav), pacedEvents, "the paced client's events");
        assertEquals(streamJson(longWav), fast.get(WAIT.toSeconds(), TimeUnit.SECONDS), "the fast client loses nothing");
        assertTrue(server.metrics().pauses() > 0, "the fast client was slowed: its socket was not read while its queue was full");
    }

    @Test
    void randomClientsNeitherBreakTheServerNorLeakSessions() throws Exception {
        serve(loopback());
        float[] s = WavReader.read(wav).samples();
        List<String> expected = spot(s, 1600, null, false);
        java.util.Random r = new java.util.Random(11);
        String[] texts = {"{}", "{\"type\":\"end\"}", "{\"sample_rate\":8000}", "{\"encoding\":\"f32le\"}", "null", "", "{\"keywords\":[]}",
                "{\"scores\":true}", "\u0000\uffff", "{\"type\":\"end\",\"x\":1}", "{\"threshold\":1e308}", "[[[[[[[[[[", "{\"sample_rate\":16000.5}"};
        for (int c = 0; c < 60; c++) {
            Client k = connect();
            int messages = 1 + r.nextInt(8);
            for (int m = 0; m < messages && !k.closed.isDone(); m++) {
                try {
                    if (r.nextBoolean()) {
                        k.socket.sendText(texts[r.nextInt(texts.length)], true).join();
                    } else {
                        byte[] b = new byte[r.nextInt(700)];
                        r.nextBytes(b);
                        k.socket.sendBinary(ByteBuffer.wrap(b), true).join();
                    }
                } catch (CompletionException e) {
                    break; // the server closed the stream: allowed
                }
            }
            if (r.nextBoolean()) k.socket.abort();
            else if (!k.closed.isDone()) k.socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        }
        awaitNoSessions(Duration.ofSeconds(10));
        assertEquals(expected, spot(s, 1600, null, false), "a good stream after 60 random ones");
        assertEquals(200, get("/healthz").statusCode());
    }

    @Test
    void theStreamAfterTheLastIsRefusedWithAReason() throws Exception {
        serve(loopback().withMaxSessions(2));
        Client a = connect(), b = connect();
        for (Client c : List.of(a, b)) {
            c.socket.sendText("{}", true).join();
            assertTrue(c.next().startsWith("{\"type\":\"ready\""));
        }
        Client refused = connect();
        String status = refused.closeStatus();
        assertTrue(status.startsWith("1013 server full"), status);
        assertEquals(2, server.metrics().activeSessions());
        a.socket.sendText("{\"type\":\"end\"}", true).join();
        a.untilEnd();
        // a slot is free again
        Client c = connect();
        c.socket.sendText("{}", true).join();
        assertTrue(c.next().startsWith("{\"type\":\"ready\""));
        assertTrue(get("/metrics").body().contains("lmuformer_connections_refused_total{reason=\"full\"} 1.0"));
    }

    @Test
    void aTokenIsNeededAndForeignOriginsAreRefused() throws Exception {
        serve(loopback().withToken("s3cret"));
        CompletionException none = assertThrows(CompletionException.class, this::connect);
        assertInstanceOf(WebSocketHandshakeException.class, none.getCause());
        assertEquals(401, ((WebSocketHandshakeException) none.getCause()).getResponse().statusCode());
        assertThrows(CompletionException.class, () -> connect("?token=wrong", Map.of()));
        for (Client c : List.of(connect("?token=s3cret", Map.of()), connect("", Map.of("Authorization", "Bearer s3cret")))) {
            c.socket.sendText("{}", true).join();
            assertTrue(c.next().startsWith("{\"type\":\"ready\""));
        }
        CompletionException foreign = assertThrows(CompletionException.class,
                () -> connect("?token=s3cret", Map.of("Origin", "http://evil.example")));
        assertEquals(403, ((WebSocketHandshakeException) foreign.getCause()).getResponse().statusCode());
        Client own = connect("?token=s3cret", Map.of("Origin", "http://127.0.0.1:" + server.port()));
        own.socket.sendText("{}", true).join();
        assertTrue(own.next().startsWith("{\"type\":\"ready\""));
        assertEquals(401, post("/v1/recognize", Files.readAllBytes(wav)).statusCode(), "recognize needs the token too");
        assertThrows(IllegalArgumentException.class, () -> ServerOptions.defaults().withHost("0.0.0.0"), "another address needs a token");
        ServerOptions.defaults().withToken("t").withHost("0.0.0.0"); // with one it is allowed
    }

    @Test
    void recognizeGivesTheEventsOfAWholeFile() throws Exception {
        serve(loopback());
        HttpResponse<String> r = post("/v1/recognize", Files.readAllBytes(wav));
        assertEquals(200, r.statusCode(), r.body());
        Map<String, Object> m = json(r.body());
        List<String> events = new ArrayList<>();
        for (Object e : (List<?>) m.get("events")) events.add(JSON.std.asString(e));
        assertEquals(streamJson(wav), events);
        assertEquals(4.0, ((Number) m.get("seconds")).doubleValue(), 1e-9);
        HttpResponse<String> bad = post("/v1/recognize", "RIFF....WAVEjunk".getBytes());
        assertEquals(400, bad.statusCode());
        assertTrue(json(bad.body()).get("message").toString().length() > 10, bad.body());
        assertEquals(405, get("/v1/recognize").statusCode());
        assertEquals(404, get("/nothing-here").statusCode());
        assertEquals(200, get("/healthz").statusCode());
        assertTrue(get("/metrics").body().contains("lmuformer_recognize_requests_total{outcome=\"ok\"} 1.0"));
    }

    @Test
    void recognizeRequestsBeyondTheLimitAreAnsweredBusyAndTheOthersFinish() throws Exception {
        serve(loopback());
        byte[] file = Files.readAllBytes(wav);
        List<java.net.Socket> slow = new ArrayList<>();
        for (int i = 0; i < KeywordServer.RECOGNIZE_AT_ONCE; i++) {
            // the headers and the first bytes now, the rest later: each holds a permit while its body arrives
            java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port());
            socket.setSoTimeout((int) WAIT.toMillis());
            socket.getOutputStream().write(("POST /v1/recognize HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + file.length
                    + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().write(file, 0, 44);
            socket.getOutputStream().flush();
            slow.add(socket);
        }
        // a post sent before both uploads hold their permits would take one and turn an upload away
        awaitMetric("lmuformer_recognize_in_progress " + KeywordServer.RECOGNIZE_AT_ONCE + ".0");
        HttpResponse<String> busy = post("/v1/recognize", file);
        assertEquals(503, busy.statusCode(), busy.body());
        assertEquals("1", busy.headers().firstValue("Retry-After").orElse(null));
        assertTrue(json(busy.body()).get("message").toString().contains("try again"), busy.body());
        assertTrue(get("/metrics").body().contains("lmuformer_recognize_requests_total{outcome=\"busy\"} 1.0"));
        List<Object> expected = new ArrayList<>(streamJson(wav));
        for (java.net.Socket socket : slow) {
            socket.getOutputStream().write(file, 44, file.length - 44);
            socket.getOutputStream().flush();
            String reply = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            socket.close();
            assertTrue(reply.startsWith("HTTP/1.1 200"), reply);
            List<String> events = new ArrayList<>();
            for (Object e : (List<?>) json(reply.substring(reply.indexOf("\r\n\r\n") + 4)).get("events")) events.add(JSON.std.asString(e));
            assertEquals(expected, events);
        }
        awaitMetric("lmuformer_recognize_in_progress 0.0");
        assertEquals(200, post("/v1/recognize", file).statusCode(), "the permits came back");
    }

    /** Waits until {@code /metrics} holds the line (gauges follow requests a moment after their replies). */
    private void awaitMetric(String line) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!get("/metrics").body().contains("\n" + line + "\n")) {
            assertTrue(System.nanoTime() < deadline, "/metrics never showed " + line);
            Thread.sleep(20);
        }
    }

    @Test
    void aThousandConnectionsComeAndGoWithoutLeaks() throws Exception {
        serve(loopback());
        float[] s = WavReader.read(wav).samples();
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 50; i++) churn(i, s); // warm up: pools and JIT
        System.gc();
        long heapBefore = rt.totalMemory() - rt.freeMemory();
        int threadsBefore = Thread.activeCount();
        for (int i = 0; i < 1000; i++) churn(i, s);
        awaitNoSessions(Duration.ofSeconds(10));
        System.gc();
        long heapAfter = rt.totalMemory() - rt.freeMemory();
        int threadsAfter = Thread.activeCount();
        System.out.printf("1000 connections: heap %d -> %d MiB, threads %d -> %d%n", heapBefore >> 20, heapAfter >> 20, threadsBefore, threadsAfter);
        assertEquals(0, server.metrics().activeSessions());
        assertTrue(threadsAfter <= threadsBefore + 8, "threads " + threadsBefore + " -> " + threadsAfter);
        assertTrue(heapAfter < heapBefore + (64L << 20), "heap " + (heapBefore >> 20) + " -> " + (heapAfter >> 20) + " MiB");
        String metrics = get("/metrics").body();
        assertTrue(metrics.contains("lmuformer_sessions_active 0.0"), metrics);
    }

    /** One short-lived stream: config, some audio, then a clean close, an abort or an end, in turn. */
    private void churn(int i, float[] s) throws Exception {
        Client c = connect();
        c.socket.sendText("{}", true).join();
        c.socket.sendBinary(pcm16(s, 0, 3200), true).join();
        switch (i % 3) {
            case 0 -> c.socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
            case 1 -> c.socket.abort();
            default -> {
                c.socket.sendText("{\"type\":\"end\"}", true).join();
                c.untilEnd();
            }
        }
    }

    @Test
    void aClientKilledMidStreamIsFreedWithinTheIdleTimeout() throws Exception {
        serve(loopback().withIdleTimeout(Duration.ofSeconds(2)));
        float[] s = WavReader.read(wav).samples();
        Client c = connect();
        c.socket.sendText("{}", true).join();
        assertTrue(c.next().startsWith("{\"type\":\"ready\""));
        c.socket.sendBinary(pcm16(s, 0, 16000), true).join();
        assertEquals(1, server.metrics().activeSessions());
        c.socket.abort(); // the socket closes without a close frame or end
        awaitNoSessions(Duration.ofSeconds(2 + 1));
        // a client that just stops sending is closed by the idle timeout
        Client quiet = connect();
        quiet.socket.sendText("{}", true).join();
        assertTrue(quiet.next().startsWith("{\"type\":\"ready\""));
        long t0 = System.nanoTime();
        awaitNoSessions(Duration.ofSeconds(2 + 3));
        assertTrue(System.nanoTime() - t0 > 1_000_000_000L, "not before the idle timeout");
        assertTrue(quiet.closeStatus().startsWith("1001") || quiet.closeStatus().startsWith("1011") || quiet.closeStatus().startsWith("error"),
                quiet.closeStatus());
    }

    private void awaitNoSessions(Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (server.metrics().activeSessions() != 0) {
            assertTrue(System.nanoTime() < deadline, "sessions still active after " + within + ": " + server.metrics().activeSessions());
            Thread.sleep(20);
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + path)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
