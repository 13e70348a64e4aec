package dev.lmuformer.data.speech;

import dev.lmuformer.audio.Waveform;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The augmentation primitives (REFERENCE.md §5): mask ranges, masked values, noise, roll, mixup of waveforms. */
class AugmentTest {
    @Test
    void maskWidthsAreUniformBelowTheBoundAndMasksFit() {
        SplittableRandom rng = new SplittableRandom(1);
        int draws = 48_000;
        int[] widths = new int[48];
        int[] starts = new int[128];
        for (int i = 0; i < draws; i++) {
            int[] r = Augment.maskRange(rng, 48, 128);
            int w = r[1] - r[0];
            assertTrue(w >= 0 && w < 48, "width " + w + " in [0, 48)");
            assertTrue(r[0] >= 0 && r[1] <= 128, "mask [" + r[0] + ", " + r[1] + ") inside 128");
            widths[w]++;
            starts[r[0]]++;
        }
        // Each width has probability 1/48 (1000 expected draws); a floor/ceil slip empties 0 or 47 or adds 48.
        for (int w = 0; w < 48; w++) assertEquals(1000, widths[w], 150, "draws of width " + w);
        assertTrue(starts[0] > 0 && starts[100] > 0, "starts span the range");
        int[] zero = Augment.maskRange(new SplittableRandom(2), 0, 128);
        assertEquals(zero[0], zero[1], "a 0 bound masks nothing");
        assertThrows(IllegalArgumentException.class, () -> Augment.maskRange(rng, 129, 128));
    }

    @Test
    void masksSetExactlyTheirRange() {
        int frames = 5;
        int bins = 4;
        float[] x = new float[3 + frames * bins];
        for (int i = 0; i < x.length; i++) x[i] = i + 1;
        Augment.maskBins(x, 3, frames, bins, 1, 3, -7f);
        for (int t = 0; t < frames; t++) {
            for (int j = 0; j < bins; j++) {
                float v = x[3 + t * bins + j];
                assertEquals(j >= 1 && j < 3 ? -7f : 3 + t * bins + j + 1, v, "bin " + j + " of frame " + t);
            }
        }
        Augment.maskFrames(x, 3, bins, 4, 5, 9f);
        for (int j = 0; j < bins; j++) assertEquals(9f, x[3 + 4 * bins + j]);
        assertEquals(3 + 3 * bins + 1, x[3 + 3 * bins]);
        assertArrayEquals(new float[] {1, 2, 3}, new float[] {x[0], x[1], x[2]}, "values before the offset untouched");
    }

    @Test
    void noiseIsNonNegativeAndBelowOneTenthScale() {
        SplittableRandom rng = new SplittableRandom(4);
        double largestMax = 0;
        double smallestMax = 1;
        for (int clip = 0; clip < 200; clip++) {
            float[] x = new float[1000];
            Augment.addNoise(x, 0, x.length, rng);
            double max = 0;
            for (float v : x) {
                assertTrue(v >= 0 && v < 0.1f, "noise " + v + " in [0, 0.1)");
                max = Math.max(max, v);
            }
            largestMax = Math.max(largestMax, max);
            smallestMax = Math.min(smallestMax, max);
        }
        // One scale per clip: some clips get almost none, some almost the full 0.1.
        assertTrue(smallestMax < 0.01 && largestMax > 0.09, smallestMax + " .. " + largestMax);
    }

    @Test
    void rollMatchesTorchRollAndShiftsSpanMinusTenToNine() {
        float[] x = {9, 0, 1, 10, 11, 20, 21, 30, 31};
        Augment.roll(x, 1, 4, 2, 1);
        assertArrayEquals(new float[] {9, 30, 31, 0, 1, 10, 11, 20, 21}, x, "frame t moves to t + 1");
        Augment.roll(x, 1, 4, 2, -1);
        assertArrayEquals(new float[] {9, 0, 1, 10, 11, 20, 21, 30, 31}, x, "and back with -1");
        Augment.roll(x, 1, 4, 2, 6);
        assertArrayEquals(new float[] {9, 20, 21, 30, 31, 0, 1, 10, 11}, x, "shifts wrap modulo the length");
        SplittableRandom rng = new SplittableRandom(6);
        int[] seen = new int[20];
        for (int i = 0; i < 4000; i++) {
            int s = Augment.rollShift(rng);
            assertTrue(s >= -10 && s < 10, "shift " + s);
            seen[s + 10]++;
        }
        for (int i = 0; i < 20; i++) assertTrue(seen[i] > 120, "shift " + (i - 10) + " drawn " + seen[i] + " times");
    }

    @Test
    void mixPadsOrCutsTheSecondClipAndRemovesTheMean() {
        float[] w1 = {1, 2, 3, 4};
        float[] shortW2 = {10, 20};
        float[] m = Augment.mix(w1, shortW2, 0.25);
        double[] expected = {0.25 + 7.5, 0.5 + 15, 0.75, 1.0};
        double mean = (expected[0] + expected[1] + expected[2] + expected[3]) / 4;
        for (int i = 0; i < 4; i++) assertEquals(expected[i] - mean, m[i], 1e-5, "sample " + i);
        float[] cut = Augment.mix(new float[] {1, -1}, new float[] {4, 0, 100, 100}, 0.5);
        assertArrayEquals(new float[] {1.5f, -1.5f}, cut, 1e-6f, "second clip cut to the first's length, then centred");
        float[] c = {1, 2, 6};
        Waveform.subtractMean(c);
        assertArrayEquals(new float[] {-2, -1, 3}, c, 1e-6f);
    }
}
