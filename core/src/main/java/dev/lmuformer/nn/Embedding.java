package dev.lmuformer.nn;

import dev.lmuformer.engine.Parallel;

import java.util.List;

/**
 * {@code torch.nn.Embedding(V, E, padding_idx)}: token ids {@code [R]} → rows of the weight
 * {@code [R, E]}. The padding token maps to zeros and its row gets no gradient, so the row keeps
 * the zeros it is initialised with, as in PyTorch; here the row is not even read, so the output
 * does not depend on it and a zero gradient is its exact gradient. Token inputs of the Long Range
 * Arena models (REFERENCE §6) come through here.
 */
public final class Embedding {
    /** Weight {@code [V, E]}. */
    public final Parameter weight;
    private final int vocabulary;
    private final int dim;
    private final int paddingIdx;
    private int[] ids; // (R) of the last forward, kept for backward
    private float[] y; // (R, E)
    private int rows;

    /**
     * An embedding named {@code prefix} ({@code prefix.weight}).
     *
     * @param paddingIdx the padding token, or −1 for none
     */
    public Embedding(String prefix, int vocabulary, int dim, int paddingIdx) {
        if (vocabulary < 1 || dim < 1) throw new IllegalArgumentException("vocabulary and width must be positive");
        if (paddingIdx < -1 || paddingIdx >= vocabulary) throw new IllegalArgumentException("padding index " + paddingIdx + " outside the vocabulary");
        this.vocabulary = vocabulary;
        this.dim = dim;
        this.paddingIdx = paddingIdx;
        this.weight = new Parameter(prefix + ".weight", vocabulary, dim);
    }

    /**
     * Looks up {@code ids[0 … rows)} (each in [0, V)); returns y {@code [rows, E]} (owned by this
     * layer). The ids array is kept for backward, not copied.
     */
    public float[] forward(int[] ids, int rows) {
        for (int r = 0; r < rows; r++) {
            if (ids[r] < 0 || ids[r] >= vocabulary) throw new IllegalArgumentException("token id " + ids[r] + " outside the vocabulary [0, " + vocabulary
                    + ")");
        }
        this.ids = ids;
        this.rows = rows;
        y = Ops.ensure(y, rows * dim);
        float[] out = y;
        float[] w = weight.data;
        Parallel.forChunks(rows, 256, (from, to) -> {
            for (int r = from; r < to; r++) {
                if (ids[r] == paddingIdx) java.util.Arrays.fill(out, r * dim, (r + 1) * dim, 0f);
                else System.arraycopy(w, ids[r] * dim, out, r * dim, dim);
            }
        });
        return y;
    }

    /** Adds {@code dy [R, E]} into the gradient rows of the looked-up tokens, except the padding row. */
    public void backward(float[] dy) {
        float[] g = weight.grad;
        // Serial: rows that share a token add into the same gradient row.
        for (int r = 0; r < rows; r++) {
            int id = ids[r];
            if (id == paddingIdx) continue;
            int o = id * dim, d = r * dim;
            for (int c = 0; c < dim; c++) g[o + c] += dy[d + c];
        }
    }

    /** Vocabulary size V. */
    public int vocabulary() {
        return vocabulary;
    }

    /** Width E. */
    public int dim() {
        return dim;
    }

    /** The padding token, or −1. */
    public int paddingIdx() {
        return paddingIdx;
    }

    /** The weight. */
    public List<Parameter> parameters() {
        return List.of(weight);
    }
}
