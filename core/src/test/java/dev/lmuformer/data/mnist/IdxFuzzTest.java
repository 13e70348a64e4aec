package dev.lmuformer.data.mnist;

import dev.lmuformer.io.FormatException;
import dev.lmuformer.testing.Fuzz;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mutants of small valid IDX files of one to four dimensions (labels, images), raw and
 * gzip-compressed, 10,000 of each. Raw: byte corruptions with half of them aimed at the magic
 * (type code, rank) and the big-endian sizes ({@link Fuzz#binary}), and one in four with one size
 * or all of them set to an extreme (negative, huge, products that overflow 64 bits). Compressed: half corrupt the
 * gzip bytes (header, deflate stream, CRC and length trailer), half compress a corrupted raw file
 * so that it reaches the IDX parser through the decompression. Each mutant either reads to an array
 * whose shape holds exactly its values, or raises {@link FormatException}.
 */
class IdxFuzzTest {
    private static final int CASES = 10_000;
    private static final int[] SIZES = {0, 1, 2, 3, 65536, 1 << 30, Integer.MAX_VALUE, -1, Integer.MIN_VALUE};
    private static final List<byte[]> VALID = List.of(idx(5), idx(2, 3, 3), idx(2, 4), idx(1, 2, 2, 2), idx(0, 28, 28));

    @TempDir
    Path dir;

    @Test
    void corruptedFilesRaiseOnlyFormatException() {
        Path f = dir.resolve("mutant-idx3-ubyte");
        Fuzz.run("idx", CASES, 20240614L, Duration.ofSeconds(30), IdxFuzzTest::rawMutant, (bytes, i) -> read(f, bytes), FormatException.class);
    }

    @Test
    void corruptedGzipFilesRaiseOnlyFormatException() {
        List<byte[]> compressed = VALID.stream().map(IdxFuzzTest::gzip).toList();
        Path f = dir.resolve("mutant-idx3-ubyte.gz");
        Fuzz.run("idx.gz", CASES, 20240615L, Duration.ofSeconds(30),
                rnd -> rnd.nextBoolean() ? Fuzz.binary(compressed.get(rnd.nextInt(compressed.size())), rnd, 0, 10) : gzip(rawMutant(rnd)),
                (bytes, i) -> read(f, bytes), FormatException.class);
    }

    /** Writes {@code bytes} to {@code f} and reads it, checking that the shape fits the values. */
    private static void read(Path f, byte[] bytes) throws IOException {
        Files.write(f, bytes);
        Idx idx = Idx.read(f);
        long values = 1;
        for (int d : idx.shape()) {
            assertTrue(d >= 0, Arrays.toString(idx.shape()));
            values = Math.multiplyExact(values, d);
        }
        assertEquals(idx.data().length, values, Arrays.toString(idx.shape()));
    }

    private static byte[] rawMutant(SplittableRandom rnd) {
        byte[] valid = VALID.get(rnd.nextInt(VALID.size()));
        if (rnd.nextInt(4) > 0) return Fuzz.binary(valid, rnd, 0, 4 + 4 * valid[3]);
        // One size, or all of them (products that overflow), set to an extreme.
        int size = SIZES[rnd.nextInt(SIZES.length)];
        ByteBuffer b = ByteBuffer.wrap(valid.clone());
        if (rnd.nextBoolean()) b.putInt(4 + 4 * rnd.nextInt(valid[3]), size);
        else for (int i = 0; i < valid[3]; i++) b.putInt(4 + 4 * i, size);
        return b.array();
    }

    /** An IDX file of unsigned bytes of {@code shape}. */
    private static byte[] idx(int... shape) {
        int values = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * shape.length + values).put(new byte[] {0, 0, 0x08, (byte) shape.length});
        for (int d : shape) b.putInt(d);
        for (int i = 0; i < values; i++) b.put((byte) (i * 41 + 7));
        return b.array();
    }

    private static byte[] gzip(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
