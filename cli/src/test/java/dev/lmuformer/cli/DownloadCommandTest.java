package dev.lmuformer.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.lmuformer.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code lmuformer download speechcommands} against a local HTTP server serving a tiny archive in the real layout. */
class DownloadCommandTest {
    @TempDir
    Path tmp;

    private Server server;
    private Path parent;
    private Path out;

    @BeforeEach
    void start() throws IOException {
        server = new Server();
        parent = tmp.resolve("data");
        out = parent.resolve("speech_commands_v0.02");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    // ---- the cases ----

    @Test
    void downloadsChecksAndUnpacks() throws Exception {
        Map<String, byte[]> files = layout();
        byte[] archive = targz(files, Map.of());
        server.body = archive;
        CliRun r = download("--sha256", sha256(archive));
        assertEquals(0, r.code(), r.err());
        assertLayout(files);
        assertTrue(r.out().contains("3 wav files"), r.out());
        assertTrue(r.out().contains("lmuformer stats --data " + out), r.out());
        assertTrue(r.out().contains("lmuformer train --data " + out), r.out());
        assertEquals(1, server.requests.get());
        assertEquals(List.of(""), server.ranges, "no Range on a fresh download");
        assertFalse(Files.exists(parent.resolve("speech_commands_v0.02.tar.gz")), "the archive is deleted after unpacking");
        assertFalse(Files.exists(parent.resolve("speech_commands_v0.02.tar.gz.part")));
        assertNoLeftovers();

        // a second run finds the dataset and asks nothing of the server
        CliRun again = download("--sha256", sha256(archive));
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("already there"), again.out());
        assertEquals(1, server.requests.get());
    }

    @Test
    void keepArchiveKeepsIt() throws Exception {
        byte[] archive = targz(layout(), Map.of());
        server.body = archive;
        CliRun r = download("--sha256", sha256(archive), "--keep-archive");
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(archive, Files.readAllBytes(parent.resolve("speech_commands_v0.02.tar.gz")));
    }

    @Test
    void wrongChecksumDeletesTheArchiveAndUnpacksNothing() throws Exception {
        server.body = targz(layout(), Map.of());
        String wrong = "0".repeat(64);
        CliRun r = download("--sha256", wrong);
        r.assertOneLineError("SHA-256 is " + sha256(server.body), "expected " + wrong, "speech_commands_v0.02.tar.gz", "deleted");
        assertFalse(Files.exists(out));
        assertFalse(Files.exists(parent.resolve("speech_commands_v0.02.tar.gz")), "a corrupt archive is deleted so that a rerun downloads again");
        assertNoLeftovers();
    }

    @Test
    void truncatedArchiveFailsAndLeavesNothing() throws Exception {
        byte[] full = targz(layout(), Map.of());
        byte[] half = Arrays.copyOf(full, full.length / 2);
        server.body = half;
        CliRun r = download("--sha256", sha256(half));
        r.assertOneLineError("truncated", "speech_commands_v0.02.tar.gz");
        assertFalse(Files.exists(out));
        assertNoLeftovers();
    }

    @Test
    void refusesEntriesThatEscapeOrLink() throws Exception {
        record Bad(String entry, String name, char type, String link, String fragment) {}
        List<Bad> cases = List.of(
                new Bad("../evil.txt", "../evil.txt", (char) TarConstants.LF_NORMAL, null, "outside"),
                new Bad("./yes/../../evil.txt", "./yes/../../evil.txt", (char) TarConstants.LF_NORMAL, null, "outside"),
                new Bad("/tmp/evil.txt", "/tmp/evil.txt", (char) TarConstants.LF_NORMAL, null, "absolute"),
                new Bad("./yes/link.wav", "./yes/link.wav", (char) TarConstants.LF_SYMLINK, "/etc/passwd", "symbolic link"),
                new Bad("./yes/hard.wav", "./yes/hard.wav", (char) TarConstants.LF_LINK, "./yes/a_nohash_0.wav", "hard link"),
                new Bad("./dev0", "./dev0", (char) TarConstants.LF_CHR, null, "device"),
                new Bad("./fifo", "./fifo", (char) TarConstants.LF_FIFO, null, "fifo"));
        for (Bad bad : cases) {
            Map<String, byte[]> files = layout();
            byte[] archive = targz(files, Map.of(bad.entry(), new Special(bad.type(), bad.link())));
            server.body = archive;
            CliRun r = download("--sha256", sha256(archive));
            r.assertOneLineError("'" + bad.name() + "'", bad.fragment());
            assertFalse(Files.exists(out), bad.name() + ": --out must not exist");
            assertFalse(Files.exists(parent.resolve("evil.txt")), bad.name());
            assertFalse(Files.exists(tmp.resolve("evil.txt")), bad.name());
            assertNoLeftovers();
            // the archive passed its checksum, so it is kept for another try; this loop serves a new one each time
            Files.delete(parent.resolve("speech_commands_v0.02.tar.gz"));
        }
    }

    @Test
    void resumesAnInterruptedDownload() throws Exception {
        Map<String, byte[]> files = layout();
        byte[] archive = targz(files, Map.of());
        server.body = archive;
        int k = archive.length / 3;
        server.cutAfter = k;
        Path part = parent.resolve("speech_commands_v0.02.tar.gz.part");

        CliRun first = download("--sha256", sha256(archive));
        first.assertOneLineError("http://127.0.0.1:", "again to resume");
        assertEquals(k, Files.size(part), "every byte received is kept in the .part file");
        assertFalse(Files.exists(out));

        CliRun second = download("--sha256", sha256(archive));
        assertEquals(0, second.code(), second.err());
        assertEquals(List.of("", "bytes=" + k + "-"), server.ranges);
        assertTrue(second.out().contains("resuming the download from"), second.out());
        assertLayout(files);
        assertFalse(Files.exists(part));
        assertNoLeftovers();
    }

    @Test
    void restartsWhenTheServerIgnoresTheRangeAndAcceptsACompletePart() throws Exception {
        Map<String, byte[]> files = layout();
        byte[] archive = targz(files, Map.of());
        server.body = archive;
        Files.createDirectories(parent);
        Path part = parent.resolve("speech_commands_v0.02.tar.gz.part");

        // a server without range support: the garbage part is overwritten from the start
        server.ignoreRange = true;
        Files.write(part, "garbage".getBytes(StandardCharsets.US_ASCII));
        CliRun r = download("--sha256", sha256(archive));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("does not resume"), r.out());
        assertLayout(files);

        // a complete part: the server answers 416, and the part is used as it is
        TarExtractor.deleteTree(out);
        server.ignoreRange = false;
        Files.write(part, archive);
        int before = server.requests.get();
        CliRun c = download("--sha256", sha256(archive));
        assertEquals(0, c.code(), c.err());
        assertEquals("bytes=" + archive.length + "-", server.ranges.get(server.ranges.size() - 1));
        assertEquals(before + 1, server.requests.get());
        assertTrue(c.out().contains("already complete"), c.out());
        assertLayout(files);
    }

    @Test
    void notAnArchiveOfSpeechCommands() throws Exception {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("./yes/a_nohash_0.wav", wav(1));
        byte[] archive = targz(files, Map.of());
        server.body = archive;
        download("--sha256", sha256(archive)).assertOneLineError("not a Speech Commands archive");
        assertFalse(Files.exists(out));
        assertNoLeftovers();
    }

    @Test
    void badOptionsAndAFolderInTheWay() throws Exception {
        download("--sha256", "xyz").assertOneLineError("--sha256", "64 hexadecimal digits", "xyz");
        run("download", "speechcommands", "--out", out.toString(), "--url", "ftp://example.org/x.tar.gz")
                .assertOneLineError("--url", "http");
        Files.createDirectories(out);
        Files.writeString(out.resolve("notes.txt"), "mine");
        server.body = targz(layout(), Map.of());
        download("--sha256", sha256(server.body)).assertOneLineError(out.toString(), "not empty");
        assertEquals(0, server.requests.get(), "refused before downloading");
        assertEquals("mine", Files.readString(out.resolve("notes.txt")));
        server.status = 404;
        Files.delete(out.resolve("notes.txt")); // an empty folder is fine
        download("--sha256", sha256(server.body)).assertOneLineError("HTTP 404", "http://127.0.0.1:");
    }

    @Test
    void help() {
        CliRun r = run("download", "speechcommands", "--help");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("Usage: lmuformer download speechcommands"), r.out());
        assertTrue(r.out().contains("--sha256") && r.out().contains("Examples:"), r.out());
        CliRun d = run("download", "--help");
        assertEquals(0, d.code(), d.err());
        assertTrue(d.out().contains("speechcommands"), d.out());
    }

    // ---- helpers ----

    private CliRun download(String... extra) {
        List<String> args = new ArrayList<>(List.of("download", "speechcommands", "--out", out.toString(), "--url", server.url()));
        args.addAll(List.of(extra));
        return run(args.toArray(String[]::new));
    }

    private void assertLayout(Map<String, byte[]> files) throws IOException {
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Path p = out.resolve(f.getKey().substring(2));
            assertTrue(Files.isRegularFile(p), p.toString());
            assertArrayEquals(f.getValue(), Files.readAllBytes(p), p.toString());
        }
    }

    /** No temporary unpacking folder, no stray files: only --out, and the archive or its part where expected. */
    private void assertNoLeftovers() throws IOException {
        if (!Files.isDirectory(parent)) return;
        try (Stream<Path> s = Files.list(parent)) {
            List<String> names = s.map(p -> p.getFileName().toString()).toList();
            for (String n : names) assertFalse(n.contains(".unpacking-"), "left over: " + names);
        }
    }

    /** The real archive's layout in miniature: no top-level folder, names starting with "./". */
    private static Map<String, byte[]> layout() {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("./yes/a_nohash_0.wav", wav(1));
        files.put("./no/b_nohash_0.wav", wav(2));
        files.put("./_background_noise_/noise.wav", wav(3));
        files.put("./validation_list.txt", "yes/a_nohash_0.wav\n".getBytes(StandardCharsets.US_ASCII));
        files.put("./testing_list.txt", "no/b_nohash_0.wav\n".getBytes(StandardCharsets.US_ASCII));
        files.put("./LICENSE", "CC-BY-4.0\n".getBytes(StandardCharsets.US_ASCII));
        return files;
    }

    /** A tiny valid 16 kHz mono 16-bit WAV file. */
    private static byte[] wav(int seed) {
        int samples = 64;
        ByteBuffer b = ByteBuffer.allocate(44 + 2 * samples).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + 2 * samples).put("WAVE".getBytes(StandardCharsets.US_ASCII));
        b.put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1).putShort((short) 1)
                .putInt(16000).putInt(32000).putShort((short) 2).putShort((short) 16);
        b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(2 * samples);
        for (int i = 0; i < samples; i++) b.putShort((short) (seed * 1000 * Math.sin(i * 0.3)));
        return b.array();
    }

    private record Special(char type, String link) {}

    /** A .tar.gz with a "./" folder entry, the files (their folders first), then the special entries. */
    private static byte[] targz(Map<String, byte[]> files, Map<String, Special> special) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.putArchiveEntry(new TarArchiveEntry("./", TarConstants.LF_DIR, true));
            tar.closeArchiveEntry();
            List<String> dirs = new ArrayList<>();
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                int slash = f.getKey().lastIndexOf('/');
                String dir = f.getKey().substring(0, slash + 1);
                if (!dir.equals("./") && !dirs.contains(dir)) {
                    dirs.add(dir);
                    tar.putArchiveEntry(new TarArchiveEntry(dir, TarConstants.LF_DIR, true));
                    tar.closeArchiveEntry();
                }
                TarArchiveEntry e = new TarArchiveEntry(f.getKey(), true);
                e.setSize(f.getValue().length);
                tar.putArchiveEntry(e);
                tar.write(f.getValue());
                tar.closeArchiveEntry();
            }
            for (Map.Entry<String, Special> s : special.entrySet()) {
                byte type = (byte) s.getValue().type();
                TarArchiveEntry e;
                if (type == TarConstants.LF_NORMAL) {
                    e = new TarArchiveEntry(s.getKey(), true);
                    byte[] evil = "evil".getBytes(StandardCharsets.US_ASCII);
                    e.setSize(evil.length);
                    tar.putArchiveEntry(e);
                    tar.write(evil);
                } else {
                    e = new TarArchiveEntry(s.getKey(), type, true);
                    if (s.getValue().link() != null) e.setLinkName(s.getValue().link());
                    tar.putArchiveEntry(e);
                }
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    /**
     * Serves {@link #body} at /speech_commands_v0.02.tar.gz, honouring "Range: bytes=N-" (206 with
     * Content-Range, 416 past the end) unless told to ignore it; can cut the connection once after
     * {@link #cutAfter} body bytes (the full Content-Length announced), and records every request's Range.
     */
    private static final class Server implements AutoCloseable {
        private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");
        final HttpServer http;
        final AtomicInteger requests = new AtomicInteger();
        final List<String> ranges = Collections.synchronizedList(new ArrayList<>());
        volatile byte[] body;
        volatile int cutAfter = -1;
        volatile boolean ignoreRange;
        volatile int status = 200;

        Server() throws IOException {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            http.createContext("/speech_commands_v0.02.tar.gz", this::handle);
            http.start();
        }

        String url() {
            return "http://127.0.0.1:" + http.getAddress().getPort() + "/speech_commands_v0.02.tar.gz";
        }

        private void handle(HttpExchange ex) throws IOException {
            requests.incrementAndGet();
            String range = ex.getRequestHeaders().getFirst("Range");
            ranges.add(range == null ? "" : range);
            byte[] b = body;
            if (status != 200) {
                ex.sendResponseHeaders(status, -1);
                ex.close();
                return;
            }
            int start = 0;
            Matcher m = range == null || ignoreRange ? null : RANGE.matcher(range);
            if (m != null && m.matches()) {
                start = Integer.parseInt(m.group(1));
                if (start >= b.length) {
                    ex.getResponseHeaders().set("Content-Range", "bytes */" + b.length);
                    ex.sendResponseHeaders(416, -1);
                    ex.close();
                    return;
                }
                ex.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + (b.length - 1) + "/" + b.length);
                ex.sendResponseHeaders(206, b.length - start);
            } else {
                ex.sendResponseHeaders(200, b.length);
            }
            OutputStream os = ex.getResponseBody();
            int cut = cutAfter;
            if (cut >= 0) {
                cutAfter = -1; // once
                os.write(b, start, cut);
                os.flush();
                // thrown out of the handler, this makes the server drop the connection mid-body
                throw new IOException("simulated interruption after " + cut + " bytes");
            }
            os.write(b, start, b.length - start);
            os.close();
        }

        @Override
        public void close() {
            http.stop(0);
        }
    }
}
