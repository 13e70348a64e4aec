package dev.lmuformer.data;

import java.util.Iterator;

/** Batches for training or evaluation, the same for a given epoch on every call. */
public interface BatchSource {
    /** The batches of one epoch. */
    Iterator<Batch> epoch(int epoch);

    /** Batches per epoch. */
    int batchesPerEpoch();

    /** Examples per epoch. */
    int size();
}
