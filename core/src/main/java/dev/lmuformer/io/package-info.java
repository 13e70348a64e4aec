/**
 * Tensor file formats: safetensors (the project's checkpoints), {@code .npy}, and PyTorch's
 * {@code .pth} zip archives, read without executing their pickle
 * ({@link dev.lmuformer.io.PthReader} with a restricted unpickler) and written
 * ({@link dev.lmuformer.io.PthWriter}); each refuses malformed input with a
 * {@link dev.lmuformer.io.FormatException}. {@link dev.lmuformer.io.AtomicFiles} writes files whole
 * or not at all.
 */
package dev.lmuformer.io;
