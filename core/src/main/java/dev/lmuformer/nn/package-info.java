/**
 * Layers, one class each with its forward, its backward (adding into the input gradient) and, where
 * it has state, its per-frame step ({@link dev.lmuformer.nn.FrameLayer}): convolutions, batch norm,
 * linear layers, the LIF neuron, the LMU cell and its memory (with the FFT causal convolution,
 * {@link dev.lmuformer.nn.CausalConvolution}), dropout, embeddings and pooling. Parameters carry the
 * reference's names.
 */
package dev.lmuformer.nn;
