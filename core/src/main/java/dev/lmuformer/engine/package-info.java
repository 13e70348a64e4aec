/**
 * The small engine under every layer: float32 row-major {@link dev.lmuformer.engine.Tensor}s, the
 * matrix product ({@link dev.lmuformer.engine.Gemm}), Winograd k=3 convolutions, FFTs, float math
 * that gives the same bits everywhere ({@link dev.lmuformer.engine.MathF}), the hot
 * {@link dev.lmuformer.engine.Kernels} (vector or scalar, chosen at run time by
 * {@code KernelChoice}) and the worker pool ({@link dev.lmuformer.engine.Parallel}).
 */
package dev.lmuformer.engine;
