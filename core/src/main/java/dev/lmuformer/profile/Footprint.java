package dev.lmuformer.profile;

/**
 * Streaming latency and memory.
 *
 * @param causal          false when a step needs the whole sequence (self-attention): no frame-by-frame streaming
 * @param lookAheadFrames future frames an output frame waits for: Σ (K − 1)/2 over the convolutions
 *                        (one per k = 3 convolution, all on one path); meaningless when not causal
 * @param lookAheadMs     the look-ahead at the frame period
 * @param weightBytes     trainable parameters as float32
 * @param bufferBytes     buffers (running statistics, Ā, B̄ and the impulse response H) as float32
 * @param stateFloats     per-stream state: D per LMU memory, one membrane per neuron channel, (K − 1)
 *                        input frames per convolution, C for the running mean of the readout; null when not causal
 */
public record Footprint(boolean causal, int lookAheadFrames, double lookAheadMs, long weightBytes, long bufferBytes,
                        Long stateFloats) {
    /** Per-stream state in bytes (float32), or null when not causal. */
    public Long stateBytes() {
        return stateFloats == null ? null : 4 * stateFloats;
    }
}
