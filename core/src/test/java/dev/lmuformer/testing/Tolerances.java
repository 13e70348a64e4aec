package dev.lmuformer.testing;

/**
 * The tolerances of the parity tests against the reference, each relative to the largest
 * magnitude of the tensor compared ({@link TensorAssert#assertTensorClose}).
 */
public final class Tolerances {
    /** Logits of the real-valued models: float32 in a different summation order, nothing more. */
    public static final double REAL_LOGITS = 1e-4;
    /**
     * Logits of the spiking models: a membrane within rounding of its threshold may spike in one
     * implementation and not the other, and such a flip moves everything downstream of it.
     */
    public static final double SPIKING_LOGITS = 1e-3;
    /** The share of a LIF layer's spikes that may differ from the reference's, for the same reason. */
    public static final double SPIKE_FLIPS = 1e-3;

    private Tolerances() {
    }
}
