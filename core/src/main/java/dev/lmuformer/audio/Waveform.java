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

    /**
     * A copy with the mean subtracted in float32, as the reference does ({@code w - w.mean()}) before
     * its filterbank. The filterbank removes each frame's mean anyway, but the rounding of this
     * subtraction leaves a noise floor that decides the quietest bands' log energies (up to ~1.5e-3 at
     * -14), so batch features match the reference only with it.
     */
    public Waveform centred() {
        float[] c = samples.clone();
        subtractMean(c);
        return new Waveform(c, sampleRate);
    }

    /** Subtracts the mean of {@code w} (summed in double, applied in float32) from every sample, in place. */
    public static void subtractMean(float[] w) {
        if (w.length == 0) return;
        double sum = 0;
        for (float v : w) sum += v;
        float mean = (float) (sum / w.length);
        for (int i = 0; i < w.length; i++) w[i] -= mean;
    }

    /** Duration in seconds. */
    public double seconds() {
        return (double) samples.length / sampleRate;
    }
}
