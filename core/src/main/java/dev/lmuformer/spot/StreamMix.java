package dev.lmuformer.spot;

import dev.lmuformer.audio.Waveform;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Builds a long test stream from keyword clips: the clips one after another in a shuffled order
 * with random gaps between them, continuous background noise under all of it at a set
 * signal-to-noise ratio, and distractor speech (recordings without keywords) in some of the gaps.
 * Everything is 16 kHz mono; the stream is the same, bit for bit, for the same inputs and seed.
 *
 * <p>A keyword's {@link Truth} spans the speech in its clip, not the whole clip: the clip is cut
 * into 10 ms pieces (160 samples, the last one possibly shorter) and the speech runs from the
 * first to the last piece whose RMS is at least 10 % (−20 dB) of the RMS of the clip's loudest
 * piece. The signal level for the signal-to-noise ratio is the mean over the clips of the RMS of
 * their speech.
 */
public final class StreamMix {
    /** Samples per second of everything here. */
    public static final int SAMPLE_RATE = 16000;
    /** Samples of the linear fades between background crops and at the ends of distractors (10 ms). */
    static final int FADE = 160;
    /** Seconds kept free between a distractor and the clips beside it. */
    static final double DISTRACTOR_MARGIN = 0.2;
    /** Shortest and longest background crop, in seconds. */
    static final double MIN_CROP = 2, MAX_CROP = 5;
    /** Shortest background or distractor recording taken, in samples (0.1 s). */
    static final int MIN_RECORDING = 1600;

    private StreamMix() {
    }

    /**
     * One keyword recording.
     *
     * @param samples 16 kHz mono samples in [-1, 1), not empty (not copied)
     * @param word    the keyword spoken in it, not empty
     */
    public record Clip(float[] samples, String word) {
        /** Checks that there is audio and a word. */
        public Clip {
            if (samples == null || samples.length == 0) throw new IllegalArgumentException("a clip needs samples");
            if (word == null || word.isEmpty()) throw new IllegalArgumentException("a clip needs a word");
        }
    }

    /**
     * How a stream is laid out.
     *
     * @param seed            seed of every random choice
     * @param minGap          shortest gap before each clip and after the last, in seconds, at least 0
     * @param maxGap          longest gap, in seconds, at least {@code minGap}
     * @param snrDb           how far the background's RMS lies below the keywords' speech RMS, in dB
     * @param distractorShare probability in [0, 1] that a gap gets a distractor
     */
    public record Settings(long seed, double minGap, double maxGap, double snrDb, double distractorShare) {
        /** Seed 1, gaps of 1–4 s, background 20 dB below the speech, distractors in half the gaps. */
        public static final Settings DEFAULT = new Settings(1, 1, 4, 20, 0.5);

        /** Checks the ranges. */
        public Settings {
            if (!(minGap >= 0) || !Double.isFinite(minGap)) {
                throw new IllegalArgumentException("minGap must be finite and at least 0, got " + minGap);
            }
            if (!(maxGap >= minGap) || !Double.isFinite(maxGap)) {
                throw new IllegalArgumentException("maxGap must be finite and at least minGap " + minGap + ", got " + maxGap);
            }
            if (!Double.isFinite(snrDb)) throw new IllegalArgumentException("snrDb must be finite, got " + snrDb);
            if (!(distractorShare >= 0 && distractorShare <= 1)) throw new IllegalArgumentException("distractorShare must be in [0, 1], got "
                    + distractorShare);
        }

        /** These settings with another seed. */
        public Settings withSeed(long seed) {
            return new Settings(seed, minGap, maxGap, snrDb, distractorShare);
        }
    }

    /**
     * A built stream.
     *
     * @param audio   16 kHz mono samples in [-1, 1)
     * @param truths  the keywords in it, in time order, none overlapping
     * @param seconds length of {@code audio} in seconds
     */
    public record Mixed(float[] audio, List<Truth> truths, double seconds) {
    }

    /**
     * Builds a stream. Gaps are uniform in [minGap, maxGap]. The background is made of random
     * crops (2–5 s, each from a random recording at a random place, each scaled to the background
     * level) joined by 10 ms linear cross-fades; none when {@code backgroundNoise} is empty. A gap
     * gets a distractor with probability {@code distractorShare}: a random recording, cropped at a
     * random place when longer than the gap allows, at its own level, with 10 ms fades at its ends,
     * at least {@link #DISTRACTOR_MARGIN} s from the clips beside it. The layout, the distractors
     * and the background draw from separate streams of the seed, so that adding background noise
     * does not move the keywords. The sum is clamped to [-1, 1).
     *
     * @param clips           the keywords, at least one
     * @param backgroundNoise recordings of noise, each at least 0.1 s; may be empty
     * @param distractors     recordings of speech without keywords, each at least 0.1 s; may be empty
     */
    public static Mixed build(List<Clip> clips, List<float[]> backgroundNoise, List<float[]> distractors, Settings s) {
        if (clips.isEmpty()) throw new IllegalArgumentException("a stream needs at least one clip");
        checkLengths(backgroundNoise, "background");
        checkLengths(distractors, "distractor");
        SplittableRandom root = new SplittableRandom(s.seed());
        SplittableRandom layoutRandom = root.split(), distractorRandom = root.split(), noiseRandom = root.split();

        int n = clips.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int i = n - 1; i > 0; i--) { // Fisher–Yates
            int j = layoutRandom.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[] gap = new int[n + 1]; // before each clip in the shuffled order, and after the last
        long total = 0;
        for (int g = 0; g <= n; g++) {
            double seconds = s.maxGap() > s.minGap() ? layoutRandom.nextDouble(s.minGap(), s.maxGap()) : s.minGap();
            gap[g] = (int) Math.round(seconds * SAMPLE_RATE);
            total += gap[g] + (g < n ? clips.get(order[g]).samples().length : 0);
        }
        if (total > Integer.MAX_VALUE) throw new IllegalArgumentException("the stream would be longer than " + Integer.MAX_VALUE + " samples");

        float[] audio = new float[(int) total];
        int[] clipStart = new int[n];
        List<Truth> truths = new ArrayList<>(n);
        double speechRmsSum = 0;
        int at = 0;
        for (int k = 0; k < n; k++) {
            Clip c = clips.get(order[k]);
            at += gap[k];
            clipStart[k] = at;
            int[] speech = Waveform.speech(c.samples());
            if (speech == null) throw new IllegalArgumentException("clip " + order[k] + " ('" + c.word() + "') is silent");
            truths.add(new Truth(c.word(), (double) (at + speech[0]) / SAMPLE_RATE, (double) (at + speech[1]) / SAMPLE_RATE));
            speechRmsSum += Waveform.rms(c.samples(), speech[0], speech[1]);
            System.arraycopy(c.samples(), 0, audio, at, c.samples().length);
            at += c.samples().length;
        }

        if (!distractors.isEmpty()) {
            int margin = (int) Math.round(DISTRACTOR_MARGIN * SAMPLE_RATE);
            for (int g = 0; g <= n; g++) {
                if (!(distractorRandom.nextDouble() < s.distractorShare())) continue;
                int gapStart = g == 0 ? 0 : clipStart[g - 1] + clips.get(order[g - 1]).samples().length;
                int room = gap[g] - 2 * margin;
                if (room < 2 * FADE) continue;
                float[] d = distractors.get(distractorRandom.nextInt(distractors.size()));
                int len = Math.min(d.length, room);
                int from = distractorRandom.nextInt(d.length - len + 1);
                int to = gapStart + margin + distractorRandom.nextInt(room - len + 1);
                addFaded(audio, to, d, from, len, 1, true, true);
            }
        }

        if (!backgroundNoise.isEmpty()) {
            double level = speechRmsSum / n * Math.pow(10, -s.snrDb() / 20);
            int pos = 0;
            while (pos < audio.length) {
                float[] r = backgroundNoise.get(noiseRandom.nextInt(backgroundNoise.size()));
                int want = (int) Math.round(noiseRandom.nextDouble(MIN_CROP, MAX_CROP) * SAMPLE_RATE);
                int len = Math.min(want, r.length);
                int from = noiseRandom.nextInt(r.length - len + 1);
                int to = pos == 0 ? 0 : pos - FADE; // overlaps the previous crop's fade-out
                len = Math.min(len, audio.length - to);
                double cropRms = Waveform.rms(r, from, from + len);
                double gain = cropRms > 0 ? level / cropRms : 0;
                addFaded(audio, to, r, from, len, gain, to > 0, to + len < audio.length);
                pos = to + len;
            }
        }

        float top = Math.nextDown(1f);
        for (int i = 0; i < audio.length; i++) audio[i] = Math.max(-1f, Math.min(top, audio[i]));
        return new Mixed(audio, List.copyOf(truths), (double) audio.length / SAMPLE_RATE);
    }

    /**
     * Adds {@code gain · src[from, from+len)} into {@code dst} at {@code to}, fading in over the
     * first {@link #FADE} samples and out over the last when asked. The fade-in and a fade-out over
     * the same samples add up to 1, which makes a cross-fade of two overlapping crops.
     */
    private static void addFaded(float[] dst, int to, float[] src, int from, int len, double gain, boolean fadeIn, boolean fadeOut) {
        for (int j = 0; j < len; j++) {
            double w = gain;
            if (fadeIn && j < FADE) w *= (j + 0.5) / FADE;
            if (fadeOut && j >= len - FADE) w *= 1 - (j - (len - FADE) + 0.5) / FADE;
            dst[to + j] += (float) (w * src[from + j]);
        }
    }

    private static void checkLengths(List<float[]> recordings, String kind) {
        for (int i = 0; i < recordings.size(); i++) {
            if (recordings.get(i).length < MIN_RECORDING) {
                throw new IllegalArgumentException(kind + " recording " + i + " is shorter than 0.1 s (" + recordings.get(i).length + " samples)");
            }
        }
    }
}
