package dev.lmuformer.data.speech;

import dev.lmuformer.audio.Waveform;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The reference's training augmentations (REFERENCE.md §5) and their settings: mixup of two
 * waveforms, one SpecAugment frequency mask and one time mask, additive uniform noise and a roll
 * along time. Features are {@code [N, F]} row-major (frames × mel bins) at an offset in a flat array.
 * Every random choice comes from a caller's {@link SplittableRandom}, so a seed fixes the result.
 *
 * @param mixup     probability of mixing a clip with a second one (reference 0.6)
 * @param freqMask  the frequency mask's width bound {@code freqm}: width in [0, freqm) (reference 48; 0 = none)
 * @param timeMask  the time mask's width bound {@code timem} (reference 48; 0 = none)
 * @param noise     add noise and roll along time (reference true)
 */
public record Augment(double mixup, int freqMask, int timeMask, boolean noise) {
    /** The reference's training settings (gsc.yml): mixup 0.6, freqm 48, timem 48, noise on. */
    public static final Augment REFERENCE = new Augment(0.6, 48, 48, true);
    /** No augmentation: evaluation. */
    public static final Augment NONE = new Augment(0, 0, 0, false);
    /** Both shapes of mixup's Beta distribution. */
    public static final double MIXUP_ALPHA = 10;
    /** Roll shifts are integers in [-ROLL, ROLL). */
    public static final int ROLL = 10;

    /** Checks the probability and the mask bounds. */
    public Augment {
        if (!(mixup >= 0 && mixup <= 1)) throw new IllegalArgumentException("mixup probability must be in [0, 1]: " + mixup);
        if (freqMask < 0 || timeMask < 0) throw new IllegalArgumentException("mask widths must not be negative: " + freqMask + ", " + timeMask);
    }


    /**
     * Mixup of two mean-subtracted waveforms: {@code w2} zero-padded or cut to {@code w1}'s length,
     * {@code λ w1 + (1 − λ) w2}, then its mean subtracted again, as the reference does.
     *
     * @return a new array of {@code w1.length} samples
     */
    public static float[] mix(float[] w1, float[] w2, double lambda) {
        float[] out = new float[w1.length]; // [len(w1)]
        int shared = Math.min(w1.length, w2.length);
        for (int i = 0; i < w1.length; i++) {
            double second = i < shared ? w2[i] : 0.0;
            out[i] = (float) (lambda * w1[i] + (1 - lambda) * second);
        }
        Waveform.subtractMean(out);
        return out;
    }

    /**
     * torchaudio's mask_along_axis draw: a real width {@code v = U · maxWidth} and start
     * {@code floor(U · (size − v))}; the mask covers {@code [start, start + floor(v))}. So the width
     * is uniform over [0, maxWidth) and the mask always fits. Draws two uniforms from {@code rng}.
     *
     * @return {@code {start, end}}, end exclusive
     */
    public static int[] maskRange(SplittableRandom rng, int maxWidth, int size) {
        if (maxWidth < 0 || maxWidth > size) throw new IllegalArgumentException("mask bound " + maxWidth + " must be in [0, " + size + "]");
        double value = rng.nextDouble() * maxWidth;
        int start = (int) (rng.nextDouble() * (size - value));
        return new int[] {start, start + (int) value};
    }

    /** Sets mel bins {@code [from, to)} of every frame of {@code x[off ..]} (shape {@code [frames, bins]}) to {@code value}. */
    public static void maskBins(float[] x, int off, int frames, int bins, int from, int to, float value) {
        for (int t = 0; t < frames; t++) {
            for (int j = from; j < to; j++) x[off + t * bins + j] = value;
        }
    }

    /** Sets frames {@code [from, to)} of {@code x[off ..]} (shape {@code [frames, bins]}) to {@code value}. */
    public static void maskFrames(float[] x, int off, int bins, int from, int to, float value) {
        Arrays.fill(x, off + from * bins, off + to * bins, value);
    }

    /**
     * The reference's noise: {@code x += U[0,1)^{N×F} · s / 10} with one scale {@code s ~ U[0, 1)}
     * per clip (drawn first), over {@code n} values at {@code off}.
     */
    public static void addNoise(float[] x, int off, int n, SplittableRandom rng) {
        double scale = rng.nextDouble() / 10;
        for (int i = off; i < off + n; i++) x[i] = (float) (x[i] + rng.nextDouble() * scale);
    }

    /** A roll shift, uniform over the integers in [-ROLL, ROLL). */
    public static int rollShift(SplittableRandom rng) {
        return rng.nextInt(-ROLL, ROLL);
    }

    /**
     * {@code torch.roll(x, shift, 0)} of {@code x[off ..]} (shape {@code [frames, bins]}) in place:
     * frame t moves to {@code (t + shift) mod frames}.
     */
    public static void roll(float[] x, int off, int frames, int bins, int shift) {
        int s = Math.floorMod(shift, frames);
        if (s == 0) return;
        float[] copy = new float[frames * bins]; // [frames, bins]
        System.arraycopy(x, off, copy, 0, copy.length);
        int tail = (frames - s) * bins;
        System.arraycopy(copy, 0, x, off + s * bins, tail);
        System.arraycopy(copy, tail, x, off, s * bins);
    }
}
