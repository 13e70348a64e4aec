package dev.lmuformer.io;

import dev.lmuformer.engine.Tensor;
import dev.lmuformer.testing.Fuzz;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 12,000 mutants of small valid {@code .npy} files (float32 of rank 1 to 3, and a file whose header
 * names other dtypes): half of the corruptions aimed at the magic, version, header length and the
 * header's dict, the rest anywhere. Each either parses to a tensor whose size is its shape's
 * product, or raises {@link FormatException} with a one-line printable message.
 */
class NpyFuzzTest {
    private static final int CASES = 12_000;

    @TempDir
    Path dir;

    @Test
    void corruptedNpyFilesRaiseOnlyTheReadersError() throws IOException {
        byte[][] valid = {npy(new Tensor(new float[] {1, -2, 3.5f}, 3)), npy(new Tensor(new float[12], 2, 3, 2)),
            npy(new Tensor(new float[] {0.25f, 8}, 1, 2)), withDescr(npy(new Tensor(new float[4], 4)), "<i4"),
            withDescr(npy(new Tensor(new float[4], 2, 2)), "|u1")};
        Fuzz.Mutator mutants = rnd -> {
            byte[] v = valid[rnd.nextInt(valid.length)];
            return Fuzz.binary(v, rnd, 0, headerEnd(v));
        };
        Fuzz.Outcome o = Fuzz.run("npy", CASES, 20261207L, Duration.ofSeconds(60), mutants, (m, i) -> {
            Tensor t = Npy.parse("mutant" + i, m);
            assertEquals(Arrays.stream(t.shape()).asLongStream().reduce(1, (a, b) -> a * b), t.data.length, "mutant " + i);
        }, FormatException.class);
        assertTrue(o.refused() > CASES / 2, "most mutants should be refused: " + o);
    }

    @Test
    void aMalformedHeaderIsQuotedShortAndPrintable() throws IOException {
        byte[] v = npy(new Tensor(new float[] {1, 2}, 2));
        String header = new String(v, 10, headerEnd(v) - 10, StandardCharsets.ISO_8859_1);
        byte[] broken = v.clone();
        int descr = header.indexOf("'descr'");
        broken[10 + descr + 1] = 0; // "'descr'" becomes unreadable, and a NUL and a newline enter the header
        broken[10 + descr + 2] = '\n';
        FormatException e = assertThrows(FormatException.class, () -> Npy.parse("broken.npy", broken));
        Fuzz.checkMessage("broken.npy", e.getMessage());
        assertTrue(e.getMessage().startsWith("broken.npy: malformed .npy header: '{"), e.getMessage());
        assertTrue(e.getMessage().contains("\\x00\\x0a"), e.getMessage());
        assertTrue(e.getMessage().length() <= "broken.npy: malformed .npy header: ''…".length() + Excerpt.LIMIT, e.getMessage());
    }

    private byte[] npy(Tensor t) throws IOException {
        Path f = dir.resolve("valid.npy");
        Npy.write(f, t);
        return Files.readAllBytes(f);
    }

    /** The same file with its header's dtype replaced (same length, so the header stays aligned). */
    private static byte[] withDescr(byte[] npy, String descr) {
        String s = new String(npy, StandardCharsets.ISO_8859_1).replaceFirst("<f4", descr);
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Where a version-1 file's header ends: after the magic, version, length and the dict. */
    private static int headerEnd(byte[] npy) {
        return 10 + ((npy[8] & 0xff) | (npy[9] & 0xff) << 8);
    }
}
