package dev.lmuformer.data;

import dev.lmuformer.engine.Tensor;

/**
 * One batch of model inputs and targets.
 *
 * @param inputs  {@code [B, N, F]} normalised (and augmented) filterbanks
 * @param targets {@code [B, classes]} one-hot or mixup target vectors
 * @param indices {@code [B]} each row's example index in the loader's example list (the first clip of a mixup)
 */
public record Batch(Tensor inputs, Tensor targets, int[] indices) {
    /** Number of examples. */
    public int size() {
        return indices.length;
    }
}
