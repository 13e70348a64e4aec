package dev.lmuformer.data;

import dev.lmuformer.audio.Fbank;
import dev.lmuformer.audio.ModelInput;
import dev.lmuformer.audio.Resampler;
import dev.lmuformer.audio.WavReader;
import dev.lmuformer.audio.Waveform;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One example from audio file to model input and target, in the reference's order
 * (REFERENCE.md §5): read, resample to 16 kHz if needed, subtract the mean; mixup with a second
 * clip (probability {@code mixup}); 128-bin filterbank; cut or zero-pad to the model length;
 * frequency mask, then time mask (to 0, before normalising); normalise; noise; roll.
 *
 * <p>All randomness comes from one {@code SplittableRandom(seed)} per example, drawn in that order
 * (mixup decision, partner, λ; frequency mask; time mask; noise scale and values; roll), so an
 * example depends only on its seed, never on the thread or on other examples. Immutable and
 * thread-safe.
 */
public final class Pipeline {
    private final Augment augment;
    private final ModelInput input;
    private final int numClasses;

    /**
     * @param augment    the augmentations ({@link Augment#NONE} for evaluation)
     * @param input      the model length and the normalisation constants
     * @param numClasses length of a target vector
     */
    public Pipeline(Augment augment, ModelInput input, int numClasses) {
        if (numClasses < 1) throw new IllegalArgumentException("need at least one class: " + numClasses);
        if (augment.timeMask() > input.frames()) {
            throw new IllegalArgumentException("time mask bound " + augment.timeMask() + " exceeds the " + input.frames() + " frames");
        }
        if (augment.freqMask() > Fbank.DEFAULT_MEL_BINS) {
            throw new IllegalArgumentException("frequency mask bound " + augment.freqMask() + " exceeds the " + Fbank.DEFAULT_MEL_BINS + " bins");
        }
        this.augment = augment;
        this.input = input;
        this.numClasses = numClasses;
    }

    /** The augmentations. */
    public Augment augment() {
        return augment;
    }

    /** The model length and normalisation. */
    public ModelInput modelInput() {
        return input;
    }

    /** Length of a target vector. */
    public int numClasses() {
        return numClasses;
    }

    /** Values per example input: frames × 128. */
    public int inputSize() {
        return input.frames() * Fbank.DEFAULT_MEL_BINS;
    }

    /** A clip as the reference loads it: first channel, at 16 kHz (resampled if needed), mean subtracted. */
    public static float[] load(Path file) {
        Waveform w = Resampler.toRate(WavReader.read(file), Resampler.MODEL_RATE);
        float[] s = w.samples().clone();
        Waveform.subtractMean(s);
        return s;
    }

    /**
     * Computes example {@code index} of {@code pool} (a mixup partner is drawn from the whole pool)
     * into {@code x[xOff .. xOff + inputSize())}, shape {@code [N, F]}, and its target into
     * {@code y[yOff .. yOff + numClasses)}, which is overwritten.
     */
    public void example(List<Example> pool, int index, long seed, float[] x, int xOff, float[] y, int yOff) {
        SplittableRandom rng = new SplittableRandom(seed);
        Example first = pool.get(index);
        checkLabel(first);
        float[] wave = load(first.file());
        Arrays.fill(y, yOff, yOff + numClasses, 0f);
        if (augment.mixup() > 0 && rng.nextDouble() < augment.mixup()) {
            Example second = pool.get(rng.nextInt(pool.size()));
            checkLabel(second);
            double lambda = Beta.sample(rng, Augment.MIXUP_ALPHA, Augment.MIXUP_ALPHA);
            wave = Augment.mix(wave, load(second.file()), lambda);
            // Same label twice: the two shares add up to 1 on that label.
            y[yOff + first.label()] += (float) lambda;
            y[yOff + second.label()] += (float) (1 - lambda);
        } else {
            y[yOff + first.label()] = 1f;
        }
        features(wave, rng, x, xOff);
    }

    /**
     * The unnormalised model-length filterbank of a clip, as used for the normalisation statistics:
     * {@code [N, F]} into {@code x[xOff ..]}, no augmentation.
     */
    public void rawFeatures(Path file, float[] x, int xOff) {
        input.cutOrPad(Fbank.forRate(Resampler.MODEL_RATE).compute(load(file)), Fbank.DEFAULT_MEL_BINS, x, xOff);
    }

    /** Filterbank, cut/pad, masks, normalisation, noise and roll of a loaded waveform. */
    private void features(float[] wave, SplittableRandom rng, float[] x, int off) {
        int frames = input.frames();
        int bins = Fbank.DEFAULT_MEL_BINS;
        input.cutOrPad(Fbank.forRate(Resampler.MODEL_RATE).compute(wave), bins, x, off);
        if (augment.freqMask() > 0) {
            int[] r = Augment.maskRange(rng, augment.freqMask(), bins);
            Augment.maskBins(x, off, frames, bins, r[0], r[1], 0f);
        }
        if (augment.timeMask() > 0) {
            int[] r = Augment.maskRange(rng, augment.timeMask(), frames);
            Augment.maskFrames(x, off, bins, r[0], r[1], 0f);
        }
        input.normalise(x, off, frames * bins);
        if (augment.noise()) {
            Augment.addNoise(x, off, frames * bins, rng);
            Augment.roll(x, off, frames, bins, Augment.rollShift(rng));
        }
    }

    private void checkLabel(Example e) {
        if (e.label() >= numClasses) throw new IllegalArgumentException(e.file() + ": label " + e.label() + " but only " + numClasses + " classes");
    }
}
