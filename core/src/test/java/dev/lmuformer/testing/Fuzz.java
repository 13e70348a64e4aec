package dev.lmuformer.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded fuzzing of an input parser: mutants of valid inputs (truncations at every length class,
 * flipped and random bytes, sizes set to huge and negative values, cut, repeated and inserted
 * ranges; for text formats also lines dropped and repeated, quotes, brackets and separators,
 * extreme numbers and broken encodings), each of which must either parse or raise the parser's own
 * exception with a one-line, printable message of bounded length. Any other exception (an
 * {@link OutOfMemoryError} from an allocation sized from an unchecked field included), or running
 * past the time limit, fails the test.
 */
public final class Fuzz {
    /** Characters an error message may have at most: a path, the problem and a short excerpt. */
    public static final int MESSAGE_LIMIT = 400;

    private Fuzz() {
    }

    /** Parses one mutant; returning normally means it parsed to something valid (check it there). */
    @FunctionalInterface
    public interface Parser {
        /** Parses {@code input}, throwing the parser's own exception when it is not valid. */
        void parse(byte[] input, int index) throws Exception;
    }

    /** Outcome counts of {@link #run}. */
    public record Outcome(int parsed, int refused, double seconds) {
    }

    /**
     * Runs {@code cases} mutants from {@code mutants} through {@code parser}: each either returns or
     * throws {@code own} with a message that {@link #checkMessage passes}; both outcomes must occur.
     * Prints one line with the counts.
     */
    public static Outcome run(String name, int cases, long seed, Duration limit, Mutator mutants, Parser parser,
                              Class<? extends Exception> own) {
        int[] counts = new int[2];
        long t0 = System.nanoTime();
        assertTimeoutPreemptively(limit, () -> {
            SplittableRandom rnd = new SplittableRandom(seed);
            for (int i = 0; i < cases; i++) {
                byte[] m = mutants.next(rnd);
                try {
                    parser.parse(m, i);
                    counts[0]++;
                } catch (Throwable t) {
                    if (!own.isInstance(t)) {
                        throw new AssertionError(name + " mutant " + i + " raised " + t + " on " + preview(m), t);
                    }
                    checkMessage(name + " mutant " + i, t.getMessage());
                    counts[1]++;
                }
            }
        }, name + ": " + cases + " mutants within " + limit);
        Outcome o = new Outcome(counts[0], counts[1], (System.nanoTime() - t0) / 1e9);
        System.out.printf("%s fuzz: %d mutants in %.1f s, %d parsed, %d refused%n", name, cases, o.seconds(), o.parsed(), o.refused());
        assertTrue(o.refused() > 0, name + ": no mutant was refused: the mutations do not reach the parser");
        return o;
    }

    /** A message is one line of printable characters, at most {@link #MESSAGE_LIMIT} long. */
    public static void checkMessage(String what, String message) {
        assertTrue(message != null && !message.isBlank(), what + ": an empty message");
        assertTrue(message.length() <= MESSAGE_LIMIT, () -> what + ": a message of " + message.length() + " characters: "
                + message.substring(0, Math.min(message.length(), 200)));
        message.codePoints().forEach(cp -> assertTrue(cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp < 0xa0) && Character.isDefined(cp)
                && Character.getType(cp) != Character.SURROGATE && cp != 0x2028 && cp != 0x2029,
                () -> what + ": the message holds character U+" + Integer.toHexString(cp) + ": " + message.replaceAll("\\p{Cntrl}", "?")));
    }

    private static String preview(byte[] m) {
        return Arrays.toString(Arrays.copyOf(m, Math.min(m.length, 48))) + (m.length > 48 ? "… (" + m.length + " bytes)" : "");
    }

    /** Makes the next mutant. */
    @FunctionalInterface
    public interface Mutator {
        /** A new mutant from {@code rnd}. */
        byte[] next(SplittableRandom rnd);

        /** Mutants of one of {@code valid}, chosen at random, by {@link #binary}. */
        static Mutator binaryOf(byte[]... valid) {
            return rnd -> binary(valid[rnd.nextInt(valid.length)], rnd, 0, Integer.MAX_VALUE);
        }

        /** Mutants of one of {@code valid}, chosen at random, by {@link #text}. */
        static Mutator textOf(String... valid) {
            return rnd -> text(valid[rnd.nextInt(valid.length)], rnd);
        }
    }

    /**
     * One to three corruptions of {@code valid}, half of them inside {@code [from, to)} (a header, a
     * pickle: the part worth aiming at; {@code to} is clipped to the input).
     */
    public static byte[] binary(byte[] valid, SplittableRandom rnd, int from, int to) {
        byte[] b = valid.clone();
        for (int round = 1 + rnd.nextInt(3); round > 0; round--) {
            int lo = 0, hi = b.length;
            if (rnd.nextBoolean() && from < Math.min(to, b.length)) {
                lo = from;
                hi = Math.min(to, b.length);
            }
            b = corrupt(b, rnd, lo, hi);
        }
        return b;
    }

    private static byte[] corrupt(byte[] b, SplittableRandom rnd, int lo, int hi) {
        int span = Math.max(1, hi - lo);
        switch (rnd.nextInt(8)) {
            case 0 -> { // truncate: empty, a few bytes, inside the aimed range, anywhere
                int[] classes = {0, 1 + rnd.nextInt(8), lo + rnd.nextInt(span), rnd.nextInt(b.length + 1), Math.max(0, b.length - 1)};
                return Arrays.copyOf(b, Math.min(b.length, classes[rnd.nextInt(classes.length)]));
            }
            case 1 -> { // flip 1..8 bytes
                if (b.length == 0) return b;
                for (int k = 1 + rnd.nextInt(8); k > 0; k--) b[Math.min(b.length - 1, lo + rnd.nextInt(span))] ^= (byte) (1 + rnd.nextInt(255));
                return b;
            }
            case 2 -> { // a 4- or 8-byte field (either byte order) set to an extreme: sizes, offsets, counts
                long[] values = {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0xFFFFFFFFL, 1L << 62, Long.MAX_VALUE, Long.MIN_VALUE, rnd.nextLong()};
                long v = values[rnd.nextInt(values.length)];
                int width = rnd.nextBoolean() ? 4 : 8;
                if (b.length < width) return b;
                int at = Math.min(b.length - width, lo + rnd.nextInt(span));
                boolean little = rnd.nextBoolean();
                for (int k = 0; k < width; k++) b[at + k] = (byte) (v >>> (8 * (little ? k : width - 1 - k)));
                return b;
            }
            case 3 -> { // insert random bytes
                byte[] extra = new byte[1 + rnd.nextInt(16)];
                rnd.nextBytes(extra);
                return splice(b, Math.min(b.length, lo + rnd.nextInt(span + 1)), 0, extra);
            }
            case 4 -> { // delete a range
                if (b.length == 0) return b;
                int at = Math.min(b.length - 1, lo + rnd.nextInt(span));
                return splice(b, at, Math.min(b.length - at, 1 + rnd.nextInt(32)), new byte[0]);
            }
            case 5 -> { // repeat a range
                if (b.length == 0) return b;
                int at = Math.min(b.length - 1, lo + rnd.nextInt(span));
                int len = Math.min(b.length - at, 1 + rnd.nextInt(64));
                return splice(b, at, 0, Arrays.copyOfRange(b, at, at + len));
            }
            case 6 -> { // a range overwritten with random bytes
                if (b.length == 0) return b;
                int at = Math.min(b.length - 1, lo + rnd.nextInt(span));
                for (int k = Math.min(b.length - at, 1 + rnd.nextInt(32)) - 1; k >= 0; k--) b[at + k] = (byte) rnd.nextInt(256);
                return b;
            }
            default -> { // random garbage, sometimes after the valid start
                byte[] g = new byte[rnd.nextInt(256)];
                rnd.nextBytes(g);
                int keep = Math.min(Math.min(b.length, g.length), lo + rnd.nextInt(span));
                if (rnd.nextBoolean()) System.arraycopy(b, 0, g, 0, keep);
                return g;
            }
        }
    }

    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }

    /** Pieces that break text formats: quotes, brackets, separators, extreme numbers, control characters. */
    private static final String[] TEXT_PIECES = {"\"", "'", "[", "]", "{", "}", "(", ")", ",", ":", ";", "\t", "\n", "\r\n", "\r", "\\", "#", "-",
        "/", "..", "\0", "\u00ff", "\u2028", "\ufeff", "-1", "0", "1e400", "-1e400", "NaN", "Infinity", "99999999999999999999",
        "9223372036854775808", "-2147483649", "0x10", "1.5", "", " ", "null", "true", "~", "&a", "*a", "!!binary", "---", "- ", "? "};

    /**
     * One to three corruptions of {@code valid} as text: characters and lines deleted, repeated and
     * swapped, pieces of {@link #TEXT_PIECES} inserted, deep nesting, truncation at any character;
     * one mutant in eight is also broken as UTF-8 (a random or invalid byte inserted).
     */
    public static byte[] text(String valid, SplittableRandom rnd) {
        String s = valid;
        for (int round = 1 + rnd.nextInt(3); round > 0; round--) {
            int at = rnd.nextInt(s.length() + 1);
            switch (rnd.nextInt(7)) {
                case 0 -> s = s.substring(0, at); // truncate
                case 1 -> s = s.substring(0, at) + TEXT_PIECES[rnd.nextInt(TEXT_PIECES.length)] + s.substring(at); // insert a piece
                case 2 -> { // delete a range
                    int end = Math.min(s.length(), at + 1 + rnd.nextInt(16));
                    s = s.substring(0, Math.min(at, end)) + s.substring(end);
                }
                case 3 -> { // drop or repeat a line
                    String[] lines = s.split("\n", -1);
                    int k = rnd.nextInt(lines.length);
                    StringBuilder out = new StringBuilder();
                    for (int j = 0; j < lines.length; j++) {
                        if (j == k && rnd.nextBoolean()) continue;
                        out.append(lines[j]).append(j < lines.length - 1 ? "\n" : "");
                        if (j == k) out.append(lines[j]).append('\n');
                    }
                    s = out.toString();
                }
                case 4 -> { // deep nesting or a very long token
                    String piece = rnd.nextBoolean() ? "[".repeat(2000) : "x".repeat(100_000);
                    s = s.substring(0, at) + piece + s.substring(at);
                }
                case 5 -> { // a character replaced by a digit, letter or separator
                    if (at < s.length()) s = s.substring(0, at) + "09az-:, \t".charAt(rnd.nextInt(9)) + s.substring(at + 1);
                }
                default -> { // swap two characters
                    if (s.length() > 1) {
                        int other = rnd.nextInt(s.length());
                        int a = Math.min(at, s.length() - 1);
                        char[] c = s.toCharArray();
                        char t = c[a];
                        c[a] = c[other];
                        c[other] = t;
                        s = new String(c);
                    }
                }
            }
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (rnd.nextInt(8) == 0) {
            byte[] bad = {(byte) 0xff, (byte) 0xc3, (byte) 0x80, (byte) 0xed, (byte) (rnd.nextInt(256))};
            bytes = splice(bytes, rnd.nextInt(bytes.length + 1), 0, new byte[] {bad[rnd.nextInt(bad.length)]});
        }
        return bytes;
    }
}
