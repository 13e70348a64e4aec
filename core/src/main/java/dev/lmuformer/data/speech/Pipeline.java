package dev.lmuformer.data.speech;

import dev.lmuformer.audio.Fbank;
import dev.lmuformer.audio.ModelInput;
import dev.lmuformer.audio.Resampler;
import dev.lmuformer.audio.WavReader;
import dev.lmuformer.audio.Waveform;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One example from audio file to model input and target, in the reference's order
 * (REFERENCE.md §5): read, resample to 16 kHz if needed, subtract the mean; mixup with a second
 * clip (probability {@code mixup}); 128-bin filterbank; cut or zero-pad to the model length;
 * frequency mask, then time mask (to 0, before normalising); normalise; noise; roll.
 *
 * <p><b>Background examples</b> ({@link Example#BACKGROUND}, added by
 * {@link SpeechCommands#withBackground}) are a random 1 s crop of their noise recording at a random
 * level, {@link #BACKGROUND_MIN_DB} to {@link #BACKGROUND_MAX_DB} dBFS RMS, or with probability
 * {@link #SILENCE} digital silence; their target is {@code backgroundTarget} on every class: 0 for
 * BCE (every class its own detector says "not me"), 1/classes for cross-entropy (a flat
 * distribution, as outlier exposure trains it). They then go through the same augmentations.
 *
 * <p><b>Context</b> (for continuous spotting): with background recordings given as {@code context},
 * every clip is laid at a random offset into a background crop exactly as long as the model's
 * input (128 frames, 1.28 s), so that no example ends in the zero padding that a continuous stream
 * never shows; background examples are crops of that length too. With probability
 * {@link #FRAGMENT} a clip is laid so that only a fragment of its speech (at most
 * {@link #FRAGMENT_MAX} of it, by {@link Waveform#speech}) shows at the start or the end of the window — a
 * word leaving or entering a sliding readout — and its target is the background's: a fragment is
 * not the keyword.
 *
 * <p>All randomness comes from one {@code SplittableRandom(seed)} per example, drawn in that order
 * (for a background example: silence or not, crop start, level; mixup decision, partner, λ;
 * frequency mask; time mask; noise scale and values; roll), so an
 * example depends only on its seed, never on the thread or on other examples. Immutable and
 * thread-safe.
 */
public final class Pipeline {
    /** Quietest background level, dBFS RMS. */
    public static final double BACKGROUND_MIN_DB = -60;
    /** Loudest background level, dBFS RMS. */
    public static final double BACKGROUND_MAX_DB = -20;
    /** Share of background examples that are digital silence. */
    public static final double SILENCE = 0.1;
    /** Share of context examples that show only a fragment of their word, with the background's target. */
    public static final double FRAGMENT = 0.2;
    /** The largest share of a word's speech a fragment shows. */
    public static final double FRAGMENT_MAX = 0.4;
    /** Samples of a background crop: 1 s at 16 kHz, a Speech Commands clip. */
    public static final int BACKGROUND_SAMPLES = Resampler.MODEL_RATE;

    private final Augment augment;
    private final ModelInput input;
    private final int numClasses;
    private final float backgroundTarget;
    private final List<Path> context;
    private final Map<Path, float[]> noise = new ConcurrentHashMap<>(); // noise recordings, loaded once

    /**
     * @param augment    the augmentations ({@link Augment#NONE} for evaluation)
     * @param input      the model length and the normalisation constants
     * @param numClasses length of a target vector
     */
    public Pipeline(Augment augment, ModelInput input, int numClasses) {
        this(augment, input, numClasses, 0f);
    }

    /**
     * As {@link #Pipeline(Augment, ModelInput, int)}, with {@code backgroundTarget} the target of
     * every class for a background example (0 for BCE, 1/classes for cross-entropy).
     */
    public Pipeline(Augment augment, ModelInput input, int numClasses, float backgroundTarget) {
        this(augment, input, numClasses, backgroundTarget, List.of());
    }

    /**
     * As {@link #Pipeline(Augment, ModelInput, int, float)}, laying every clip into a crop of one of
     * the {@code context} recordings (none: clips as they are, cut or padded).
     */
    public Pipeline(Augment augment, ModelInput input, int numClasses, float backgroundTarget, List<Path> context) {
        this.context = List.copyOf(context);
        if (!(backgroundTarget >= 0 && backgroundTarget <= 1)) throw new IllegalArgumentException("background target must be in [0, 1]: " + backgroundTarget);
        this.backgroundTarget = backgroundTarget;
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
        return prepared(WavReader.read(file));
    }

    /** {@link #load(Path)} of a WAV file's bytes ({@code source} names it in errors). */
    public static float[] load(byte[] wav, String source) {
        return prepared(WavReader.read(wav, source));
    }

    private static float[] prepared(Waveform read) {
        Waveform w = Resampler.toRate(read, Resampler.MODEL_RATE);
        float[] s = w.samples().clone();
        Waveform.subtractMean(s);
        return s;
    }

    /**
     * The unaugmented model input of a loaded clip ({@link #load}) into {@code x[xOff .. xOff + inputSize())}:
     * what {@link #example} computes for it under {@link Augment#NONE}, for evaluation outside a {@link Loader}.
     */
    public void evaluationInput(float[] wave, float[] x, int xOff) {
        features(wave, null, Augment.NONE, x, xOff);
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
        Drawn drawn = wave(first, rng);
        float[] wave = drawn.samples();
        if (drawn.fragment()) first = new Example(first.file(), Example.BACKGROUND);
        Arrays.fill(y, yOff, yOff + numClasses, 0f);
        if (augment.mixup() > 0 && rng.nextDouble() < augment.mixup()) {
            Example second = pool.get(rng.nextInt(pool.size()));
            checkLabel(second);
            double lambda = Beta.sample(rng, Augment.MIXUP_ALPHA, Augment.MIXUP_ALPHA);
            Drawn partner = wave(second, rng);
            wave = Augment.mix(wave, partner.samples(), lambda);
            if (partner.fragment()) second = new Example(second.file(), Example.BACKGROUND);
            // Same label twice: the two shares add up to 1 on that label.
            addTarget(first, (float) lambda, y, yOff);
            addTarget(second, (float) (1 - lambda), y, yOff);
        } else {
            addTarget(first, 1f, y, yOff);
        }
        features(wave, rng, augment, x, xOff);
    }

    /** Adds {@code weight} times the target of {@code e} to {@code y}. */
    private void addTarget(Example e, float weight, float[] y, int yOff) {
        if (!e.background()) {
            y[yOff + e.label()] += weight;
        } else if (backgroundTarget != 0) {
            for (int c = 0; c < numClasses; c++) y[yOff + c] += weight * backgroundTarget;
        }
    }

    /** A drawn waveform, and whether it shows only a fragment of its clip's word. */
    private record Drawn(float[] samples, boolean fragment) {
    }

    /** The mean-subtracted waveform of a clip, or a fresh background crop. */
    private Drawn wave(Example e, SplittableRandom rng) {
        if (context.isEmpty()) return new Drawn(e.background() ? background(e.file(), rng, BACKGROUND_SAMPLES) : load(e.file()), false);
        Fbank fbank = Fbank.forRate(Resampler.MODEL_RATE);
        int n = fbank.windowLength() + (input.frames() - 1) * fbank.frameShift(); // exactly the model's frames
        if (e.background()) return new Drawn(background(e.file(), rng, n), false);
        float[] out = background(context.get(rng.nextInt(context.size())), rng, n);
        float[] clip = load(e.file());
        int at; // where clip[0] goes in out (may be negative or past the end for a fragment)
        boolean fragment = rng.nextDouble() < FRAGMENT;
        if (fragment) {
            int[] sp = Waveform.speech(clip);
            if (sp == null) sp = new int[]{0, clip.length}; // a silent clip: its fragment is silence too
            int shown = (int) (rng.nextDouble() * FRAGMENT_MAX * (sp[1] - sp[0]));
            at = rng.nextBoolean() ? shown - sp[1] : n - sp[0] - shown; // its end at the window's start, or its start at the window's end
        } else {
            at = rng.nextInt(Math.max(1, n - clip.length + 1));
        }
        for (int i = Math.max(0, -at); i < clip.length && at + i < n; i++) out[at + i] += clip[i];
        Waveform.subtractMean(out);
        return new Drawn(out, fragment);
    }

    /**
     * {@code samples} of background: digital silence, or a crop of the
     * recording {@code file} (wrapping around a shorter one) scaled to a random RMS level.
     */
    private float[] background(Path file, SplittableRandom rng, int samples) {
        float[] out = new float[samples];
        if (rng.nextDouble() < SILENCE) return out;
        float[] rec = noise.computeIfAbsent(file, Pipeline::load);
        if (rec.length == 0) throw new IllegalArgumentException(file + ": a background recording without samples");
        int start = rng.nextInt(rec.length);
        for (int i = 0; i < out.length; i++) out[i] = rec[(start + i) % rec.length];
        double rms = Waveform.rms(out, 0, out.length);
        double level = Math.pow(10, (BACKGROUND_MIN_DB + rng.nextDouble() * (BACKGROUND_MAX_DB - BACKGROUND_MIN_DB)) / 20);
        if (rms > 0) {
            float gain = (float) (level / rms);
            for (int i = 0; i < out.length; i++) out[i] *= gain;
        }
        Waveform.subtractMean(out);
        return out;
    }

    /**
     * The unnormalised model-length filterbank of a clip, as used for the normalisation statistics:
     * {@code [N, F]} into {@code x[xOff ..]}, no augmentation.
     */
    public void rawFeatures(Path file, float[] x, int xOff) {
        rawFeatures(load(file), x, xOff);
    }

    /** {@link #rawFeatures(Path, float[], int)} of a loaded clip ({@link #load}). */
    public void rawFeatures(float[] wave, float[] x, int xOff) {
        input.cutOrPad(Fbank.forRate(Resampler.MODEL_RATE).compute(wave), Fbank.DEFAULT_MEL_BINS, x, xOff);
    }

    /** Filterbank, cut/pad, masks, normalisation, noise and roll of a loaded waveform, under augmentation {@code augment} ({@code rng} unused for none). */
    private void features(float[] wave, SplittableRandom rng, Augment augment, float[] x, int off) {
        input.cutOrPad(Fbank.forRate(Resampler.MODEL_RATE).compute(wave), Fbank.DEFAULT_MEL_BINS, x, off);
        augmentFeatures(x, off, rng, augment);
    }

    /**
     * The model input of example {@code index} of {@code clips} — filterbanks computed beforehand
     * ({@link #rawFeatures}) — into {@code x[xOff ..]} and its one-hot target into {@code y[yOff ..]}:
     * what {@link #example} computes from the clip's audio with the same {@code seed}, for a pipeline
     * without mixup and without background examples or context, whose augmentations all act on the
     * filterbank (masks, normalisation, noise, roll).
     *
     * @throws IllegalStateException when this pipeline mixes or lays clips into background, which needs their audio
     */
    public void preparedExample(PreparedFeatures.Clips clips, int index, long seed, float[] x, int xOff, float[] y, int yOff) {
        if (augment.mixup() > 0 || !context.isEmpty()) {
            throw new IllegalStateException("mixup and background context act on the audio: from prepared filterbanks train with mixup 0, no context");
        }
        float[] fbank = clips.fbank()[index];
        if (fbank.length != inputSize()) {
            throw new IllegalArgumentException(clips.names()[index] + ": " + fbank.length + " values, the model reads " + inputSize());
        }
        int label = clips.labels()[index];
        if (label < 0 || label >= numClasses) throw new IllegalArgumentException(clips.names()[index] + ": label " + label + " but " + numClasses + " classes");
        System.arraycopy(fbank, 0, x, xOff, fbank.length);
        Arrays.fill(y, yOff, yOff + numClasses, 0f);
        y[yOff + label] = 1f;
        augmentFeatures(x, xOff, new SplittableRandom(seed), augment);
    }

    /** Masks, normalisation, noise and roll of a cut or padded filterbank in place. */
    private void augmentFeatures(float[] x, int off, SplittableRandom rng, Augment augment) {
        int frames = input.frames();
        int bins = Fbank.DEFAULT_MEL_BINS;
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
