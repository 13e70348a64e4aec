package dev.lmuformer.cli;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.function.LongConsumer;

/**
 * Unpacks a {@code .tar.gz} into a folder, refusing whatever could write outside it or create
 * something other than plain files and folders: absolute names, {@code ..} that climbs above the
 * folder, symbolic and hard links, devices and fifos. The caller unpacks into a fresh, private
 * folder and removes it on failure; this class only writes below that folder.
 */
final class TarExtractor {
    private TarExtractor() {}

    /** What an unpack produced. */
    record Summary(long files, long directories, long bytes, long wavFiles) {}

    /**
     * Unpacks {@code archive} into the existing folder {@code dest}. {@code progress} receives the
     * number of compressed bytes read so far (for a progress bar; may be null). Every failure is an
     * IOException with a one-line message that names the archive and, where one is at fault, the entry.
     */
    static Summary extractTarGz(Path archive, Path dest, LongConsumer progress) throws IOException {
        Path root = dest.toAbsolutePath().normalize();
        long files = 0, dirs = 0, bytes = 0, wavs = 0;
        byte[] buf = new byte[1 << 16];
        try (InputStream raw = new Counting(Files.newInputStream(archive), progress);
             GzipCompressorInputStream gz = open(archive, raw);
             TarArchiveInputStream tar = new TarArchiveInputStream(gz)) {
            while (true) {
                TarArchiveEntry e;
                try {
                    e = tar.getNextEntry();
                } catch (IOException x) {
                    throw readError(archive, x);
                }
                if (e == null) break;
                String name = e.getName();
                String rel = relativePath(archive, name);
                refuseSpecial(archive, e);
                if (rel == null) continue; // "./" itself: the destination folder
                Path target = root.resolve(rel).normalize();
                if (!target.startsWith(root) || target.equals(root)) { // a second line of defence after relativePath
                    throw new IOException(archive + ": refusing the entry '" + name + "': its path leads outside the destination folder");
                }
                if (e.isDirectory()) {
                    mkdirs(target);
                    dirs++;
                    continue;
                }
                mkdirs(target.getParent());
                try (OutputStream o = Files.newOutputStream(target, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                    while (true) {
                        int n;
                        try {
                            n = tar.read(buf);
                        } catch (IOException x) {
                            throw readError(archive, x);
                        }
                        if (n < 0) break;
                        o.write(buf, 0, n);
                        bytes += n;
                    }
                } catch (ReadError x) {
                    throw x;
                } catch (IOException x) {
                    throw new IOException("cannot write " + target + ": " + firstLine(x));
                }
                try {
                    Files.setLastModifiedTime(target, FileTime.from(e.getLastModifiedDate().toInstant()));
                } catch (IOException | RuntimeException ignored) {
                    // a timestamp is a nicety; the data is what matters
                }
                files++;
                if (rel.toLowerCase(Locale.ROOT).endsWith(".wav")) wavs++;
            }
            // The tar reader stops at its end-of-archive records; read the gzip stream to its end too,
            // so that a cut-off file (its trailer and CRC missing) is reported rather than accepted.
            try {
                while (gz.read(buf) >= 0) {
                    // drain
                }
            } catch (IOException x) {
                throw readError(archive, x);
            }
        }
        return new Summary(files, dirs, bytes, wavs);
    }

    private static GzipCompressorInputStream open(Path archive, InputStream raw) throws IOException {
        try {
            return new GzipCompressorInputStream(new BufferedInputStream(raw, 1 << 16), true);
        } catch (IOException x) {
            throw readError(archive, x);
        }
    }

    /**
     * The entry's path relative to the destination, '/'-separated, with "." segments dropped and
     * ".." resolved; null for the destination itself ("./"). Refuses absolute names and ".." that
     * climbs above the destination.
     */
    static String relativePath(Path archive, String name) throws IOException {
        if (name.isEmpty() || name.indexOf('\0') >= 0) {
            throw new IOException(archive + ": refusing the entry '" + name + "': an empty or malformed name");
        }
        if (name.startsWith("/") || name.startsWith("\\") || name.matches("^[A-Za-z]:.*")) {
            throw new IOException(archive + ": refusing the entry '" + name + "': an absolute path");
        }
        Deque<String> parts = new ArrayDeque<>();
        for (String seg : name.split("[/\\\\]")) {
            if (seg.isEmpty() || seg.equals(".")) continue;
            if (seg.equals("..")) {
                if (parts.isEmpty()) {
                    throw new IOException(archive + ": refusing the entry '" + name + "': its path leads outside the destination folder");
                }
                parts.removeLast();
            } else {
                parts.addLast(seg);
            }
        }
        return parts.isEmpty() ? null : String.join("/", parts);
    }

    /** Refuses links, devices, fifos and any other entry that is neither a plain file nor a folder. */
    private static void refuseSpecial(Path archive, TarArchiveEntry e) throws IOException {
        String why = null;
        if (e.isSymbolicLink()) why = "a symbolic link (to '" + e.getLinkName() + "')";
        else if (e.isLink()) why = "a hard link (to '" + e.getLinkName() + "')";
        else if (e.isCharacterDevice() || e.isBlockDevice()) why = "a device";
        else if (e.isFIFO()) why = "a fifo";
        else if (!e.isDirectory()) {
            byte flag = e.getLinkFlag();
            boolean plain = flag == TarConstants.LF_NORMAL || flag == TarConstants.LF_OLDNORM || flag == TarConstants.LF_CONTIG;
            if (!plain) why = "an unsupported entry type '" + (char) flag + "'";
        }
        if (why != null) throw new IOException(archive + ": refusing the entry '" + e.getName() + "': " + why);
    }

    private static void mkdirs(Path dir) throws IOException {
        try {
            Files.createDirectories(dir);
        } catch (IOException x) {
            throw new IOException("cannot create the folder " + dir + ": " + firstLine(x));
        }
    }

    /** A failure to read the archive (as opposed to one writing a file), described for the user. */
    private static ReadError readError(Path archive, IOException x) {
        if (x instanceof ReadError r) return r;
        String m = x instanceof EOFException && x.getMessage() == null ? "the data ends too early" : firstLine(x);
        boolean truncated = x instanceof EOFException || m.toLowerCase(Locale.ROOT).contains("truncated")
                || m.toLowerCase(Locale.ROOT).contains("unexpected end");
        return new ReadError(archive + (truncated
                ? ": the archive is truncated (" + m + ")"
                : ": the archive is corrupt (" + m + ")"));
    }

    private static final class ReadError extends IOException {
        ReadError(String message) {
            super(message);
        }
    }

    static String firstLine(Throwable x) {
        String m = x.getMessage();
        if (m == null || m.isBlank()) return x.getClass().getSimpleName();
        return m.lines().findFirst().orElse(m).strip();
    }

    /** Deletes a folder and everything below it, without following links; a missing folder is fine. */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                if (exc instanceof NoSuchFileException) return FileVisitResult.CONTINUE;
                throw exc;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                if (exc != null && !(exc instanceof NoSuchFileException)) throw exc;
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Counts the bytes read through it and reports the running total. */
    private static final class Counting extends FilterInputStream {
        private final LongConsumer progress;
        private long count;

        Counting(InputStream in, LongConsumer progress) {
            super(in);
            this.progress = progress;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) add(1);
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) add(n);
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = super.skip(n);
            if (s > 0) add(s);
            return s;
        }

        private void add(long n) {
            count += n;
            if (progress != null) progress.accept(count);
        }
    }
}
