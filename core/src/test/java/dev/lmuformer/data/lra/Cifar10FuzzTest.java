package dev.lmuformer.data.lra;

import dev.lmuformer.io.FormatException;
import dev.lmuformer.testing.Fuzz;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 10,000 mutants of small valid CIFAR-10 batches (one, two and three records of 1 label byte and
 * 3,072 pixel bytes): one in three sets a record's label byte to any value (most out of 0–9), the
 * rest are byte corruptions ({@link Fuzz#binary}, half aimed at the first label and pixels) that
 * truncate, empty, cut, repeat and extend the file. Each mutant either reads, one grey image of
 * 1,024 pixels per whole record and a label in 0–9 each, or raises {@link FormatException}.
 */
class Cifar10FuzzTest {
    private static final int CASES = 10_000;
    private static final int RECORD = 1 + 3 * Cifar10.PIXELS;

    @TempDir
    Path dir;

    @Test
    void corruptedBatchesRaiseOnlyFormatException() {
        List<byte[]> valid = List.of(batch(1), batch(2), batch(3));
        Path f = dir.resolve("data_batch_1.bin");
        Fuzz.run("cifar10", CASES, 20240616L, Duration.ofSeconds(30), rnd -> mutant(valid.get(rnd.nextInt(valid.size())), rnd), (bytes, i) -> {
            Files.write(f, bytes);
            TokenSet s = Cifar10.read(List.of(f));
            assertEquals(bytes.length / RECORD, s.size());
            for (byte[] image : s.first()) assertEquals(Cifar10.PIXELS, image.length);
            for (int label : s.labels()) assertTrue(label >= 0 && label < Cifar10.CLASSES, "label " + label);
        }, FormatException.class);
    }

    private static byte[] mutant(byte[] valid, SplittableRandom rnd) {
        if (rnd.nextInt(3) > 0) return Fuzz.binary(valid, rnd, 0, 16);
        byte[] m = valid.clone();
        m[RECORD * rnd.nextInt(m.length / RECORD)] = (byte) rnd.nextInt(256);
        return m;
    }

    /** {@code records} records with labels 0, 9, 4 … and pixels of every value. */
    private static byte[] batch(int records) {
        byte[] b = new byte[records * RECORD];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (i * 13 + 5);
        for (int r = 0; r < records; r++) b[r * RECORD] = (byte) (r * 9 % Cifar10.CLASSES);
        return b;
    }
}
