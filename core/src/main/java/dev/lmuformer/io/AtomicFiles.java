package dev.lmuformer.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes whole files so that readers see the old file or the new one, never a partial one. */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** What writes a file's contents. */
    public interface Contents {
        /** Writes everything to {@code out}. */
        void writeTo(OutputStream out) throws IOException;
    }

    /** Writes {@code bytes} to a temporary file beside {@code file}, then renames it over {@code file}. */
    public static void write(Path file, byte[] bytes) {
        write(file, out -> out.write(bytes));
    }

    /** Streams {@code contents} into a temporary file beside {@code file}, then renames it over {@code file}. */
    public static void write(Path file, Contents contents) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            try {
                try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                    contents.writeTo(out);
                }
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new FormatException(file + ": cannot write (" + e.getMessage() + ")", e);
        }
    }
}
