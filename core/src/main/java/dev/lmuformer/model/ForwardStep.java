package dev.lmuformer.model;

import dev.lmuformer.nn.Lif;

import java.util.List;

/**
 * One step of a model's forward pass, in order, as {@link SequenceModel#steps()} describes it for
 * cost accounting: what it computes, its sizes and what it reads. Read-only: it holds no weights
 * except the neuron layer of a {@link Kind#LIF} step, whose firing rate can be read after a forward.
 *
 * @param name   the reference's module name ({@code patch_embed.proj_conv}, {@code block.0.attn.lmu.f_u}, …);
 *               residual sums and the LMU memory, which are not modules there, get descriptive names
 * @param kind   what the step computes
 * @param in     input channels per frame (the sum of the input widths)
 * @param out    output channels per frame
 * @param kernel convolution kernel size (1 for other kinds)
 * @param heads  attention heads ({@link Kind#ATTENTION}; 1 otherwise)
 * @param input  what the step reads: one signal, or for a linear layer over a concatenation one per part
 *               (the LMU cell's {@code W_h} reads {@code [m ; x]}); for {@link Kind#ATTENTION} q, k, v
 * @param neuron the neuron layer of a {@link Kind#LIF} step, else null
 */
public record ForwardStep(String name, Kind kind, int in, int out, int kernel, int heads, List<Signal> input, Lif neuron) {

    /** What a step computes. */
    public enum Kind {
        /** Conv1d, stride 1, "same" padding. */
        CONV,
        /** Linear layer applied at every frame. */
        LINEAR,
        /** The readout Linear, applied once per sequence (to the pooled or last frame's features). */
        HEAD,
        /** Mean of the features over frames (before the head). */
        MEAN,
        /** The LMU memory: the causal convolution of the scalar drive u with the impulse response (in 1, out D). */
        LMU_MEMORY,
        /** Spiking self-attention {@code (q kᵀ) v · scale} over the whole sequence, without softmax. */
        ATTENTION,
        /** Batch norm. */
        NORM,
        /** ReLU. */
        RELU,
        /** Exact GELU. */
        GELU,
        /** Leaky integrate-and-fire neurons. */
        LIF,
        /** Element-wise sum of two branches (residual connections). */
        ADD,
        /** Token embedding: a table lookup per frame (in: the vocabulary size), no arithmetic. */
        EMBEDDING
    }

    /** Copies the input list. */
    public ForwardStep {
        input = List.copyOf(input);
    }
}
