package dev.lmuformer.data.lra;

import dev.lmuformer.io.AtomicFiles;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random ListOps expressions in the LRA grammar, written in the LRA TSV format ({@link ListOps}).
 * A tree starts with an operator (MIN, MAX, MED, SM, equally likely) over 2…{@code maxArgs}
 * arguments; below the root an argument is a nested operator with probability 1/4 while the depth
 * is under {@code maxDepth}, otherwise a digit 0–9. Trees whose length (operators, digits and
 * closing brackets; not parentheses) falls outside [{@code minLength}, {@code maxLength}] are
 * drawn again. The LRA release used depth 10, 10 arguments and lengths 500–2,000.
 */
public final class ListOpsGenerator {
    private static final double OPERATOR_PROBABILITY = 0.25;
    private static final int MAX_ATTEMPTS = 100_000;

    private final int maxDepth;
    private final int maxArgs;
    private final int minLength;
    private final int maxLength;
    private final SplittableRandom rnd;

    /** One expression: its source in the LRA form and its value. */
    public record Example(String source, int value) {
    }

    /** An operator node (op ≥ 0, with arguments) or a digit (op −1). */
    private record Node(int op, int digit, List<Node> args, int length) {
    }

    /** A generator with the given bounds, seeded. */
    public ListOpsGenerator(int maxDepth, int maxArgs, int minLength, int maxLength, long seed) {
        if (maxDepth < 1 || maxArgs < 2) throw new IllegalArgumentException("max depth must be ≥ 1 and max arguments ≥ 2");
        if (minLength > maxLength || maxLength < 4) throw new IllegalArgumentException("need 4 ≤ max length and min length ≤ max length");
        this.maxDepth = maxDepth;
        this.maxArgs = maxArgs;
        this.minLength = minLength;
        this.maxLength = maxLength;
        this.rnd = new SplittableRandom(seed);
    }

    /**
     * The next expression.
     *
     * @throws IllegalStateException when no tree within the length bounds turns up in many draws
     */
    public Example next() {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Node tree = operator(1);
            if (tree.length >= minLength && tree.length <= maxLength) {
                StringBuilder sb = new StringBuilder();
                render(tree, sb);
                return new Example(sb.toString(), value(tree));
            }
        }
        throw new IllegalStateException("no expression of length " + minLength + "–" + maxLength + " in " + MAX_ATTEMPTS
                + " draws with depth " + maxDepth + " and " + maxArgs + " arguments; change the bounds");
    }

    private Node node(int depth) {
        return depth < maxDepth && rnd.nextDouble() < OPERATOR_PROBABILITY ? operator(depth) : new Node(-1, rnd.nextInt(10), List.of(), 1);
    }

    private Node operator(int depth) {
        int op = rnd.nextInt(ListOps.OPERATORS.size());
        int count = 2 + rnd.nextInt(maxArgs - 1);
        List<Node> args = new ArrayList<>(count);
        int length = 2; // the operator and its closing bracket
        for (int i = 0; i < count; i++) {
            Node a = node(depth + 1);
            args.add(a);
            length += a.length;
            if (length > maxLength) break; // rejected anyway: stop growing it
        }
        return new Node(op, 0, args, length);
    }

    /**
     * LRA's surface form: the tree is built by pairing the operator with its first argument, then
     * the result with each further argument, then with the closing bracket, each pair in
     * parentheses: {@code [MAX 2 9 ]} is written {@code ( ( ( [MAX 2 ) 9 ) ] )}.
     */
    private static void render(Node n, StringBuilder sb) {
        if (n.op < 0) {
            sb.append(n.digit);
            return;
        }
        sb.append("( ".repeat(n.args.size() + 1)).append(ListOps.OPERATORS.get(n.op));
        for (Node a : n.args) {
            sb.append(' ');
            render(a, sb);
            sb.append(" )");
        }
        sb.append(' ').append(ListOps.CLOSE).append(" )");
    }

    private static int value(Node n) {
        if (n.op < 0) return n.digit;
        List<Integer> values = new ArrayList<>(n.args.size());
        for (Node a : n.args) values.add(value(a));
        return ListOps.apply(n.op, values);
    }

    /** Writes {@code count} expressions as a TSV file with the {@code Source<TAB>Target} header (atomically). */
    public void write(Path file, int count) {
        AtomicFiles.write(file, out -> {
            out.write("Source\tTarget\n".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < count; i++) {
                Example e = next();
                out.write((e.source() + "\t" + e.value() + "\n").getBytes(StandardCharsets.US_ASCII));
            }
        });
    }
}
