package dev.lmuformer.spot;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading and writing keyword labels, and the message of every kind of bad line. */
class LabelFileTest {
    private static final List<String> WORDS = List.of("yes", "no", "up", "down");

    @TempDir
    Path dir;

    private Path file(String text) throws IOException {
        Path f = dir.resolve("labels.csv");
        Files.writeString(f, text, StandardCharsets.UTF_8);
        return f;
    }

    /** The message of reading {@code text}, checked to be one line that starts with the file and line. */
    private String error(String text, int line) throws IOException {
        Path f = file(text);
        String m = assertThrows(IllegalArgumentException.class, () -> LabelFile.read(f, WORDS, 10)).getMessage();
        assertTrue(m.startsWith(f + ":" + line + ": "), m);
        assertFalse(m.contains("\n"), m);
        return m;
    }

    @Test
    void readsHeaderCommentsBlankLinesAndSpacesAndSortsByStart() throws IOException {
        Path f = file("\uFEFF word , start , end \r\n# a comment\r\n\r\n  no , 4.5, 5.25\r\nyes,1,1.5\n   \nup,.5,0.75\n");
        assertEquals(List.of(new Truth("up", 0.5, 0.75), new Truth("yes", 1, 1.5), new Truth("no", 4.5, 5.25)), LabelFile.read(f, WORDS, 10));
    }

    @Test
    void theHeaderIsOptionalAndOnlyFirst() throws IOException {
        assertEquals(List.of(new Truth("yes", 1e-1, 2)), LabelFile.read(file("yes,1e-1,2"), WORDS, 10));
        assertTrue(error("yes,1,2\nword,start,end\n", 2).contains("unknown word 'word'"), "a header after the first line is a bad line");
    }

    @Test
    void anEndWithinTheToleranceOfTheAudioEndIsKept() throws IOException {
        assertEquals(List.of(new Truth("no", 9, 10.009)), LabelFile.read(file("no,9,10.009\n"), WORDS, 10));
    }

    @Test
    void wrongNumberOfFields() throws IOException {
        assertEquals("labels.csv:2: expected word,start,end, got 2 fields", relative(error("yes,1,2\nno,1\n", 2)));
        assertTrue(error("yes,1,2,3\n", 1).endsWith("expected word,start,end, got 4 fields"));
    }

    @Test
    void numbersThatDoNotParseOrAreNotFinite() throws IOException {
        assertTrue(error("yes,abc,2\n", 1).endsWith("start 'abc' is not a number"));
        assertTrue(error("yes,1,\n", 1).endsWith("end '' is not a number"));
        assertTrue(error("#\nyes,NaN,2\n", 2).endsWith("start 'NaN' is not a number"));
        assertTrue(error("yes,1,Infinity\n", 1).endsWith("end 'Infinity' is not a number"));
        assertTrue(error("yes,1,1e999\n", 1).endsWith("end 1e999 is too large"));
        assertTrue(error("yes,1,2d\n", 1).endsWith("end '2d' is not a number"));
        assertTrue(error("yes,1,2.5\nno,1;5,2\n", 2).endsWith("start '1;5' is not a number"));
    }

    @Test
    void negativeStart() throws IOException {
        assertTrue(error("yes,-0.5,2\n", 1).endsWith("start -0.5 is negative"));
    }

    @Test
    void endNotAfterStart() throws IOException {
        assertEquals("labels.csv:3: end 1.20 is not after start 1.50", relative(error("word,start,end\n\nyes,1.50,1.20\n", 3)));
        assertTrue(error("yes,1.5,1.5\n", 1).endsWith("end 1.5 is not after start 1.5"));
    }

    @Test
    void endPastTheAudio() throws IOException {
        assertEquals("labels.csv:1: end 12.5 s is past the end of the audio (10.0 s)", relative(error("yes,9,12.5\n", 1)));
        assertTrue(error("yes,9,10.02\n", 1).endsWith("end 10.02 s is past the end of the audio (10.0 s)"));
    }

    @Test
    void unknownWordListsTheKnownWords() throws IOException {
        assertEquals("labels.csv:1: unknown word 'yess' (known: down, no, up, yes)", relative(error("yess,1,2\n", 1)));
        assertTrue(error(" ,1,2\n", 1).endsWith("the word is empty"));
        List<String> many = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l");
        Path f = file("zz,1,2\n");
        String m = assertThrows(IllegalArgumentException.class, () -> LabelFile.read(f, many, 10)).getMessage();
        assertTrue(m.endsWith("unknown word 'zz' (known: a, b, c, d, e, f, g, h, i, j, … 12 in all)"), m);
    }

    @Test
    void aMissingFileIsNamed() {
        Path f = dir.resolve("none.csv");
        assertEquals(f + ": no such file", assertThrows(IllegalArgumentException.class, () -> LabelFile.read(f, WORDS, 10)).getMessage());
    }

    @Test
    void writeThenReadGivesTheSameTruths() {
        List<Truth> truths = List.of(new Truth("yes", 0.0001, 0.3333333333333333), new Truth("no", 2, 3.1), new Truth("up", 1234.5678, 1235));
        Path f = dir.resolve("out.csv");
        LabelFile.write(f, truths);
        List<Truth> back = LabelFile.read(f, WORDS, 2000);
        assertEquals(List.of(truths.get(0), truths.get(1), truths.get(2)), back);
        assertThrows(IllegalArgumentException.class, () -> LabelFile.write(f, List.of(new Truth("a,b", 0, 1))));
    }

    @Test
    void writeUsesPlainDecimals() throws IOException {
        Path f = dir.resolve("out.csv");
        LabelFile.write(f, List.of(new Truth("yes", 0.0001, 2)));
        assertEquals("word,start,end\nyes,0.0001,2.0\n", Files.readString(f));
    }

    /** The message with the temp directory taken off the file name. */
    private String relative(String message) {
        return message.substring(dir.toString().length() + 1);
    }
}
