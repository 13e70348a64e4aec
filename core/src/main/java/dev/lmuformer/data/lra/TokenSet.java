package dev.lmuformer.data.lra;

/**
 * Labelled symbol sequences for the token models (Long Range Arena tasks), one or two per example.
 * A symbol is a byte value 0…255 (a text byte, a pixel, a ListOps symbol); the model sees symbol s
 * as token s + 1, token 0 being padding.
 *
 * @param first      each example's (first) sequence
 * @param second     each example's second sequence (two-document tasks), or null
 * @param labels     class per example, in [0, classes)
 * @param classes    number of classes
 * @param vocabulary tokens the model needs: 1 + the number of distinct symbols the reader can produce
 * @param truncated  sequences cut to the maximum length when read
 */
public record TokenSet(byte[][] first, byte[][] second, int[] labels, int classes, int vocabulary, int truncated) {

    /** Checks that the arrays match and the labels are in range. */
    public TokenSet {
        if (first.length != labels.length || second != null && second.length != labels.length) {
            throw new IllegalArgumentException("sequences and labels differ in number");
        }
        if (vocabulary < 2 || vocabulary > 257) throw new IllegalArgumentException("vocabulary must be in [2, 257], got " + vocabulary);
        for (int label : labels) {
            if (label < 0 || label >= classes) throw new IllegalArgumentException("label " + label + " outside [0, " + classes + ")");
        }
    }

    /** Number of examples. */
    public int size() {
        return labels.length;
    }

    /** True when every example has two sequences. */
    public boolean paired() {
        return second != null;
    }

    /** The examples at {@code indices}, in that order. */
    public TokenSet select(int[] indices) {
        byte[][] a = new byte[indices.length][];
        byte[][] b = second == null ? null : new byte[indices.length][];
        int[] l = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            a[i] = first[indices[i]];
            if (b != null) b[i] = second[indices[i]];
            l[i] = labels[indices[i]];
        }
        return new TokenSet(a, b, l, classes, vocabulary, 0);
    }

    /** The examples {@code from … to−1}. */
    public TokenSet range(int from, int to) {
        int[] indices = new int[to - from];
        for (int i = 0; i < indices.length; i++) indices[i] = from + i;
        return select(indices);
    }

    /** The most frequent label (the smallest on ties). */
    public int majorityLabel() {
        int[] count = new int[classes];
        for (int label : labels) count[label]++;
        int best = 0;
        for (int c = 1; c < classes; c++) if (count[c] > count[best]) best = c;
        return best;
    }

    /** The share of examples with {@code label}: the accuracy of always answering it. */
    public double share(int label) {
        if (labels.length == 0) return Double.NaN;
        int n = 0;
        for (int l : labels) if (l == label) n++;
        return (double) n / labels.length;
    }

    /** The longest sequence. */
    public int longest() {
        int n = 0;
        for (byte[] s : first) n = Math.max(n, s.length);
        if (second != null) for (byte[] s : second) n = Math.max(n, s.length);
        return n;
    }
}
