/**
 * Training and evaluation data shared by every task: a {@link dev.lmuformer.data.Batch} of
 * inputs and target rows, a {@link dev.lmuformer.data.BatchSource} that gives the same batches for
 * an epoch on every call, {@link dev.lmuformer.data.IndexedBatches} (in order or shuffled from the
 * seed and the epoch) and the {@link dev.lmuformer.data.Split}s. The tasks' readers are in the
 * sub-packages {@code speech}, {@code mnist} and {@code lra}.
 */
package dev.lmuformer.data;
