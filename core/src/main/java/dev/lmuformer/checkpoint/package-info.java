/**
 * Checkpoints of models: {@link dev.lmuformer.checkpoint.Checkpoint} saves and loads a model with
 * its architecture, sizes and metadata (safetensors, or the authors' {@code .pth} files through
 * {@code io.PthReader}), and {@link dev.lmuformer.checkpoint.ArchInference} recovers the
 * architecture and sizes of a bare state_dict from its names and shapes.
 */
package dev.lmuformer.checkpoint;
