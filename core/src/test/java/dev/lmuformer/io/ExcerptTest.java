package dev.lmuformer.io;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExcerptTest {
    @Test
    void anExcerptIsQuotedEscapedAndShort() {
        assertEquals("'naïve <br/>'", Excerpt.of("naïve <br/>"));
        assertEquals("'a\\x00b\\x0a\\u{2028}'", Excerpt.of("a\0b\n\u2028"));
        String long40 = "x".repeat(Excerpt.LIMIT);
        assertEquals("'" + long40 + "'", Excerpt.of(long40));
        assertEquals("'" + long40 + "…'", Excerpt.of(long40 + "y"));
    }

    @Test
    void bytesAreReadAsLatin1AndMarkedWhenCut() {
        byte[] b = {(byte) 0x89, 'P', 'N', 'G', 0x0d, 0x0a};
        assertEquals("'\\x89PNG\\x0d\\x0a'", Excerpt.of(b, 0, b.length));
        assertEquals("'PNG'", Excerpt.of(b, 1, 3));
        byte[] big = new byte[1000];
        java.util.Arrays.fill(big, (byte) 'a');
        assertEquals("'" + "a".repeat(Excerpt.LIMIT) + "…'", Excerpt.of(big, 0, big.length));
    }

    @Test
    void aParsersMessageKeepsItsWordsAndShortensWhatItQuotes() {
        String token = "z".repeat(10_000);
        String m = Excerpt.ofMessage("Unrecognized token '" + token + "': was expecting (JSON String, Number, Array, Object or token 'null')\n at [Source");
        assertEquals("Unrecognized token '" + "z".repeat(Excerpt.LIMIT) + "…': was expecting (JSON String, Number, Array, Object or token 'null')", m);
        assertEquals("found character '\\x09' that cannot start any token", Excerpt.ofMessage("found character '\t' that cannot start any token"));
        assertEquals("an unpaired 'quote\\x00", Excerpt.ofMessage("an unpaired 'quote\0"));
        String unquoted = Excerpt.ofMessage("w".repeat(1000));
        assertEquals(Excerpt.MESSAGE_LIMIT, unquoted.length());
        assertTrue(unquoted.endsWith("…"));
        assertEquals("no detail", Excerpt.ofMessage(null));
    }
}
