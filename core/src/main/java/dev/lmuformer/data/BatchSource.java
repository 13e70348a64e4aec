package dev.lmuformer.data;

import java.util.Iterator;

/** Batches for training or evaluation, the same for a given epoch on every call. */
public interface BatchSource {
    /** The batches of one epoch. */
    Iterator<Batch> epoch(int epoch);

    /**
     * Batch {@code index} of epoch {@code epoch}, computed now: the values the epoch's iterator gives
     * at that position (so that batches can be spread over workers).
     */
    Batch batch(int epoch, int index);

    /** Batches per epoch. */
    int batchesPerEpoch();

    /** Examples per epoch. */
    int size();
}
