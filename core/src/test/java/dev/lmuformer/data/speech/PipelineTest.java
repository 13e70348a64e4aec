package dev.lmuformer.data.speech;

import dev.lmuformer.data.Split;
import dev.lmuformer.audio.ModelInput;
import dev.lmuformer.audio.WavReader;
import dev.lmuformer.engine.Tensor;
import dev.lmuformer.testing.TinySpeechCommands;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static dev.lmuformer.testing.TensorAssert.assertTensorClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One example end to end: evaluation equals the plain front end; mixup targets; masks; noise and roll; seeding. */
class PipelineTest {
    private static final int F = 128;
    private static final int N = 128;
    /** A log-mel 0 after normalisation: padding and masked values. */
    private static final float ZERO = (float) ((0 - ModelInput.DEFAULT_MEAN) / (2 * ModelInput.DEFAULT_STD));

    @TempDir
    static Path root;
    static List<Example> pool;

    @BeforeAll
    static void tree() {
        TinySpeechCommands.create(root, List.of("yes", "no", "up", "down", "left"), 4);
        pool = SpeechCommands.open(root).examples(Split.TRAIN);
    }

    private static float[][] run(Augment a, int index, long seed) {
        Pipeline p = new Pipeline(a, ModelInput.DEFAULT, 35);
        float[] x = new float[5 + N * F];
        float[] y = new float[2 + 35];
        y[1] = 42; // the target must be overwritten, not added to
        p.example(pool, index, seed, x, 5, y, 2);
        return new float[][] {java.util.Arrays.copyOfRange(x, 5, x.length), java.util.Arrays.copyOfRange(y, 2, y.length)};
    }

    @Test
    void evaluationIsThePlainFrontEndWithAOneHotTarget() {
        for (int i = 0; i < 3; i++) {
            float[][] r = run(Augment.NONE, i, 0);
            Tensor expected = ModelInput.DEFAULT.fromWaveform(WavReader.read(pool.get(i).file()));
            assertTensorClose("example " + i, expected.data, r[0], 1e-5);
            float[] oneHot = new float[35];
            oneHot[pool.get(i).label()] = 1;
            assertArrayEquals(oneHot, r[1]);
        }
    }

    @Test
    void mixupTargetsSumToOneWithLambdaNearOneHalf() {
        Augment always = new Augment(1, 0, 0, false);
        double sum = 0;
        int mixed = 0;
        for (int i = 0; i < 300; i++) {
            float[] y = run(always, i % pool.size(), i)[1];
            double total = 0;
            int nonZero = 0;
            for (float v : y) {
                total += v;
                if (v != 0) nonZero++;
            }
            assertEquals(1.0, total, 1e-6, "target sums to 1");
            float first = y[pool.get(i % pool.size()).label()];
            if (nonZero == 2) {
                assertTrue(first > 0 && first < 1, "λ " + first);
                sum += first;
                mixed++;
            }
        }
        // Partners share the label with probability 2/10 here (then the target is 1 on it).
        assertTrue(mixed > 180, "mixed with another label " + mixed + " times of 300");
        // λ ~ Beta(10, 10): mean 0.5, std 0.109, so the mean of ~240 is within ±0.03.
        assertEquals(0.5, sum / mixed, 0.03);
        int someMix = 0;
        for (int i = 0; i < 400; i++) {
            float[] y = run(new Augment(0.6, 0, 0, false), i % pool.size(), 1000 + i)[1];
            if (y[pool.get(i % pool.size()).label()] != 1f) someMix++;
        }
        // P(mixed with another label) = 0.6 · 8/10 = 0.48; std of the count 10.
        assertEquals(0.48 * 400, someMix, 40);
    }

    @Test
    void masksZeroOneContiguousBandAndOneFrameRangeBeforeNormalising() {
        float[] plain = run(Augment.NONE, 2, 0)[0];
        int widest = 0;
        for (long seed = 0; seed < 30; seed++) {
            float[] f = run(new Augment(0, 48, 0, false), 2, seed)[0];
            int lo = F;
            int hi = -1;
            for (int i = 0; i < f.length; i++) {
                if (f[i] != plain[i]) {
                    assertEquals(ZERO, f[i], "masked value is a normalised 0");
                    lo = Math.min(lo, i % F);
                    hi = Math.max(hi, i % F);
                }
            }
            if (hi >= 0) {
                // The 28 real frames of this clip: every bin in [lo, hi] is masked on all of them.
                for (int t = 0; t < 28; t++) for (int j = lo; j <= hi; j++) assertEquals(ZERO, f[t * F + j], "frame " + t + " bin " + j);
                assertTrue(hi - lo + 1 < 48, "frequency mask narrower than 48");
                widest = Math.max(widest, hi - lo + 1);
            }
            float[] t = run(new Augment(0, 0, 48, false), 2, seed)[0];
            for (int i = 0; i < t.length; i++) if (t[i] != plain[i]) assertEquals(ZERO, t[i], "time-masked value is a normalised 0");
        }
        assertTrue(widest > 20, "masks of many widths, widest " + widest);
    }

    @Test
    void noiseThenRollOnTheNormalisedFeatures() {
        float[] plain = run(Augment.NONE, 1, 0)[0];
        for (long seed = 0; seed < 10; seed++) {
            float[] f = run(new Augment(0, 0, 0, true), 1, seed)[0];
            int found = Integer.MIN_VALUE;
            for (int s = -10; s < 10 && found == Integer.MIN_VALUE; s++) {
                float[] rolled = plain.clone();
                Augment.roll(rolled, 0, N, F, s);
                boolean ok = true;
                for (int i = 0; i < f.length && ok; i++) ok = f[i] - rolled[i] >= -1e-6 && f[i] - rolled[i] < 0.1 + 1e-6;
                if (ok) found = s;
            }
            assertTrue(found != Integer.MIN_VALUE, "seed " + seed + ": noise in [0, 0.1) over a roll in [-10, 10)");
        }
    }

    @Test
    void theSeedFixesTheExample() {
        float[][] a = run(Augment.REFERENCE, 3, 77);
        float[][] b = run(Augment.REFERENCE, 3, 77);
        assertArrayEquals(a[0], b[0]);
        assertArrayEquals(a[1], b[1]);
        assertFalse(java.util.Arrays.equals(a[0], run(Augment.REFERENCE, 3, 78)[0]), "another seed, another example");
    }
}
