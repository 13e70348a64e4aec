package dev.lmuformer.profile;

/**
 * Per-operation energies for the energy estimate {@code E = MACs·E_MAC + ACs·E_AC}.
 *
 * @param macPj energy of one 32-bit floating-point multiply-accumulate, picojoules
 * @param acPj  energy of one 32-bit floating-point accumulation, picojoules
 */
public record Energy(double macPj, double acPj) {
    /** The 45 nm figures commonly used for spiking networks (Horowitz, ISSCC 2014): 4.6 pJ and 0.9 pJ. */
    public static final Energy DEFAULT = new Energy(4.6, 0.9);

    /** The assumptions of the estimate, in one paragraph. */
    public static final String ASSUMPTIONS = "Estimate, not a measurement: E = MACs x E_MAC + ACs x E_AC with the given per-operation"
            + " energies (defaults: 32-bit float multiply-add 4.6 pJ and add 0.9 pJ in 45 nm CMOS). Counts the weight products"
            + " of convolutions, linear layers, the LMU memory and attention; a product whose input is a spike is one"
            + " accumulation, weighted by the measured spike counts. Ignores memory access and data movement, element-wise"
            + " operations (normalisation, activations, neuron updates, residual sums) and the hardware's actual sparsity support.";

    /** Checks the energies are finite and not negative. */
    public Energy {
        if (!(macPj >= 0) || !(acPj >= 0) || Double.isInfinite(macPj) || Double.isInfinite(acPj)) {
            throw new IllegalArgumentException("per-operation energies must be finite and >= 0, got E_MAC " + macPj + " pJ, E_AC " + acPj + " pJ");
        }
    }

    /** Estimated energy of a count, picojoules. */
    public double picojoules(OpCount c) {
        return c.macs() * macPj + c.acs() * acPj;
    }

    /** Energy of the same work done entirely as multiply-accumulates (the non-spiking cost), picojoules. */
    public double densePicojoules(OpCount c) {
        return c.denseMacs() * macPj;
    }
}
