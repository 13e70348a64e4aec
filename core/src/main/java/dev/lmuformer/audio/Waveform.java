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

    /** Samples per piece when finding a clip's speech (10 ms at 16 kHz). */
    public static final int SPEECH_PIECE = 160;
    /** A piece is speech when its RMS is at least this share of the loudest piece's RMS (−20 dB). */
    public static final double SPEECH_SHARE = 0.1;

    /**
     * The speech in a clip as samples {@code [from, to)}: from the first to the last 160-sample
     * piece (the last one possibly shorter) whose RMS is at least {@link #SPEECH_SHARE} of the
     * loudest piece's; null for a silent clip.
     */
    public static int[] speech(float[] clip) {
        int pieces = (clip.length + SPEECH_PIECE - 1) / SPEECH_PIECE;
        double[] pieceRms = new double[pieces];
        double loudest = 0;
        for (int p = 0; p < pieces; p++) {
            pieceRms[p] = rms(clip, p * SPEECH_PIECE, Math.min(clip.length, (p + 1) * SPEECH_PIECE));
            loudest = Math.max(loudest, pieceRms[p]);
        }
        if (loudest == 0) return null;
        int first = 0, last = pieces - 1;
        while (pieceRms[first] < SPEECH_SHARE * loudest) first++;
        while (pieceRms[last] < SPEECH_SHARE * loudest) last--;
        return new int[] {first * SPEECH_PIECE, Math.min(clip.length, (last + 1) * SPEECH_PIECE)};
    }

    /** RMS of {@code x[from, to)}. */
    public static double rms(float[] x, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) sum += (double) x[i] * x[i];
        return Math.sqrt(sum / (to - from));
    }

    /** Duration in seconds. */
    public double seconds() {
        return (double) samples.length / sampleRate;
    }
}
