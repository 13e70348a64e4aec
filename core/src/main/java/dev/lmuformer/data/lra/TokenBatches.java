package dev.lmuformer.data.lra;

import dev.lmuformer.data.Batch;
import dev.lmuformer.data.IndexedBatches;
import dev.lmuformer.engine.Tensor;

/**
 * Batches of a {@link TokenSet} for the token models: inputs {@code [B, L, 1]} of token ids
 * (symbol + 1), each sequence padded with token 0 to the longest in the batch (so a batch of
 * short texts costs little), or for two-sequence examples {@code [B, 2L, 1]} with the first
 * sequence in frames {@code [0, L)} and the second in {@code [L, 2L)}; targets one-hot.
 */
public final class TokenBatches extends IndexedBatches {
    private final TokenSet set;

    /** Batches of {@code set}, shuffled per epoch from (seed, epoch) when asked. */
    public TokenBatches(TokenSet set, int batchSize, boolean shuffle, long seed) {
        super(set.size(), batchSize, shuffle, seed);
        this.set = set;
    }

    @Override
    protected Batch batch(int[] indices) {
        int n = indices.length;
        int towers = set.paired() ? 2 : 1;
        int len = 1;
        for (int i : indices) {
            len = Math.max(len, set.first()[i].length);
            if (set.paired()) len = Math.max(len, set.second()[i].length);
        }
        float[] x = new float[n * towers * len]; // (B, towers·L, 1)
        float[] y = new float[n * set.classes()];
        for (int b = 0; b < n; b++) {
            int i = indices[b];
            put(set.first()[i], x, b * towers * len);
            if (set.paired()) put(set.second()[i], x, (b * towers + 1) * len);
            y[b * set.classes() + set.labels()[i]] = 1f;
        }
        return new Batch(new Tensor(x, n, towers * len, 1), new Tensor(y, n, set.classes()), indices);
    }

    private static void put(byte[] symbols, float[] x, int at) {
        for (int t = 0; t < symbols.length; t++) x[at + t] = (symbols[t] & 0xff) + 1;
    }
}
