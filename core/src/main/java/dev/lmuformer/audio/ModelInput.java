package dev.lmuformer.audio;

import dev.lmuformer.engine.Tensor;

import java.util.Arrays;

/**
 * Turns filterbank frames into the model's input (REFERENCE.md §5): cut or zero-pad to a fixed
 * number of frames (zeros appended at the end, in the log-mel domain, before normalising), then
 * {@code (x − mean) / (2 · std)}.
 */
public final class ModelInput {
    /** Frames per clip in the reference (Speech Commands V2). */
    public static final int DEFAULT_FRAMES = 128;
    /** Dataset mean of the log-mel values in the reference. */
    public static final double DEFAULT_MEAN = -6.845978;
    /** Dataset standard deviation of the log-mel values in the reference. */
    public static final double DEFAULT_STD = 5.5654526;
    /** The reference's settings: 128 frames, mean −6.845978, std 5.5654526. */
    public static final ModelInput DEFAULT = new ModelInput(DEFAULT_FRAMES, DEFAULT_MEAN, DEFAULT_STD);

    private final int frames;
    private final double mean;
    private final double std;

    /** Cuts or pads to {@code frames} frames and normalises with {@code mean} and {@code std}. */
    public ModelInput(int frames, double mean, double std) {
        if (frames < 1) throw new IllegalArgumentException("frames must be positive: " + frames);
        if (!(std > 0) || !Double.isFinite(std) || !Double.isFinite(mean)) {
            throw new IllegalArgumentException("need a finite mean and a positive finite std: " + mean + ", " + std);
        }
        this.frames = frames;
        this.mean = mean;
        this.std = std;
    }

    /** Number of frames of the result. */
    public int frames() {
        return frames;
    }

    /**
     * Cuts or zero-pads {@code fbank} to {@link #frames()} rows and normalises it.
     *
     * @param fbank      {@code [numFrames][numMelBins]}, any number of frames (even none)
     * @param numMelBins the row length, needed when there are no frames
     * @return {@code [frames, numMelBins]}
     */
    public Tensor apply(float[][] fbank, int numMelBins) {
        float[] out = new float[frames * numMelBins]; // [frames, numMelBins]
        cutOrPad(fbank, numMelBins, out, 0);
        normalise(out, 0, out.length);
        return new Tensor(out, frames, numMelBins);
    }

    /**
     * The first step of {@link #apply}, for pipelines that change the features before normalising
     * (SpecAugment): copies {@code fbank} cut or zero-padded to {@link #frames()} rows into
     * {@code out[off .. off + frames · numMelBins)}, unnormalised.
     */
    public void cutOrPad(float[][] fbank, int numMelBins, float[] out, int off) {
        if (off < 0 || out.length - off < (long) frames * numMelBins) {
            throw new IndexOutOfBoundsException("need " + frames * numMelBins + " values at " + off + " in " + out.length);
        }
        for (int t = 0; t < frames; t++) {
            float[] row = t < fbank.length ? fbank[t] : null;
            if (row != null && row.length != numMelBins) {
                throw new IllegalArgumentException("frame " + t + " has " + row.length + " bins, expected " + numMelBins);
            }
            if (row == null) {
                Arrays.fill(out, off + t * numMelBins, off + (t + 1) * numMelBins, 0f);
            } else {
                System.arraycopy(row, 0, out, off + t * numMelBins, numMelBins);
            }
        }
    }

    /** The second step of {@link #apply}: {@code x ← (x − mean) / (2 · std)} on {@code x[off .. off + len)}. */
    public void normalise(float[] x, int off, int len) {
        for (int i = off; i < off + len; i++) x[i] = (float) ((x[i] - mean) / (2 * std));
    }

    /**
     * The model input of a waveform at its own sample rate (resample it to 16 kHz first with
     * {@link Resampler} to match the reference's training data), with the waveform's mean subtracted
     * first as the reference does ({@link Waveform#centred()}).
     *
     * @return {@code [frames, 128]}
     */
    public Tensor fromWaveform(Waveform waveform) {
        return apply(Fbank.forRate(waveform.sampleRate()).compute(waveform.centred().samples()), Fbank.DEFAULT_MEL_BINS);
    }
}
