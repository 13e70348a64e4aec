package dev.lmuformer.stream;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The early-decision rule on hand-made logits. */
class EarlyDecisionTest {
    /** Logits over 3 classes whose softmax gives {@code label} probability {@code p} and splits the rest evenly. */
    private static float[] frame(int label, double p) {
        float[] l = new float[3];
        double other = (1 - p) / 2;
        for (int j = 0; j < 3; j++) l[j] = (float) Math.log(j == label ? p : other);
        return l;
    }

    /** Offers the frames in turn; returns the index of the frame the rule fired on, or -1. */
    private static int firstDecision(EarlyDecision.Tracker t, float[]... frames) {
        int at = -1;
        for (int i = 0; i < frames.length; i++) {
            int label = t.offer(frames[i], 0, 3);
            if (label >= 0) {
                assertEquals(-1, at, "decides once");
                at = i;
            }
        }
        return at;
    }

    @Test
    void firesWhenTheTopClassHoldsTheThresholdForHoldFrames() {
        EarlyDecision.Tracker t = new EarlyDecision(0.8, 3).tracker();
        assertEquals(6, firstDecision(t, frame(1, 0.5), frame(1, 0.9), frame(1, 0.85), frame(1, 0.7), frame(1, 0.9), frame(1, 0.81),
                frame(1, 0.95)), "a dip below the threshold restarts the count");
        t.reset();
        assertEquals(4, firstDecision(t, frame(1, 0.9), frame(1, 0.9), frame(2, 0.95), frame(2, 0.9), frame(2, 0.81), frame(2, 0.99)),
                "a change of top class restarts the count");
        assertEquals(2, t.decided());
        assertEquals(2, t.top());
        assertEquals(0.99, t.probability(), 1e-6);
    }

    @Test
    void thresholdIsInclusiveAndHoldOneFiresOnTheFirstFrameThatReachesIt() {
        float[] exactly = {0f, 0f};
        EarlyDecision.Tracker t = new EarlyDecision(0.5, 1).tracker();
        assertEquals(0, t.offer(exactly, 0, 2), "ties go to the first class; p = 0.5 reaches 0.5");
        EarlyDecision.Tracker offset = new EarlyDecision(0.6, 1).tracker();
        float[] shifted = {9f, 9f, 0f, 2f, 0f};
        assertEquals(1, offset.offer(shifted, 2, 3), "reads logits[off, off+classes)");
        assertEquals(0.787, offset.probability(), 1e-3);
    }

    @Test
    void noDecisionWhileTheThresholdIsNotReached() {
        EarlyDecision.Tracker t = new EarlyDecision(0.95, 2).tracker();
        assertEquals(-1, firstDecision(t, frame(0, 0.9), frame(0, 0.96), frame(1, 0.97), frame(1, 0.5), frame(1, 0.94)));
        assertEquals(-1, t.decided());
        assertEquals(1, t.top(), "the top class of the last frame is still reported");
        assertEquals(-1, firstDecision(t, new float[] {Float.NaN, 0f, 0f}, new float[] {Float.NaN, 0f, 0f}), "NaN never decides");
    }

    @Test
    void rangesAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new EarlyDecision(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new EarlyDecision(1.01, 1));
        assertThrows(IllegalArgumentException.class, () -> new EarlyDecision(Double.NaN, 1));
        assertThrows(IllegalArgumentException.class, () -> new EarlyDecision(0.5, 0));
    }
}
