package dev.lmuformer.profile;

/**
 * Operation counts of a layer or a model, per inference (one sequence) or per streamed frame.
 * Multiply-accumulates (MACs) are the weight products of convolutions, linear layers, the LMU
 * memory and attention; where such a product reads spikes it needs no multiplication and is
 * counted as an accumulation (AC) instead, weighted by the measured spike counts.
 *
 * @param denseMacs   the multiply-accumulates with every input treated as real-valued (the non-spiking cost)
 * @param macs        multiply-accumulates that remain (inputs real-valued)
 * @param acs         spike-driven accumulations (synaptic operations): Σ input spikes × fan-out, an
 *                    expectation over the measured inputs
 * @param elementwise element-wise operations (normalisation, activations, neuron updates, residual
 *                    sums, pooling), one per element; not MACs and not in the energy estimate
 */
public record OpCount(long denseMacs, double macs, double acs, long elementwise) {
    /** No operations. */
    public static final OpCount ZERO = new OpCount(0, 0, 0, 0);

    /** The sum of two counts. */
    public OpCount plus(OpCount o) {
        return new OpCount(denseMacs + o.denseMacs, macs + o.macs, acs + o.acs, elementwise + o.elementwise);
    }

    /** Floating-point operations of the remaining MACs: 2 × MACs. */
    public double flops() {
        return 2 * macs;
    }

    /** Share of the dense multiply-accumulates replaced by spike-driven accumulations (0 for a non-spiking model). */
    public double accumulateShare() {
        return denseMacs == 0 ? 0 : (denseMacs - macs) / denseMacs;
    }
}
