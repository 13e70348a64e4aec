package dev.lmuformer.spot;

import dev.lmuformer.testing.Fuzz;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded mutants of small {@code word,start,end} label files (a header, comments, a byte order
 * mark, CRLF, spaces around fields): commas, fields and lines dropped, repeated and swapped,
 * extreme and malformed numbers, very long words, and one mutant in four corrupted as bytes
 * (invalid UTF-8, control characters). Each either reads to truths with known words and
 * {@code 0 <= start < end <= audio + tolerance}, sorted by start, or raises
 * {@link IllegalArgumentException} naming the file.
 */
class LabelFileFuzzTest {
    private static final int CASES = 10_000;
    private static final List<String> WORDS = List.of("yes", "no", "up", "down");
    private static final double AUDIO_SECONDS = 10;
    private static final String[] VALID = {
        "word,start,end\nyes,1,1.5\nno,4.5,5.25\n",
        "\uFEFF word , start , end \r\n# a comment\r\n\r\n  no , 4.5, 5.25\r\nyes,1,1.5\n   \nup,.5,0.75\n",
        "down,0,10.005\nyes,1e-1,2E0\n#,x\nup,+3.25,9.99",
    };

    @TempDir
    Path dir;

    @Test
    void mutatedLabelFilesReadValidTruthsOrFailNamingTheLine() {
        Path file = dir.resolve("labels.csv");
        Fuzz.Mutator text = Fuzz.Mutator.textOf(VALID);
        Fuzz.Mutator mutants = rnd -> rnd.nextInt(4) > 0 ? text.next(rnd)
                : Fuzz.binary(VALID[rnd.nextInt(VALID.length)].getBytes(StandardCharsets.UTF_8), rnd, 0, 24);
        Fuzz.run("label csv", CASES, 20260106L, Duration.ofSeconds(60), mutants, (input, i) -> {
            Files.write(file, input);
            List<Truth> truths;
            try {
                truths = LabelFile.read(file, WORDS, AUDIO_SECONDS);
            } catch (IllegalArgumentException e) {
                assertEquals(IllegalArgumentException.class, e.getClass(), () -> "raised " + e);
                assertTrue(e.getMessage().startsWith(file + ":"), e.getMessage());
                throw e;
            }
            double lastStart = 0;
            for (Truth t : truths) {
                assertTrue(WORDS.contains(t.word()), t.word());
                assertTrue(t.start() >= lastStart && t.start() < t.end() && t.end() <= AUDIO_SECONDS + LabelFile.END_TOLERANCE, t.toString());
                lastStart = t.start();
            }
        }, IllegalArgumentException.class);
    }
}
