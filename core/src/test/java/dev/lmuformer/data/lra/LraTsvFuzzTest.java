package dev.lmuformer.data.lra;

import dev.lmuformer.io.FormatException;
import dev.lmuformer.testing.Fuzz;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded text mutants of small Long Range Arena TSV files (ListOps, IMDb text, AAN retrieval
 * pairs): fields, tabs and lines dropped, repeated and swapped, brackets and extreme numbers
 * inserted, unbalanced nesting, very long tokens, and one mutant in four a byte-level corruption
 * (broken UTF-8, control bytes). Each either reads to a consistent {@link TokenSet} or raises the
 * readers' {@link FormatException}.
 */
class LraTsvFuzzTest {
    private static final int CASES = 10_000;
    private static final int MAX_LENGTH = 64;

    @TempDir
    Path dir;

    @Test
    void listOps() {
        fuzz("listops", 20260101L, f -> ListOps.read(f, MAX_LENGTH), s -> {
            for (byte[] symbols : s.first()) {
                for (byte b : symbols) assertTrue(b >= 0 && b <= 14, "symbol " + b);
                if (s.truncated() == 0) ListOps.evaluate(symbols); // a whole expression: well nested
            }
            assertNull(s.second());
        }, "Source\tTarget\n( ( ( [MAX 2 ) 9 ) ] )\t9\n( ( ( ( [MED 1 ) ( ( ( [SM 4 ) 8 ) ] ) ) 7 ) ] )\t2\n",
                "[MIN [MAX 0 3 ] 0 [SM 1 ] ]\t0\r\n[SM 9 9 5 ]\t3.0\r\n\r\n",
                "Source\tTarget\n[MED 7 1 4 9 ]\t5\n");
    }

    @Test
    void labelledText() {
        fuzz("lra text", 20260102L, f -> ByteText.readLabelled(f, MAX_LENGTH), s -> assertNull(s.second()),
                "label\ttext\n1\tGreat film\twith a tab\n0\tnaïve <br />plot\n", "0\tbad\r\n1.0\tgood\r\n\n");
    }

    @Test
    void retrievalPairs() {
        fuzz("lra retrieval", 20260103L, f -> ByteText.readPairs(f, MAX_LENGTH), s -> {
            assertEquals(s.size(), s.second().length);
            for (byte[] doc : s.second()) assertTrue(doc.length <= MAX_LENGTH);
        }, "1\tP01-1\tW02-2\tfirst abstract\tsecond one\n0.0\tA\tB\tx\ty\r\n", "0\tE03-1012\tC04-1\tcités\t[a] (b) \"c\"\n");
    }

    /**
     * Fuzzes {@code reader} on mutants of {@code valid}; a set that reads has labels in range, one
     * per sequence, sequences within {@link #MAX_LENGTH}, and passes {@code check}.
     */
    private void fuzz(String name, long seed, Function<Path, TokenSet> reader, Consumer<TokenSet> check, String... valid) {
        Path file = dir.resolve("mutant.tsv");
        Fuzz.Mutator text = Fuzz.Mutator.textOf(valid);
        Fuzz.Mutator mutants = rnd -> rnd.nextInt(4) > 0 ? text.next(rnd)
                : Fuzz.binary(valid[rnd.nextInt(valid.length)].getBytes(StandardCharsets.UTF_8), rnd, 0, 16);
        Fuzz.run(name, CASES, seed, Duration.ofSeconds(60), mutants, (input, i) -> {
            Files.write(file, input);
            TokenSet s = reader.apply(file);
            assertEquals(s.size(), s.labels().length);
            for (int label : s.labels()) assertTrue(label >= 0 && label < s.classes(), "label " + label);
            for (byte[] sequence : s.first()) assertTrue(sequence.length <= MAX_LENGTH);
            check.accept(s);
        }, FormatException.class);
    }
}
