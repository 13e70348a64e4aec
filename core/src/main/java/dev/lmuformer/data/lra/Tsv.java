package dev.lmuformer.data.lra;

import dev.lmuformer.io.Excerpt;
import dev.lmuformer.io.FormatException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Tab-separated files read as bytes, line by line: byte-level tasks take the raw UTF-8 bytes of a
 * text field, and nothing is decoded that is not needed. Errors name the file and the line.
 */
final class Tsv {
    /** Receives one line's fields. */
    interface Row {
        void accept(int line, byte[][] fields);
    }

    private Tsv() {
    }

    /**
     * Calls {@code row} for every line that is not blank, split at tabs into at most {@code limit}
     * fields (the last keeps any further tabs); a trailing carriage return is dropped.
     */
    static void read(Path file, int limit, Row row) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] chunk = new byte[1 << 20];
            byte[] buf = new byte[1 << 12];
            int len = 0, line = 0;
            for (int n; (n = in.read(chunk)) >= 0; ) {
                for (int i = 0; i < n; i++) {
                    if (chunk[i] == '\n') {
                        emit(buf, len, ++line, limit, row);
                        len = 0;
                    } else {
                        if (len == buf.length) buf = Arrays.copyOf(buf, 2 * len);
                        buf[len++] = chunk[i];
                    }
                }
            }
            emit(buf, len, ++line, limit, row);
        } catch (IOException e) {
            throw new FormatException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    private static void emit(byte[] buf, int len, int line, int limit, Row row) {
        if (len > 0 && buf[len - 1] == '\r') len--;
        if (!blank(buf, len)) row.accept(line, split(buf, len, limit));
    }

    private static boolean blank(byte[] b, int len) {
        for (int i = 0; i < len; i++) if (b[i] != ' ' && b[i] != '\t') return false;
        return true;
    }

    private static byte[][] split(byte[] b, int len, int limit) {
        List<byte[]> fields = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < len && fields.size() < limit - 1; i++) {
            if (b[i] == '\t') {
                fields.add(Arrays.copyOfRange(b, start, i));
                start = i + 1;
            }
        }
        fields.add(Arrays.copyOfRange(b, start, len));
        return fields.toArray(new byte[0][]);
    }

    /** A field as text (UTF-8), trimmed. */
    static String text(byte[] field) {
        return new String(field, StandardCharsets.UTF_8).trim();
    }

    /** An error at a line of a file. */
    static FormatException error(Path file, int line, String message) {
        return new FormatException(file + ":" + line + ": " + message);
    }

    /** A class label: an integer in [0, classes), also written as a whole number such as {@code 1.0}. */
    static int label(Path file, int line, byte[] field, int classes) {
        String s = text(field);
        double v;
        try {
            v = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw error(file, line, "label " + Excerpt.of(s) + " is not a number");
        }
        if (v != Math.rint(v) || v < 0 || v >= classes) throw error(file, line, "label " + Excerpt.of(s) + " is not a class in 0…" + (classes - 1));
        return (int) v;
    }

    /** The values as an array. */
    static int[] ints(List<Integer> values) {
        return values.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The first {@code max} bytes of a field, counting into {@code cut[0]} when it is longer. */
    static byte[] cut(byte[] field, int max, int[] cut) {
        if (field.length <= max) return field;
        cut[0]++;
        return Arrays.copyOf(field, max);
    }
}
