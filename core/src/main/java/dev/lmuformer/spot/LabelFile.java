package dev.lmuformer.spot;

import dev.lmuformer.io.Excerpt;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Keyword labels of a recording as CSV, one keyword a line: {@code word,start,end} with start and
 * end in seconds (decimal numbers, a dot for the decimal point). An optional first line
 * {@code word,start,end} is the header; blank lines and lines that start with {@code #} are
 * skipped; spaces around fields are dropped.
 */
public final class LabelFile {
    /** The header line, also the field order. */
    public static final String HEADER = "word,start,end";
    /** How far past the end of the audio a keyword may end (rounding in the tools that wrote the labels). */
    public static final double END_TOLERANCE = 0.01;
    private static final int KNOWN_WORDS_SHOWN = 10;
    // Plain decimals only: Double.parseDouble would also take "1d", "0x1p3", "NaN" and "Infinity".
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private LabelFile() {
    }

    /**
     * Reads the keywords of {@code file}, sorted by start (then end; lines that tie keep their order).
     *
     * @param words        the known keywords; any other word is an error
     * @param audioSeconds length of the recording; a keyword may end at most {@link #END_TOLERANCE}
     *                     after it ({@code Double.POSITIVE_INFINITY} when the length is not known)
     * @throws IllegalArgumentException with a one-line message naming the file and line, for a
     *                                  file that cannot be read or a line that is not a valid keyword
     */
    public static List<Truth> read(Path file, Collection<String> words, double audioSeconds) {
        if (words.isEmpty()) throw new IllegalArgumentException("no known words to read " + file + " against");
        if (!(audioSeconds > 0)) throw new IllegalArgumentException("audio length must be positive, got " + audioSeconds);
        List<Truth> truths = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            boolean first = true;
            int number = 0;
            for (String line; (line = in.readLine()) != null; ) {
                number++;
                String text = (number == 1 && line.startsWith("\uFEFF") ? line.substring(1) : line).trim(); // a spreadsheet's byte order mark
                if (text.isEmpty() || text.startsWith("#")) continue;
                boolean header = first && isHeader(text);
                first = false;
                if (!header) truths.add(parse(text, file + ":" + number + ": ", words, audioSeconds));
            }
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file");
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read (" + e + ")");
        }
        truths.sort(Comparator.comparingDouble(Truth::start).thenComparingDouble(Truth::end));
        return truths;
    }

    /**
     * Writes {@code truths} in their order, header first, numbers as plain decimals that read back
     * exactly (the same in every locale).
     *
     * @throws IllegalArgumentException for a word that the format cannot hold (a comma, a line
     *                                  break, spaces at either end, a leading {@code #}), or when
     *                                  the file cannot be written
     */
    public static void write(Path file, List<Truth> truths) {
        for (Truth t : truths) {
            String w = t.word();
            if (w.contains(",") || w.contains("\n") || w.contains("\r") || !w.equals(w.trim()) || w.startsWith("#")) {
                throw new IllegalArgumentException("word '" + w + "' cannot be written to a label file");
            }
        }
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write(HEADER + "\n");
            for (Truth t : truths) out.write(t.word() + "," + Numbers.plain(t.start()) + "," + Numbers.plain(t.end()) + "\n");
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot write (" + e + ")");
        }
    }

    private static boolean isHeader(String line) {
        String[] f = line.split(",", -1);
        return f.length == 3 && f[0].trim().equals("word") && f[1].trim().equals("start") && f[2].trim().equals("end");
    }

    private static Truth parse(String line, String where, Collection<String> words, double audioSeconds) {
        String[] f = line.split(",", -1);
        if (f.length != 3) throw new IllegalArgumentException(where + "expected " + HEADER + ", got " + f.length + " field" + (f.length == 1 ? "" : "s"));
        String word = f[0].trim(), startText = f[1].trim(), endText = f[2].trim();
        if (word.isEmpty()) throw new IllegalArgumentException(where + "the word is empty");
        if (!words.contains(word)) throw new IllegalArgumentException(where + "unknown word " + Excerpt.of(word) + " (known: " + shown(words) + ")");
        double start = number(startText, "start", where), end = number(endText, "end", where);
        if (start < 0) throw new IllegalArgumentException(where + "start " + asWritten(startText) + " is negative");
        if (!(end > start)) throw new IllegalArgumentException(where + "end " + asWritten(endText) + " is not after start " + asWritten(startText));
        if (end > audioSeconds + END_TOLERANCE) {
            throw new IllegalArgumentException(where + "end " + asWritten(endText) + " s is past the end of the audio (" + seconds(audioSeconds) + " s)");
        }
        return new Truth(word, start, end);
    }

    private static double number(String text, String field, String where) {
        if (!DECIMAL.matcher(text).matches()) throw new IllegalArgumentException(where + field + " " + Excerpt.of(text) + " is not a number");
        double x = Double.parseDouble(text);
        if (!Double.isFinite(x)) throw new IllegalArgumentException(where + field + " " + asWritten(text) + " is too large");
        return x;
    }

    /** A decimal as the file wrote it, for a message: as it is, or a quoted excerpt when it is longer than an excerpt. */
    private static String asWritten(String decimal) {
        return decimal.length() <= Excerpt.LIMIT ? decimal : Excerpt.of(decimal);
    }

    /** The known words, sorted, at most {@link #KNOWN_WORDS_SHOWN} of them and then an ellipsis. */
    private static String shown(Collection<String> words) {
        List<String> sorted = new ArrayList<>(new TreeSet<>(words));
        if (sorted.size() <= KNOWN_WORDS_SHOWN) return String.join(", ", sorted);
        return String.join(", ", sorted.subList(0, KNOWN_WORDS_SHOWN)) + ", … " + sorted.size() + " in all";
    }

    /** Seconds to the millisecond, with at least one decimal: 10.0, 12.345. */
    private static String seconds(double s) {
        return Numbers.plain(Math.round(s * 1000) / 1000.0);
    }
}
