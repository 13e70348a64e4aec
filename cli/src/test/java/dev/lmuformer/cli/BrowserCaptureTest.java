package dev.lmuformer.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The page's capture path in a headless Chromium, without the real server: the page is served
 * statically and opened with {@code ?autostart=1&capture=1} (capture without a socket); the fake
 * microphone plays 1 kHz + 11 kHz at 48 kHz. The 16 kHz samples the page would send must hold
 * the 1 kHz tone at its level and nothing of the 11 kHz tone, which without a low-pass would
 * fold to 16 - 11 = 5 kHz.
 *
 * <p>Skipped when no Chromium is found ({@code scripts/install-chromium.sh} installs one),
 * failed instead when {@code CI=true}.
 */
class BrowserCaptureTest {
    private static final Path WEB = Path.of("..", "server", "src", "main", "resources", "dev", "lmuformer", "server", "web");
    private static final int MIC_RATE = 48000;
    private static final int RATE = 16000;
    private static final double TONE_DBFS = -12;

    @TempDir
    Path dir;

    @Test
    @Timeout(180)
    void capturesAndDownsamplesTheMicrophoneTo16kHz() throws Exception {
        Optional<Path> binary = Chromium.find();
        if (binary.isEmpty()) {
            String why = "no Chromium ($CHROMIUM, chromium, chromium-browser or google-chrome); "
                    + "scripts/install-chromium.sh installs one";
            if ("true".equals(System.getenv("CI"))) fail("CI=true, so the browser test must run: " + why);
            assumeTrue(false, why);
        }
        Path web = WEB.toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(web.resolve("index.html")), "no page at " + web);

        double amplitude = Math.pow(10, TONE_DBFS / 20);
        Path wav = dir.resolve("mic.wav");
        writeWav(wav, MIC_RATE, 3.0, new double[] {1000, 11000}, amplitude);

        HttpServer server = serve(web);
        try (Chromium chromium = Chromium.launch(wav)) {
            int port = server.getAddress().getPort();
            chromium.navigate("http://127.0.0.1:" + port + "/?autostart=1&capture=1");
            chromium.waitFor("window.lmuformer && lmuformer.state === 'listening'", Duration.ofSeconds(30));
            // 2 s fill the page's 2 s history; the last second is well past the start-up.
            chromium.waitFor("lmuformer.captured >= " + 2 * RATE, Duration.ofSeconds(60));
            Map<?, ?> info = (Map<?, ?>) chromium.evaluateValue("lmuformer.capture");
            List<?> last = (List<?>) chromium.evaluateValue("lmuformer.lastChunks");
            assertEquals("[]", chromium.evaluate("lmuformer.errors"), "the page showed errors");
            assertEquals(2 * RATE, last.size(), "lastChunks keeps the last 2 s");

            double[] x = new double[RATE];
            for (int i = 0; i < RATE; i++) x[i] = ((Number) last.get(last.size() - RATE + i)).doubleValue();
            Spectrum s = new Spectrum(x, RATE);
            double peak = s.peakFrequency(50, 7950);
            double tone = s.maxDb(peak - 5, peak + 5);
            double alias = s.maxDb(4800, 5200);
            double top = s.maxDb(7000, 7950);
            double elsewhere = Math.max(s.maxDb(50, 900), s.maxDb(1100, 7950));
            String report = String.format(
                    "context %s Hz, %s taps; peak %.1f Hz at %.1f dBFS; 4.8-5.2 kHz %.1f dB, 7-8 kHz %.1f dB, "
                            + "elsewhere %.1f dB below the tone",
                    info.get("inputRate"), info.get("taps"), peak, tone, tone - alias, tone - top, tone - elsewhere);
            System.out.println("BrowserCaptureTest: " + report);
            assertEquals(1000, peak, 30, report);
            assertEquals(TONE_DBFS, tone, 3, "the 1 kHz tone keeps its level: " + report);
            assertTrue(tone - alias >= 30, "the 11 kHz tone must not fold to 5 kHz: " + report);
            assertTrue(tone - top >= 30, "nothing between 7 and 8 kHz: " + report);
            assertTrue(tone - elsewhere >= 30, "only the 1 kHz tone: " + report);
        } finally {
            server.stop(0);
        }
    }

    /** A mono 16-bit PCM WAV of sines of the given frequencies, each at {@code amplitude}. */
    static void writeWav(Path path, int rate, double seconds, double[] freqs, double amplitude) throws IOException {
        int n = (int) Math.round(rate * seconds);
        ByteBuffer b = ByteBuffer.allocate(44 + 2 * n).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(36 + 2 * n)
                .put("WAVE".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                .put("fmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(16)
                .putShort((short) 1).putShort((short) 1).putInt(rate).putInt(2 * rate)
                .putShort((short) 2).putShort((short) 16)
                .put("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(2 * n);
        for (int i = 0; i < n; i++) {
            double v = 0;
            for (double f : freqs) v += amplitude * Math.sin(2 * Math.PI * f * i / rate);
            b.putShort((short) Math.round(Math.max(-1, Math.min(1, v)) * 32767));
        }
        Files.write(path, b.array());
    }

    /** Static files of {@code root} on 127.0.0.1 at a free port; "/" is index.html. */
    static HttpServer serve(Path root) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                Path file = root.resolve(path.equals("/") ? "index.html" : path.substring(1)).normalize();
                if (!file.startsWith(root) || !Files.isRegularFile(file)) {
                    send(exchange, 404, "text/plain; charset=utf-8", "not found".getBytes());
                } else {
                    send(exchange, 200, contentType(file), Files.readAllBytes(file));
                }
            }
        });
        server.start();
        return server;
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static String contentType(Path file) {
        String name = file.getFileName().toString();
        if (name.endsWith(".html")) return "text/html; charset=utf-8";
        if (name.endsWith(".js")) return "text/javascript; charset=utf-8"; // addModule insists on a JS type
        if (name.endsWith(".css")) return "text/css; charset=utf-8";
        return "application/octet-stream";
    }

    /** Hann-windowed single-bin DFTs (Goertzel) on a 5 Hz grid, as dBFS of a sine's amplitude. */
    private static final class Spectrum {
        private final double[] x;
        private final int rate;
        private final double gain;

        Spectrum(double[] samples, int rate) {
            this.rate = rate;
            int n = samples.length;
            x = new double[n];
            double sum = 0;
            for (int i = 0; i < n; i++) {
                double w = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / n);
                x[i] = samples[i] * w;
                sum += w;
            }
            gain = sum / 2; // a sine of amplitude A gives |X| = A * sum(w) / 2
        }

        double db(double freq) {
            double c = 2 * Math.cos(2 * Math.PI * freq / rate);
            double s1 = 0, s2 = 0;
            for (double v : x) {
                double s0 = v + c * s1 - s2;
                s2 = s1;
                s1 = s0;
            }
            double power = s1 * s1 + s2 * s2 - c * s1 * s2;
            return 10 * Math.log10(Math.max(power, 1e-30)) - 20 * Math.log10(gain);
        }

        double maxDb(double from, double to) {
            double best = Double.NEGATIVE_INFINITY;
            for (double f = from; f <= to; f += 5) best = Math.max(best, db(f));
            return best;
        }

        double peakFrequency(double from, double to) {
            double best = Double.NEGATIVE_INFINITY, at = from;
            for (double f = from; f <= to; f += 5) {
                double d = db(f);
                if (d > best) {
                    best = d;
                    at = f;
                }
            }
            return at;
        }
    }
}
