/**
 * The Long Range Arena tasks ({@link dev.lmuformer.data.lra.LraTask}): readers of ListOps, byte-level
 * text and retrieval TSVs, CIFAR-10 binaries and Pathfinder images into token sequences
 * ({@link dev.lmuformer.data.lra.TokenSet}, batched by {@link dev.lmuformer.data.lra.TokenBatches}),
 * and the ListOps generator behind the {@code listops} command.
 */
package dev.lmuformer.data.lra;
