package dev.lmuformer.io;

/**
 * A short, printable, one-line excerpt of bad input for an error message: a corrupted header may
 * hold binary or megabytes, and a message must stay one readable line. Printable ASCII and letters
 * are kept; anything else is escaped ({@code \xNN} for a byte or control character; a backslash,
 * {@code u} and the hexadecimal code point in braces for other code points); past {@link #LIMIT} characters the excerpt ends with {@code …}.
 */
public final class Excerpt {
    /** Characters of input an excerpt shows at most (escapes count as the characters they print). */
    public static final int LIMIT = 40;
    /** Characters of a parser's message that {@link #ofMessage} keeps at most. */
    public static final int MESSAGE_LIMIT = 160;

    private Excerpt() {
    }

    /** At most {@link #LIMIT} printable characters of {@code text}, quoted with single quotes. */
    public static String of(CharSequence text) {
        StringBuilder b = new StringBuilder("'");
        int shown = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = Character.codePointAt(text, i);
            String piece = piece(cp);
            if (shown + piece.length() > LIMIT) return b.append("…'").toString();
            b.append(piece);
            shown += piece.length();
            i += Character.charCount(cp);
        }
        return b.append('\'').toString();
    }

    /** At most {@link #LIMIT} printable characters of {@code bytes[off, off + len)} read as Latin-1, quoted. */
    public static String of(byte[] bytes, int off, int len) {
        int end = Math.min(bytes.length, off + Math.max(0, Math.min(len, 4 * LIMIT)));
        StringBuilder s = new StringBuilder();
        for (int i = Math.max(0, off); i < end; i++) s.append((char) (bytes[i] & 0xff));
        String quoted = of(s);
        return end < off + len && !quoted.endsWith("…'") ? quoted.substring(0, quoted.length() - 1) + "…'" : quoted;
    }

    /**
     * A parser's complaint about bad input (a JSON or YAML reader's message), fit for a message of
     * one's own: its first line, each part it quotes in single quotes as an excerpt, anything else
     * unprintable escaped, at most {@link #MESSAGE_LIMIT} characters. Such readers echo the input
     * they stopped at, raw and at any length.
     */
    public static String ofMessage(String message) {
        if (message == null) return "no detail";
        String[] parts = message.lines().findFirst().orElse("").split("'", -1);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            boolean quoted = i % 2 == 1;
            if (quoted && i < parts.length - 1) {
                b.append(of(parts[i]));
            } else {
                if (quoted) b.append('\''); // a quote without its pair
                parts[i].codePoints().forEach(cp -> b.append(piece(cp)));
            }
        }
        return b.length() <= MESSAGE_LIMIT ? b.toString() : b.substring(0, MESSAGE_LIMIT - 1) + "…";
    }

    /** A code point as an excerpt shows it: itself when printable, else an escape. */
    private static String piece(int cp) {
        return printable(cp) ? new String(Character.toChars(cp)) : cp < 0x100 ? String.format("\\x%02x", cp) : String.format("\\u{%x}", cp);
    }

    private static boolean printable(int cp) {
        if (cp >= 0x20 && cp < 0x7f) return true;
        return cp >= 0xa0 && Character.isLetterOrDigit(cp);
    }
}
