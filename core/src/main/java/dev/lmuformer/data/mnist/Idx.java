package dev.lmuformer.data.mnist;

import dev.lmuformer.io.FormatException;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * The IDX files of MNIST and Fashion-MNIST (raw or gzip-compressed): unsigned-byte arrays with a
 * big-endian header — magic {@code 0x0000 08 d} (type ubyte, d dimensions), then d sizes.
 *
 * @param shape the dimensions ({@code [n, 28, 28]} for images, {@code [n]} for labels)
 * @param data  the values, row-major, 0…255
 */
public record Idx(int[] shape, byte[] data) {
    private static final long MAX_BYTES = 1L << 30;
    /** Values counted at most: more than any byte array holds, and small enough that times a size it cannot overflow. */
    private static final long COUNT_CAP = 1L << 32;

    /** Reads a file; {@code .gz} files are decompressed. */
    public static Idx read(Path file) {
        byte[] bytes;
        try (InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(Files.newInputStream(file)) : Files.newInputStream(file)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
                if (out.size() > MAX_BYTES) throw new FormatException(file + ": IDX file larger than 1 GiB");
            }
            bytes = out.toByteArray();
        } catch (IOException e) {
            String why = e instanceof EOFException && e.getMessage() == null ? "the data ends too early" : e.getMessage(); // a gzip header cut short
            throw new FormatException(file + ": cannot read (" + why + ")", e);
        }
        return parse(file.toString(), bytes);
    }

    /** Parses IDX bytes; {@code source} names them in messages. */
    public static Idx parse(String source, byte[] bytes) {
        if (bytes.length < 4) throw new FormatException(source + ": not an IDX file (too short)");
        ByteBuffer b = ByteBuffer.wrap(bytes); // big-endian
        if (b.get(0) != 0 || b.get(1) != 0) throw new FormatException(source + ": not an IDX file (bad magic)");
        if (b.get(2) != 0x08) throw new FormatException(source + ": IDX type 0x" + Integer.toHexString(b.get(2) & 0xff) + " is not unsigned bytes");
        int dims = b.get(3) & 0xff;
        if (dims < 1 || dims > 4 || bytes.length < 4 + 4 * dims) throw new FormatException(source + ": bad IDX header (" + dims + " dimensions)");
        int[] shape = new int[dims];
        long count = 1;
        for (int i = 0; i < dims; i++) {
            shape[i] = b.getInt(4 + 4 * i);
            if (shape[i] < 0) throw new FormatException(source + ": negative IDX dimension");
            count = Math.min(count * shape[i], COUNT_CAP); // unchecked, four sizes of 2^16 would wrap to 0 and pass for an empty file
        }
        int start = 4 + 4 * dims;
        if (count != bytes.length - start) {
            throw new FormatException(source + ": IDX header says " + (count == COUNT_CAP ? "at least " : "") + count + " values but the file has "
                    + (bytes.length - start) + " (truncated?)");
        }
        byte[] data = new byte[(int) count];
        System.arraycopy(bytes, start, data, 0, data.length);
        return new Idx(shape, data);
    }

    /** Number of items (the first dimension). */
    public int count() {
        return shape[0];
    }

    /** Values per item. */
    public int itemSize() {
        int n = 1;
        for (int i = 1; i < shape.length; i++) n *= shape[i];
        return n;
    }
}
