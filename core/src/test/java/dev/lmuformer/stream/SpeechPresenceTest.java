package dev.lmuformer.stream;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Speech presence: a recent frame above the sliding noise floor by the margin, against a naive scan. */
class SpeechPresenceTest {

    @Test
    void agreesWithANaiveScanOfTheWindows() {
        int floor = 30, recent = 7;
        double margin = 10;
        SpeechPresence p = new SpeechPresence(floor, recent);
        Random rnd = new Random(3);
        double[] e = new double[2000];
        for (int t = 0; t < e.length; t++) {
            e[t] = -50 + 4 * rnd.nextGaussian() + (t % 200 < 40 ? 25 : 0); // noise, with a loud stretch every 2 s
            p.add(e[t]);
            double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
            for (int s = Math.max(0, t - floor + 1); s <= t; s++) min = Math.min(min, e[s]);
            for (int s = Math.max(0, t - recent + 1); s <= t; s++) max = Math.max(max, e[s]);
            assertEquals(max - min, p.excess(), 1e-12, "frame " + t);
            assertEquals(max >= min + margin, p.present(margin), "frame " + t);
        }
    }

    @Test
    void loudFramesMakeSpeechAndItFadesAfterTheRecentWindow() {
        SpeechPresence p = new SpeechPresence(100, 10);
        for (int t = 0; t < 100; t++) p.add(-60);
        assertFalse(p.present(12), "steady noise is no speech");
        p.add(-40);
        assertTrue(p.present(12));
        for (int t = 0; t < 9; t++) p.add(-60);
        assertTrue(p.present(12), "still within the last 10 frames");
        p.add(-60);
        assertFalse(p.present(12));
        p.clear();
        assertFalse(p.present(12), "nothing seen");
        assertEquals(Double.NEGATIVE_INFINITY, p.excess());
        assertThrows(IllegalArgumentException.class, () -> new SpeechPresence(5, 6));
    }
}
