package dev.lmuformer.data.lra;

import dev.lmuformer.io.Excerpt;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * ListOps (Long Range Arena): nested list operations in prefix form, e.g.
 * {@code [MAX 2 9 [MIN 4 7 ] 0 ]} = 9, read from the LRA's TSV files ({@code Source<TAB>Target}
 * header, one expression and its value 0–9 per line). Sources carry parentheses around every
 * binary step of the expression tree; like LRA's own tokeniser, this one drops them, so a
 * sequence is the operators, digits and closing brackets only.
 *
 * <p>Symbols: digits 0–9 → 0–9, {@code [MIN} 10, {@code [MAX} 11, {@code [MED} 12, {@code [SM}
 * 13, {@code ]} 14; tokens are symbol + 1, so the vocabulary is 16 with padding.
 */
public final class ListOps {
    /** Tokens with padding. */
    public static final int VOCABULARY = 16;
    /** Values 0–9. */
    public static final int CLASSES = 10;
    /** The operators in symbol order (symbols 10–13). */
    static final List<String> OPERATORS = List.of("[MIN", "[MAX", "[MED", "[SM");
    static final String CLOSE = "]";
    private static final int FIRST_OPERATOR = 10;
    private static final int CLOSE_SYMBOL = 14;

    private ListOps() {
    }

    /**
     * Reads a ListOps TSV file (the {@code Source<TAB>Target} header is optional); expressions
     * longer than {@code maxLength} symbols are cut, as LRA does, after checking that each is one
     * well-nested expression.
     *
     * @throws dev.lmuformer.io.FormatException naming the file and line of the first malformed line
     */
    public static TokenSet read(Path file, int maxLength) {
        List<byte[]> sources = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        int[] cut = {0};
        Tsv.read(file, 2, (line, f) -> {
            if (sources.isEmpty() && Tsv.text(f[0]).equals("Source")) return; // the header
            if (f.length != 2) throw Tsv.error(file, line, "expected 'Source<TAB>Target', found no tab");
            byte[] symbols;
            try {
                symbols = symbols(Tsv.text(f[0]));
                evaluate(symbols); // unbalanced brackets or a missing argument: not an expression
            } catch (IllegalArgumentException e) {
                throw Tsv.error(file, line, e.getMessage());
            }
            sources.add(Tsv.cut(symbols, maxLength, cut));
            labels.add(Tsv.label(file, line, f[1], CLASSES));
        });
        return new TokenSet(sources.toArray(new byte[0][]), null, Tsv.ints(labels), CLASSES, VOCABULARY, cut[0]);
    }

    /** The symbols of a source: whitespace-separated words, parentheses dropped. */
    public static byte[] symbols(String source) {
        String[] words = source.trim().split("\\s+");
        byte[] out = new byte[words.length];
        int n = 0;
        for (String w : words) {
            if (w.equals("(") || w.equals(")") || w.isEmpty()) continue;
            out[n++] = (byte) symbol(w);
        }
        return java.util.Arrays.copyOf(out, n);
    }

    private static int symbol(String word) {
        if (word.length() == 1 && word.charAt(0) >= '0' && word.charAt(0) <= '9') return word.charAt(0) - '0';
        if (word.equals(CLOSE)) return CLOSE_SYMBOL;
        int op = OPERATORS.indexOf(word);
        if (op < 0) throw new IllegalArgumentException("unknown ListOps token " + Excerpt.of(word));
        return FIRST_OPERATOR + op;
    }

    /**
     * The value of an expression given as symbols.
     *
     * @throws IllegalArgumentException when the symbols are not one well-formed expression
     */
    public static int evaluate(byte[] symbols) {
        Deque<List<Integer>> args = new ArrayDeque<>();
        Deque<Integer> ops = new ArrayDeque<>();
        Integer result = null;
        for (byte s : symbols) {
            if (result != null) throw new IllegalArgumentException("symbols after the end of the expression");
            if (s >= FIRST_OPERATOR && s < CLOSE_SYMBOL) {
                ops.push(s - FIRST_OPERATOR);
                args.push(new ArrayList<>());
                continue;
            }
            int value;
            if (s == CLOSE_SYMBOL) {
                if (ops.isEmpty()) throw new IllegalArgumentException("']' without an operator");
                value = apply(ops.pop(), args.pop());
            } else {
                value = s;
            }
            if (args.isEmpty()) result = value;
            else args.peek().add(value);
        }
        if (result == null) throw new IllegalArgumentException("incomplete expression");
        return result;
    }

    /**
     * MIN, MAX, MED (the median; for an even count the mean of the two middle values rounded
     * down, as LRA's {@code int(np.median)}), SM (the sum mod 10).
     */
    static int apply(int op, List<Integer> values) {
        if (values.isEmpty()) throw new IllegalArgumentException(OPERATORS.get(op) + " without arguments");
        List<Integer> v = new ArrayList<>(values);
        v.sort(null);
        int n = v.size();
        return switch (op) {
            case 0 -> v.get(0);
            case 1 -> v.get(n - 1);
            case 2 -> n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
            default -> v.stream().mapToInt(Integer::intValue).sum() % 10;
        };
    }
}
