package dev.lmuformer.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.text.DecimalFormat;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code lmuformer download}: fetches a public dataset and unpacks it where the other commands expect it. */
@Command(name = "download", description = "Download a public dataset, check its SHA-256 and unpack it.",
        subcommands = {DownloadCommand.SpeechCommandsDownload.class},
        footer = {"", "Examples:",
                "  lmuformer download speechcommands       # Speech Commands V2 (2.3 GB)",
                "  lmuformer download speechcommands --out /data/gsc --keep-archive"})
final class DownloadCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** {@code lmuformer download speechcommands}: Google Speech Commands V2, resumable, checked, unpacked atomically. */
    @Command(name = "speechcommands",
            description = {"Download Google Speech Commands V2 (2.3 GB, 105,829 clips of 35 words), check its SHA-256 and unpack it into --out.",
                    "The archive goes to <out>.tar.gz beside --out; an interrupted download resumes where it stopped when the command is run again. "
                            + "The folder appears only once it is complete: the archive is unpacked into a temporary sibling folder, "
                            + "which is then renamed to --out.",
                    "Defaults (torchaudio's):",
                    "  --url    " + SpeechCommandsDownload.URL,
                    "  --sha256 " + SpeechCommandsDownload.SHA256},
            footer = {"", "Examples:",
                    "  lmuformer download speechcommands",
                    "  lmuformer download speechcommands --out /data/gsc --keep-archive",
                    "  lmuformer download speechcommands --url http://mirror.example/sc.tar.gz",
                    "  lmuformer stats --data data/speech_commands_v0.02     # then"})
    static final class SpeechCommandsDownload implements Callable<Integer> {
        /** Where torchaudio fetches Speech Commands V2 from, and the SHA-256 it expects. */
        static final String URL = "http://download.tensorflow.org/data/speech_commands_v0.02.tar.gz";
        static final String SHA256 = "af14739ee7dc311471de98f5f9d2c9191b18aedfe957f4a6ff791c709868ff58";
        private static final double MB = 1_000_000.0;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--out", defaultValue = "data/speech_commands_v0.02",
                description = "Folder to create for the dataset (default: ${DEFAULT-VALUE}); it must not exist or be empty.")
        Path out;

        @Option(names = "--url", defaultValue = URL, description = "Where to download the .tar.gz from (default: see above).")
        String url;

        @Option(names = "--sha256", defaultValue = SHA256, description = "The archive's expected SHA-256, 64 hex digits (default: see above).")
        String sha256;

        @Option(names = "--keep-archive", description = "Keep <out>.tar.gz after unpacking (by default it is deleted once unpacked).")
        boolean keepArchive;

        @Override
        public Integer call() throws Exception {
            PrintWriter o = spec.commandLine().getOut();
            String expected = sha256.strip().toLowerCase(Locale.ROOT);
            if (!expected.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("--sha256 must be 64 hexadecimal digits, got '" + sha256 + "'");
            }
            URI uri = parseUrl(url);
            Path dir = out.normalize();
            if (dir.getFileName() == null || dir.toString().isEmpty() || dir.getFileName().toString().equals("..")) {
                dir = out.toAbsolutePath().normalize();
            }
            if (dir.getFileName() == null) throw new IllegalArgumentException("--out must name a folder to create, got '" + out + "'");
            String name = dir.getFileName().toString();
            Path parent = dir.toAbsolutePath().getParent();

            // Up front, before a 2.3 GB download: is there anything in the way?
            if (Files.isDirectory(dir)) {
                if (looksLikeDataset(dir)) {
                    o.printf("%s: Speech Commands is already there; nothing to do%n", dir);
                    printNext(o, dir);
                    return 0;
                }
                if (!isEmptyFolder(dir)) {
                    throw new IllegalArgumentException(dir + " exists, is not empty and is not a Speech Commands folder "
                            + "(no testing_list.txt and validation_list.txt): remove it or choose another --out");
                }
            } else if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new IllegalArgumentException(dir + " exists and is not a folder: remove it or choose another --out");
            }
            try {
                Files.createDirectories(parent);
            } catch (IOException e) {
                throw new IOException("cannot create the folder " + parent + ": " + TarExtractor.firstLine(e));
            }
            Path archive = dir.resolveSibling(name + ".tar.gz");
            Path part = dir.resolveSibling(name + ".tar.gz.part");

            if (Files.isRegularFile(archive)) {
                o.printf("%s: already downloaded%n", archive);
                Files.deleteIfExists(part);
            } else {
                download(uri, part, o);
                move(part, archive);
            }

            o.printf("checking the SHA-256 of %s%n", archive);
            o.flush();
            String actual = sha256Of(archive);
            if (!actual.equals(expected)) {
                Files.deleteIfExists(archive);
                throw new IOException(archive + ": SHA-256 is " + actual + ", expected " + expected
                        + " (the download is corrupt or the URL serves another file; it was deleted)");
            }

            o.printf("unpacking %s into %s%n", archive, dir);
            o.flush();
            TarExtractor.Summary s = unpack(archive, dir, parent, name);
            if (keepArchive) {
                o.printf("kept the archive %s%n", archive);
            } else {
                Files.deleteIfExists(archive);
            }
            o.printf(Locale.ROOT, "%s: %,d wav files (%,d files, %s)%n", dir, s.wavFiles(), s.files(), mb(s.bytes()));
            printNext(o, dir);
            return 0;
        }

        private static URI parseUrl(String url) {
            URI uri;
            try {
                uri = new URI(url.strip());
            } catch (java.net.URISyntaxException e) {
                throw new IllegalArgumentException("--url is not a valid address: '" + url + "' (" + e.getReason() + ")");
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                throw new IllegalArgumentException("--url must be an http:// or https:// address, got '" + url + "'");
            }
            return uri;
        }

        static boolean looksLikeDataset(Path dir) {
            return Files.isRegularFile(dir.resolve("testing_list.txt")) && Files.isRegularFile(dir.resolve("validation_list.txt"));
        }

        private static boolean isEmptyFolder(Path dir) throws IOException {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                return !ds.iterator().hasNext();
            }
        }

        private static void printNext(PrintWriter o, Path dir) {
            String d = quote(dir.toString());
            o.println("next:");
            o.println("  lmuformer stats --data " + d + "                   # the training split's feature mean and std");
            o.println("  lmuformer train --data " + d + " --out runs/gsc    # the reference recipe");
        }

        private static String quote(String s) {
            return s.matches("[A-Za-z0-9_./:=@%+,-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
        }

        /** Renames atomically where the file system can, otherwise plainly. */
        private static void move(Path from, Path to) throws IOException {
            try {
                Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(from, to);
            }
        }

        private static String sha256Of(Path file) throws IOException {
            MessageDigest md;
            try {
                md = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            byte[] buf = new byte[1 << 20];
            try (InputStream in = Files.newInputStream(file)) {
                for (int n; (n = in.read(buf)) >= 0; ) md.update(buf, 0, n);
            } catch (IOException e) {
                throw new IOException("cannot read " + file + ": " + TarExtractor.firstLine(e));
            }
            return HexFormat.of().formatHex(md.digest());
        }

        // ---- unpacking ----

        /**
         * Unpacks into a fresh sibling folder of {@code dir} and renames it to {@code dir} once it is
         * complete and looks like Speech Commands; on any failure (or Ctrl-C) the sibling is deleted.
         */
        private static TarExtractor.Summary unpack(Path archive, Path dir, Path parent, String name) throws IOException {
            Path tmp = freshFolder(parent, name + ".unpacking-");
            Thread hook = new Thread(() -> {
                try {
                    TarExtractor.deleteTree(tmp);
                } catch (IOException | RuntimeException ignored) {
                    // best effort while the JVM goes down
                }
            }, "lmuformer-download-cleanup");
            boolean hooked = addHook(hook);
            boolean moved = false;
            try (ProgressBar bar = bytesBar("unpack", Files.size(archive), 0)) {
                TarExtractor.Summary s = TarExtractor.extractTarGz(archive, tmp, bar::stepTo);
                if (!looksLikeDataset(tmp)) {
                    throw new IOException(archive + ": not a Speech Commands archive (no testing_list.txt and validation_list.txt at its top level)");
                }
                if (Files.isDirectory(dir)) {
                    try {
                        Files.delete(dir); // the empty folder --out named, checked before the download
                    } catch (DirectoryNotEmptyException e) {
                        throw new IOException(dir + " is no longer empty; it was left as it is");
                    }
                }
                try {
                    move(tmp, dir);
                } catch (IOException e) {
                    throw new IOException("cannot rename " + tmp + " to " + dir + ": " + TarExtractor.firstLine(e));
                }
                moved = true;
                return s;
            } finally {
                if (!moved) {
                    try {
                        TarExtractor.deleteTree(tmp);
                    } catch (IOException e) {
                        System.err.println("lmuformer: warning: could not delete " + tmp + ": " + TarExtractor.firstLine(e));
                    }
                }
                if (hooked) {
                    try {
                        Runtime.getRuntime().removeShutdownHook(hook);
                    } catch (IllegalStateException ignored) {
                        // shutting down: the hook runs anyway
                    }
                }
            }
        }

        private static boolean addHook(Thread hook) {
            try {
                Runtime.getRuntime().addShutdownHook(hook);
                return true;
            } catch (IllegalStateException | SecurityException e) {
                return false;
            }
        }

        /** A new folder {@code parent/prefix<random>}, created with the usual permissions (unlike a temp folder's 700). */
        private static Path freshFolder(Path parent, String prefix) throws IOException {
            SecureRandom random = new SecureRandom();
            for (int i = 0; ; i++) {
                Path p = parent.resolve(prefix + Long.toHexString(random.nextLong() & Long.MAX_VALUE));
                try {
                    return Files.createDirectory(p);
                } catch (FileAlreadyExistsException e) {
                    if (i > 100) throw e;
                } catch (IOException e) {
                    throw new IOException("cannot create the folder " + p + ": " + TarExtractor.firstLine(e));
                }
            }
        }

        // ---- downloading ----

        /** A progress bar over bytes, shown in MB, on stderr. */
        static ProgressBar bytesBar(String task, long total, long start) {
            return new ProgressBarBuilder().setTaskName(task).setInitialMax(total).startsFrom(start, Duration.ZERO)
                    .setUnit(" MB", 1_000_000).showSpeed(new DecimalFormat("0.0")).setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(500).continuousUpdate().build();
        }

        private static String mb(long bytes) {
            if (bytes < 1_000_000) return String.format(Locale.ROOT, "%,d bytes", bytes);
            return String.format(Locale.ROOT, "%.1f MB", bytes / MB);
        }

        private static long sizeOf(Path p) {
            try {
                return Files.isRegularFile(p) ? Files.size(p) : 0;
            } catch (IOException e) {
                return 0;
            }
        }

        /**
         * Downloads {@code uri} into {@code part}, resuming from what {@code part} already holds:
         * a 206 answer is appended, a 200 one (the server ignored the Range) starts over, a 416 one
         * means the part is complete if its size is the server's. Every byte received is on disk
         * before a failure is reported, so the next run resumes exactly there.
         */
        private static void download(URI uri, Path part, PrintWriter o) throws IOException {
            HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                    .connectTimeout(Duration.ofSeconds(30)).build();
            for (int attempt = 0; attempt < 3; attempt++) {
                long have = sizeOf(part);
                HttpRequest.Builder rb = HttpRequest.newBuilder(uri).GET().timeout(Duration.ofMinutes(2))
                        .header("User-Agent", "lmuformer/0.1.0");
                if (have > 0) {
                    rb.header("Range", "bytes=" + have + "-");
                    o.printf("resuming the download from %s (%s)%n", mb(have), part);
                } else {
                    o.printf("downloading %s to %s%n", uri, part);
                }
                o.flush();
                PartHandler handler = new PartHandler(part, have, o);
                HttpResponse<Fetched> r;
                try {
                    r = client.send(rb.build(), handler);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(uri + ": interrupted after " + mb(sizeOf(part)) + "; run the same command again to resume");
                } catch (IOException e) {
                    throw new IOException(uri + ": the download failed after " + mb(sizeOf(part)) + " (" + describe(e)
                            + "); run the same command again to resume");
                } finally {
                    handler.closeBar();
                }
                Fetched f = r.body();
                switch (f.kind()) {
                    case DONE -> {
                        long got = sizeOf(part);
                        if (f.total() >= 0 && got < f.total()) {
                            throw new IOException(uri + ": the download ended early, at " + mb(got) + " of " + mb(f.total())
                                    + "; run the same command again to resume");
                        }
                        if (f.total() >= 0 && got > f.total()) {
                            Files.deleteIfExists(part);
                            throw new IOException(uri + ": received " + got + " bytes, more than the " + f.total()
                                    + " announced; the partial file was deleted");
                        }
                        return;
                    }
                    case COMPLETE -> {
                        o.printf("the partial download is already complete (%s)%n", mb(have));
                        return;
                    }
                    case RESTART -> {
                        o.printf("%s; downloading from the start%n", f.note());
                        Files.deleteIfExists(part);
                    }
                    case HTTP_ERROR -> throw new IOException(uri + ": the server answered HTTP " + f.status());
                    default -> throw new IllegalStateException(f.kind().toString());
                }
            }
            throw new IOException(uri + ": the server keeps answering the resume request inconsistently; delete " + part + " and try again");
        }

        /** A one-line description of a network failure: the JDK nests the useful part as the cause at times. */
        private static String describe(IOException e) {
            Throwable t = e;
            while (t.getMessage() == null && t.getCause() != null) t = t.getCause();
            String m = TarExtractor.firstLine(t);
            if (t instanceof java.net.ConnectException) return "cannot connect: " + m;
            if (t instanceof java.net.UnknownHostException || t.getCause() instanceof java.net.UnknownHostException) return "unknown host: " + m;
            return m;
        }

        /** What one request achieved. */
        enum Kind { DONE, COMPLETE, RESTART, HTTP_ERROR }

        record Fetched(Kind kind, int status, long total, String note) {}

        private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)");
        private static final Pattern CONTENT_RANGE_UNSATISFIED = Pattern.compile("bytes\\s+\\*/(\\d+)");

        /** Chooses, from the status and headers, whether the body is appended, written from the start or discarded. */
        private static final class PartHandler implements HttpResponse.BodyHandler<Fetched> {
            private final Path part;
            private final long have;
            private final PrintWriter o;
            private volatile ProgressBar bar;
            private final AtomicBoolean barClosed = new AtomicBoolean();

            PartHandler(Path part, long have, PrintWriter o) {
                this.part = part;
                this.have = have;
                this.o = o;
            }

            @Override
            public HttpResponse.BodySubscriber<Fetched> apply(HttpResponse.ResponseInfo info) {
                int status = info.statusCode();
                HttpHeaders h = info.headers();
                long length = h.firstValueAsLong("Content-Length").orElse(-1);
                switch (status) {
                    case 200 -> {
                        if (have > 0) {
                            o.printf("the server does not resume downloads; downloading from the start%n");
                            o.flush();
                        }
                        return new PartWriter(this, 0, length, 200, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                                StandardOpenOption.TRUNCATE_EXISTING);
                    }
                    case 206 -> {
                        Matcher m = CONTENT_RANGE.matcher(h.firstValue("Content-Range").orElse(""));
                        if (have == 0 || !m.matches() || Long.parseLong(m.group(1)) != have) {
                            return HttpResponse.BodySubscribers.replacing(new Fetched(Kind.RESTART, status, -1,
                                    "the server resumed at another position than asked"));
                        }
                        long total = !m.group(3).equals("*") ? Long.parseLong(m.group(3)) : length >= 0 ? have + length : -1;
                        return new PartWriter(this, have, total, 206, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
                    }
                    case 416 -> {
                        Matcher m = CONTENT_RANGE_UNSATISFIED.matcher(h.firstValue("Content-Range").orElse(""));
                        boolean complete = have > 0 && m.matches() && Long.parseLong(m.group(1)) == have;
                        return HttpResponse.BodySubscribers.replacing(complete
                                ? new Fetched(Kind.COMPLETE, status, have, null)
                                : new Fetched(Kind.RESTART, status, -1, "the server refused to resume from " + mb(have)));
                    }
                    default -> {
                        return HttpResponse.BodySubscribers.replacing(new Fetched(Kind.HTTP_ERROR, status, -1, null));
                    }
                }
            }

            void startBar(long total, long start) {
                if (total > 0) bar = bytesBar("download", total, start);
            }

            void progress(long position) {
                ProgressBar b = bar;
                if (b != null) b.stepTo(position);
            }

            void closeBar() {
                ProgressBar b = bar;
                if (b != null && barClosed.compareAndSet(false, true)) b.close();
            }
        }

        /**
         * Writes a response body to the partial file as it arrives (so that everything received is
         * kept when the connection breaks), and moves the progress bar; where the length is unknown
         * it prints a line every 100 MB instead.
         */
        private static final class PartWriter implements HttpResponse.BodySubscriber<Fetched> {
            private static final long REPORT_EVERY = 100_000_000L;
            private final CompletableFuture<Fetched> result = new CompletableFuture<>();
            private final PartHandler handler;
            private final long total;
            private final int status;
            private FileChannel channel;
            private IOException openError;
            private Flow.Subscription subscription;
            private long position;
            private long nextReport;
            private boolean done;

            PartWriter(PartHandler handler, long start, long total, int status, StandardOpenOption... options) {
                this.handler = handler;
                this.total = total;
                this.status = status;
                this.position = start;
                this.nextReport = (start / REPORT_EVERY + 1) * REPORT_EVERY;
                try {
                    channel = FileChannel.open(handler.part, options);
                } catch (IOException e) {
                    openError = new IOException("cannot write " + handler.part + ": " + TarExtractor.firstLine(e));
                }
                if (openError == null) handler.startBar(total, start);
            }

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                if (openError != null) {
                    done = true;
                    s.cancel();
                    result.completeExceptionally(openError);
                    return;
                }
                s.request(1);
            }

            @Override
            public void onNext(List<ByteBuffer> items) {
                if (done) return;
                try {
                    for (ByteBuffer b : items) {
                        while (b.hasRemaining()) position += channel.write(b);
                    }
                } catch (IOException e) {
                    done = true;
                    subscription.cancel();
                    closeChannel();
                    result.completeExceptionally(new IOException("cannot write " + handler.part + ": " + TarExtractor.firstLine(e)));
                    return;
                }
                handler.progress(position);
                if (total < 0 && position >= nextReport) {
                    System.err.printf("downloaded %s%n", mb(position));
                    nextReport += REPORT_EVERY;
                }
                subscription.request(1);
            }

            @Override
            public void onError(Throwable t) {
                if (done) return;
                done = true;
                closeChannel();
                handler.closeBar();
                result.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                if (done) return;
                done = true;
                IOException closing = closeChannel();
                handler.closeBar();
                if (closing != null) result.completeExceptionally(closing);
                else result.complete(new Fetched(Kind.DONE, status, total, null));
            }

            private IOException closeChannel() {
                if (channel == null) return null;
                try {
                    channel.close();
                    return null;
                } catch (IOException e) {
                    return new IOException("cannot write " + handler.part + ": " + TarExtractor.firstLine(e));
                }
            }

            @Override
            public CompletionStage<Fetched> getBody() {
                return result;
            }
        }
    }
}
