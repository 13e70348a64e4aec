package dev.lmuformer.spot;

import dev.lmuformer.audio.Waveform;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Streams built from synthetic clips: a tone between quiet stretches, white noise, a distractor tone. */
class StreamMixTest {
    private static final int SR = StreamMix.SAMPLE_RATE;
    /** Where the tone of every clip lies: samples [4800, 12800) of 16000, that is 0.3–0.8 s. */
    private static final int TONE_FROM = 4800, TONE_TO = 12800, CLIP = 16000;
    private static final int CLIPS = 12;

    /** A 1 s clip: a 440 Hz tone of amplitude {@code a} from 0.3 to 0.8 s, faint noise (−60 dB) around it. */
    private static float[] clip(double a, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[CLIP];
        for (int i = 0; i < CLIP; i++) {
            x[i] = i >= TONE_FROM && i < TONE_TO ? (float) (a * Math.sin(2 * Math.PI * 440 * i / SR)) : (float) (0.001 * r.nextDouble(-1, 1));
        }
        return x;
    }

    private static float[] whiteNoise(double amplitude, int length, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[length];
        for (int i = 0; i < length; i++) x[i] = (float) (amplitude * r.nextDouble(-1, 1));
        return x;
    }

    private static float[] tone(double hz, double amplitude, int length) {
        float[] x = new float[length];
        for (int i = 0; i < length; i++) x[i] = (float) (amplitude * Math.sin(2 * Math.PI * hz * i / SR));
        return x;
    }

    /** Clips of unique words "w0", "w1", …, louder and softer. */
    private static List<StreamMix.Clip> clips() {
        List<StreamMix.Clip> c = new ArrayList<>();
        for (int i = 0; i < CLIPS; i++) c.add(new StreamMix.Clip(clip(0.2 + 0.05 * i, i), "w" + i));
        return c;
    }

    /** Two noise recordings 20 dB apart: each background crop is scaled on its own, so both must come out at the same level. */
    private static final List<float[]> NOISE = List.of(whiteNoise(0.5, 3 * SR, 7), whiteNoise(0.05, 4 * SR, 8));
    private static final List<float[]> DISTRACTORS = List.of(tone(1000, 0.2, (int) (2.5 * SR)), tone(700, 0.1, SR / 2));

    private static int sample(double seconds) {
        return (int) Math.round(seconds * SR);
    }

    /** The sample where the clip of {@code truth} starts. */
    private static int clipStart(Truth truth) {
        return sample(truth.start()) - TONE_FROM;
    }

    private static float[] clipOf(Truth t) {
        int i = Integer.parseInt(t.word().substring(1));
        return clips().get(i).samples();
    }

    @Test
    void theSameSeedGivesTheSameBitsAndAnotherSeedAnotherStream() {
        StreamMix.Mixed a = StreamMix.build(clips(), NOISE, DISTRACTORS, StreamMix.Settings.DEFAULT);
        StreamMix.Mixed b = StreamMix.build(clips(), NOISE, DISTRACTORS, StreamMix.Settings.DEFAULT);
        assertArrayEquals(a.audio(), b.audio());
        assertEquals(a.truths(), b.truths());
        StreamMix.Mixed c = StreamMix.build(clips(), NOISE, DISTRACTORS, StreamMix.Settings.DEFAULT.withSeed(2));
        assertFalse(Arrays.equals(a.audio(), c.audio()));
        assertFalse(a.truths().equals(c.truths()), "another order or other gaps");
    }

    @Test
    void truthsCoverTheSpeechOfEveryClipInsideTheAudioWithoutOverlap() {
        StreamMix.Mixed m = StreamMix.build(clips(), NOISE, DISTRACTORS, StreamMix.Settings.DEFAULT);
        assertEquals(m.audio().length / (double) SR, m.seconds());
        assertEquals(CLIPS, m.truths().size());
        assertEquals(CLIPS, m.truths().stream().map(Truth::word).distinct().count());
        double previousEnd = 0;
        for (Truth t : m.truths()) {
            assertTrue(t.start() >= previousEnd + 1 + 0.5, "no overlap; a gap of at least 1 s and the clips' quiet parts between: " + t);
            assertEquals(0.5, t.end() - t.start(), 1e-9, "the tone, not the whole clip");
            previousEnd = t.end();
        }
        assertTrue(previousEnd + 0.2 + 1 <= m.seconds() + 1e-9, "the last clip's quiet end and a gap follow");
        List<String> order = m.truths().stream().map(Truth::word).toList();
        assertFalse(order.equals(clips().stream().map(StreamMix.Clip::word).toList()), "shuffled");
    }

    @Test
    void withoutNoiseTheTruthsHoldExactlyTheClipsAndTheRestIsSilent() {
        StreamMix.Mixed m = StreamMix.build(clips(), List.of(), List.of(), StreamMix.Settings.DEFAULT);
        float[] audio = m.audio();
        boolean[] inClip = new boolean[audio.length];
        for (Truth t : m.truths()) {
            int at = clipStart(t);
            float[] c = clipOf(t);
            assertArrayEquals(c, Arrays.copyOfRange(audio, at, at + CLIP), t.word());
            Arrays.fill(inClip, at, at + CLIP, true);
        }
        for (int i = 0; i < audio.length; i++) if (!inClip[i]) assertEquals(0f, audio[i], "gap sample " + i);
    }

    @Test
    void truthsAreLouderThanTheGaps() {
        StreamMix.Mixed m = StreamMix.build(clips(), NOISE, List.of(), StreamMix.Settings.DEFAULT);
        double gaps = rms(m.audio(), outside(m.truths(), m.audio().length));
        for (Truth t : m.truths()) {
            double inside = Waveform.rms(m.audio(), sample(t.start()), sample(t.end()));
            assertTrue(inside > 2 * gaps, // the softest clip lies 13 dB above the background
                     t + ": " + inside + " against " + gaps + " in the gaps");
        }
    }

    @Test
    void theBackgroundInEachGapLiesAtTheRequestedSnr() {
        for (double snr : new double[] {10, 20, 30}) {
            StreamMix.Settings s = new StreamMix.Settings(3, 1, 4, snr, 0);
            StreamMix.Mixed m = StreamMix.build(clips(), NOISE, DISTRACTORS, s);
            double speech = 0;
            for (StreamMix.Clip c : clips()) speech += Waveform.rms(c.samples(), TONE_FROM, TONE_TO);
            double level = speech / CLIPS * Math.pow(10, -snr / 20);
            // between consecutive clips, after the first and before the last quiet part
            int previous = 0;
            for (Truth t : m.truths()) {
                int from = previous, to = clipStart(t);
                double db = 20 * Math.log10(Waveform.rms(m.audio(), from, to) / level);
                assertTrue(Math.abs(db) < 1, "SNR " + snr + ", gap " + from + "–" + to + ": " + db + " dB off");
                previous = clipStart(t) + CLIP;
            }
        }
    }

    @Test
    void distractorsFallOnlyInGapsAwayFromTheClips() {
        StreamMix.Settings s = new StreamMix.Settings(5, 1, 4, 20, 1);
        StreamMix.Mixed m = StreamMix.build(clips(), List.of(), DISTRACTORS, s);
        float[] audio = m.audio();
        int margin = sample(StreamMix.DISTRACTOR_MARGIN);
        int previous = 0;
        for (int k = 0; k <= CLIPS; k++) {
            int next = k < CLIPS ? clipStart(m.truths().get(k)) : audio.length;
            if (k < CLIPS) {
                int at = next;
                assertArrayEquals(clipOf(m.truths().get(k)), Arrays.copyOfRange(audio, at, at + CLIP), "no distractor inside a clip");
            }
            for (int i = previous; i < next; i++) {
                boolean nearClip = (k > 0 && i < previous + margin) || (k < CLIPS && i >= next - margin);
                if (nearClip) assertEquals(0f, audio[i], "sample " + i + " within " + StreamMix.DISTRACTOR_MARGIN + " s of a clip");
            }
            assertTrue(Waveform.rms(audio, previous, next) > 0.01, "with a share of 1 every gap has a distractor: gap " + k);
            if (k < CLIPS) previous = next + CLIP;
        }
        assertEquals(CLIPS, m.truths().size(), "distractors add no truths");
    }

    @Test
    void theSumIsClampedBelowOne() {
        float[] loud = tone(440, 1, SR);
        StreamMix.Mixed m = StreamMix.build(List.of(new StreamMix.Clip(loud, "loud")), NOISE, List.of(), new StreamMix.Settings(1, 1, 2, 0, 0));
        for (float x : m.audio()) assertTrue(x >= -1 && x < 1, "sample " + x);
    }

    @Test
    void speechRunsFromTheFirstToTheLastLoudPiece() {
        float[] x = new float[1000]; // six full pieces and one of 40 samples
        Arrays.fill(x, 170, 200, 0.5f); // piece 1: RMS 0.5·√(30/160) ≈ 0.22
        Arrays.fill(x, 480, 640, 0.3f); // piece 3: RMS 0.3
        x[999] = 0.06f; // piece 6 (40 samples): RMS 0.0095, under 10 % of 0.3
        assertArrayEquals(new int[] {160, 640}, Waveform.speech(x));
        x[998] = 0.3f; // now RMS 0.047, over 10 %
        assertArrayEquals(new int[] {160, 1000}, Waveform.speech(x), "the short last piece ends at the clip's end");
        assertEquals(null, Waveform.speech(new float[500]));
    }

    @Test
    void badInputs() {
        StreamMix.Settings d = StreamMix.Settings.DEFAULT;
        assertThrows(IllegalArgumentException.class, () -> StreamMix.build(List.of(), NOISE, DISTRACTORS, d));
        String silent = assertThrows(IllegalArgumentException.class,
                () -> StreamMix.build(List.of(new StreamMix.Clip(new float[800], "yes")), NOISE, DISTRACTORS, d)).getMessage();
        assertEquals("clip 0 ('yes') is silent", silent);
        assertThrows(IllegalArgumentException.class, () -> StreamMix.build(clips(), List.of(new float[100]), DISTRACTORS, d));
        assertThrows(IllegalArgumentException.class, () -> StreamMix.build(clips(), NOISE, List.of(new float[0]), d));
        assertThrows(IllegalArgumentException.class, () -> new StreamMix.Clip(new float[0], "yes"));
        assertThrows(IllegalArgumentException.class, () -> new StreamMix.Settings(1, -1, 4, 20, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new StreamMix.Settings(1, 2, 1, 20, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new StreamMix.Settings(1, 1, 4, Double.NaN, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new StreamMix.Settings(1, 1, 4, 20, 1.5));
    }

    /** The samples outside every truth. */
    private static boolean[] outside(List<Truth> truths, int length) {
        boolean[] out = new boolean[length];
        Arrays.fill(out, true);
        for (Truth t : truths) Arrays.fill(out, sample(t.start()), sample(t.end()), false);
        return out;
    }

    private static double rms(float[] x, boolean[] take) {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < x.length; i++) {
            if (take[i]) {
                sum += (double) x[i] * x[i];
                n++;
            }
        }
        return Math.sqrt(sum / n);
    }
}
