package dev.lmuformer.profile;

import dev.lmuformer.model.ForwardStep;

/**
 * The cost of one step of a model's forward pass.
 *
 * @param name      module name (as {@link ForwardStep#name()})
 * @param kind      what the step computes
 * @param shape     sizes in words, e.g. {@code 128→256 k3}
 * @param parallel  operations per inference in parallel (training-style, whole-sequence) mode
 * @param perFrame  operations per frame in streaming mode; null for a step that needs the whole sequence (attention)
 * @param inputRate mean spike count per input element of the spike-driven part of its input (the
 *                  firing rate for one neuron layer; for attention the mean of k's and v's); null when
 *                  the step reads no spikes or nothing was measured
 */
public record LayerCost(String name, ForwardStep.Kind kind, String shape, OpCount parallel, OpCount perFrame, Double inputRate) {
}
