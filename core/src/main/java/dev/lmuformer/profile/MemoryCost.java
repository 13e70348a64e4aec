package dev.lmuformer.profile;

/**
 * The three ways of computing one LMU memory {@code m_t = Ā m_{t−1} + B̄ u_t}, as multiply-accumulates.
 *
 * @param name             module name ({@code block.0.attn.lmu.memory})
 * @param size             memory size D
 * @param frames           sequence length N
 * @param engineMethod     the parallel form the engine uses at this length ({@code TOEPLITZ} or {@code FFT})
 * @param toeplitzMacs     parallel, causal Toeplitz product: N·(N+1)/2·D per sequence
 * @param fftMacs          parallel, FFT: (1 + D)·L·log2(L/2) + 4·D·(L/2 + 1) per sequence, L = FFT length ≥ 2N
 * @param recurrencePerFrame streaming recurrence: D² + D per frame
 */
public record MemoryCost(String name, int size, int frames, String engineMethod, long toeplitzMacs, long fftMacs,
                         long recurrencePerFrame) {
}
