package dev.lmuformer.audio;

import java.util.Objects;

/**
 * One channel of audio as float samples, scaled like {@code torchaudio.load}: integer PCM maps to
 * [-1, 1) (16-bit: {@code s / 32768}), float PCM is kept as stored.
 *
 * @param samples    the samples, {@code [numSamples]} (not copied)
 * @param sampleRate samples per second, positive
 */
public record Waveform(float[] samples, int sampleRate) {
    /** Checks that the samples exist and the rate is positive. */
    public Waveform {
        Objects.requireNonNull(samples, "samples");
        if (sampleRate <= 0) throw new IllegalArgumentException("sample rate must be positive: " + sampleRate);
    }

    /** Duration in seconds. */
    public double seconds() {
        return (double) samples.length / sampleRate;
    }
}
