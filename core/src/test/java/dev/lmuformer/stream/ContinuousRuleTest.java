package dev.lmuformer.stream;

import dev.lmuformer.stream.ContinuousRule.Score;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static dev.lmuformer.stream.ContinuousRule.OFF;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When a continuous rule fires: hold, re-arming, refractory period, switched-off classes, scores, validation. */
class ContinuousRuleTest {

    /** The frames on which {@code rule} fires over per-frame scores {@code rows}, as "frame:class". */
    private static List<String> events(ContinuousRule rule, double[][] rows) {
        ContinuousRule.Tracker tracker = rule.tracker();
        List<String> out = new ArrayList<>();
        for (int t = 0; t < rows.length; t++) {
            int c = tracker.offerScores(rows[t], t);
            if (c >= 0) out.add(t + ":" + c);
        }
        return out;
    }

    /** {@code frames} rows of {@code classes} scores, all {@code base}. */
    private static double[][] rows(int frames, int classes, double base) {
        double[][] r = new double[frames][classes];
        for (double[] row : r) Arrays.fill(row, base);
        return r;
    }

    @Test
    void firesOnTheHoldthConsecutiveFrameAndNotBefore() {
        for (int hold : new int[] {1, 2, 4, 7}) {
            ContinuousRule rule = ContinuousRule.of(3, 0.5, hold, 0, Score.SIGMOID);
            double[][] s = rows(20, 3, 0.1);
            for (int t = 5; t < 20; t++) s[t][1] = 0.9;
            assertEquals(List.of((5 + hold - 1) + ":1"), events(rule, s), "hold " + hold);
        }
    }

    @Test
    void aChangeOfBestClassOrAFrameBelowThresholdRestartsTheRun() {
        ContinuousRule rule = ContinuousRule.of(3, 0.5, 4, 0, Score.SIGMOID);
        double[][] s = rows(30, 3, 0.1);
        for (int t = 0; t < 30; t++) s[t][1] = 0.8;
        s[2][2] = 0.9; // class 2 is best on frame 2: class 1's run starts again on frame 3
        assertEquals(List.of("6:1"), events(rule, s));

        double[][] gap = rows(30, 3, 0.1);
        for (int t = 0; t < 30; t++) gap[t][0] = t == 3 ? 0.4 : 0.8; // below threshold on frame 3
        assertEquals(List.of("7:0"), events(rule, gap));

        double[][] alternating = rows(30, 3, 0.1);
        for (int t = 0; t < 30; t++) alternating[t][t % 2] = 0.9; // never the same best class twice in a row
        assertEquals(List.of(), events(rule, alternating));
    }

    @Test
    void aScoreThatStaysAboveFiresOnceAndFiresAgainOnlyAfterFallingBelow() {
        ContinuousRule rule = ContinuousRule.of(2, 0.5, 1, 0, Score.SIGMOID);
        double[][] s = rows(40, 2, 0.1);
        for (int t = 0; t < 40; t++) s[t][0] = t == 20 ? 0.3 : 0.9;
        assertEquals(List.of("0:0", "21:0"), events(rule, s));
    }

    @Test
    void theRefractoryPeriodDelaysARearmedClass() {
        ContinuousRule rule = ContinuousRule.of(2, 0.5, 1, 5, Score.SIGMOID);
        double[][] s = rows(30, 2, 0.1);
        // class 0 above on frames 0-9, below on 10, above on 11, below on 12, above from 13 on
        for (int t = 0; t < 30; t++) s[t][0] = t == 10 || t == 12 ? 0.2 : 0.9;
        // 11: re-armed and 11 frames after the event; 13: re-armed but 2 frames after it, so it
        // waits, still armed, until 16 = 11 + 5
        assertEquals(List.of("0:0", "11:0", "16:0"), events(rule, s));
    }

    @Test
    void theRefractoryPeriodIsPerClass() {
        ContinuousRule rule = ContinuousRule.of(2, 0.5, 1, 100, Score.SIGMOID);
        double[][] s = rows(10, 2, 0.1);
        s[0][0] = 0.9;
        s[2][1] = 0.9;
        s[4][0] = 0.9;
        assertEquals(List.of("0:0", "2:1"), events(rule, s));
    }

    @Test
    void aRearmedClassMustHoldAgain() {
        ContinuousRule rule = ContinuousRule.of(1, 0.5, 3, 0, Score.SIGMOID);
        double[][] s = rows(20, 1, 0.9);
        s[6][0] = 0.1;
        assertEquals(List.of("2:0", "9:0"), events(rule, s));
    }

    @Test
    void switchedOffClassesNeverFireAndDoNotHideTheOthers() {
        ContinuousRule rule = new ContinuousRule(new double[] {OFF, 0.5, OFF}, 1, 0, Score.SIGMOID);
        double[][] s = rows(10, 3, 0.1);
        for (int t = 0; t < 10; t++) {
            s[t][0] = 1.0;  // even a certain score does not reach OFF
            s[t][2] = 0.99;
        }
        assertEquals(List.of(), events(rule, s));
        for (int t = 3; t < 10; t++) s[t][1] = 0.6; // lower than the switched-off classes, still the candidate
        assertEquals(List.of("3:1"), events(rule, s));
    }

    @Test
    void onlyKeepsTheChosenClassesAndSwitchesOffTheRest() {
        ContinuousRule rule = new ContinuousRule(new double[] {0.4, 0.6, OFF, 0.3}, 2, 3, Score.SOFTMAX);
        ContinuousRule only = rule.only(List.of(1, 2));
        assertArrayEquals(new double[] {OFF, 0.6, ContinuousRule.DEFAULT_THRESHOLD, OFF}, only.thresholds(),
                "a kept class keeps its threshold; a kept class that was off gets the default");
        assertEquals(List.of(2, 3, Score.SOFTMAX), List.of(only.hold(), only.refractory(), only.score()));
        assertThrows(IllegalArgumentException.class, () -> rule.only(List.of(4)));
        assertThrows(IllegalArgumentException.class, () -> rule.only(List.of(-1)));

        double[][] s = rows(10, 4, 0.1);
        for (int t = 0; t < 10; t++) s[t][0] = s[t][3] = 0.95;
        assertEquals(List.of("1:0"), events(rule, s));
        assertEquals(List.of(), events(only, s), "classes 0 and 3 are off");
    }

    @Test
    void withThresholdChangesTheSpottedClassesOrOneClass() {
        ContinuousRule rule = new ContinuousRule(new double[] {0.4, OFF, 0.6}, 1, 0, Score.SIGMOID);
        assertArrayEquals(new double[] {0.3, OFF, 0.3}, rule.withThreshold(0.3).thresholds(), "classes that are off stay off");
        assertArrayEquals(new double[] {0.4, 0.2, 0.6}, rule.withThreshold(1, 0.2).thresholds());
        assertArrayEquals(new double[] {0.4, OFF, OFF}, rule.withThreshold(2, OFF).thresholds());
        assertEquals(0.6, rule.threshold(2));
        assertEquals(3, rule.classes());
    }

    @Test
    void eachClassIsJudgedAgainstItsOwnThreshold() {
        ContinuousRule rule = new ContinuousRule(new double[] {0.9, 0.3}, 1, 0, Score.SIGMOID);
        double[][] s = rows(5, 2, 0.0);
        for (double[] row : s) {
            row[0] = 0.8; // higher, but under its threshold
            row[1] = 0.4;
        }
        assertEquals(List.of("0:1"), events(rule, s));
        s[2][0] = 0.95; // class 0 reaches its own threshold and is the better of the two
        assertEquals(List.of("0:1", "2:0"), events(rule, s));
    }

    @Test
    void sigmoidScoresAreTheLogisticOfEachLogit() {
        Random r = new Random(1);
        float[] logits = new float[3 + 7];
        for (int i = 0; i < logits.length; i++) logits[i] = (float) (r.nextGaussian() * 4);
        logits[5] = 40;
        logits[6] = -40;
        double[] s = new double[7];
        Score.SIGMOID.of(logits, 3, s);
        for (int c = 0; c < 7; c++) assertEquals(1 / (1 + Math.exp(-logits[3 + c])), s[c], 1e-15, "class " + c);
    }

    @Test
    void softmaxScoresAreTheProbabilitiesOverTheClasses() {
        Random r = new Random(2);
        float[] logits = new float[2 + 5];
        for (int i = 0; i < logits.length; i++) logits[i] = (float) (r.nextGaussian() * 3);
        double[] s = new double[5];
        Score.SOFTMAX.of(logits, 2, s);
        double sum = 0, total = 0;
        for (int c = 0; c < 5; c++) sum += Math.exp(logits[2 + c]);
        for (int c = 0; c < 5; c++) {
            assertEquals(Math.exp(logits[2 + c]) / sum, s[c], 1e-14, "class " + c);
            total += s[c];
        }
        assertEquals(1, total, 1e-14);

        float[] large = {1000, 999, -1000}; // exp(1000) overflows: the softmax must not
        double[] p = new double[3];
        Score.SOFTMAX.of(large, 0, p);
        double e = Math.exp(-1);
        assertEquals(1 / (1 + e), p[0], 1e-15);
        assertEquals(e / (1 + e), p[1], 1e-15);
        assertEquals(0, p[2], 1e-300);
    }

    @Test
    void theTrackerScoresWhatItIsOffered() {
        ContinuousRule rule = ContinuousRule.of(3, 0.5, 1, 0, Score.SOFTMAX);
        ContinuousRule.Tracker tracker = rule.tracker();
        float[] logits = {9, 9, 0.5f, 3f, -1f};
        assertEquals(1, tracker.offer(logits, 2, 0), "the logits start at the offset");
        double sum = Math.exp(0.5) + Math.exp(3) + Math.exp(-1);
        for (int c = 0; c < 3; c++) assertEquals(Math.exp(logits[2 + c]) / sum, tracker.score(c), 1e-14, "class " + c);
        assertEquals(1, tracker.candidate());
        assertEquals(-1, tracker.offer(new float[] {0, 0, 0}, 0, 1), "1/3 each: no class reaches 0.5");
        assertEquals(-1, tracker.candidate());
    }

    @ParameterizedTest
    @EnumSource(Score.class)
    void nanLogitsNeverFire(Score score) {
        ContinuousRule rule = ContinuousRule.of(3, 1e-6, 1, 0, score);
        ContinuousRule.Tracker tracker = rule.tracker();
        float[][] frames = {{Float.NaN, Float.NaN, Float.NaN}, {Float.NaN, 2, -1}, {3, Float.NaN, 1}, {5, 1, Float.NaN}};
        for (int t = 0; t < 40; t++) {
            float[] l = frames[t % frames.length];
            int c = tracker.offer(l, 0, t);
            if (score == Score.SOFTMAX || Float.isNaN(l[0]) && Float.isNaN(l[1]) && Float.isNaN(l[2])) {
                assertEquals(-1, c, "frame " + t + ": a NaN logit spoils every softmax score");
            } else {
                assertTrue(c < 0 || !Float.isNaN(l[c]), "frame " + t + ": a NaN class fired");
            }
        }
    }

    @Test
    void aNanScoreRearmsAndIsNeverTheCandidate() {
        ContinuousRule rule = ContinuousRule.of(2, 0.5, 1, 0, Score.SIGMOID);
        double[][] s = rows(6, 2, 0.1);
        for (int t = 0; t < 6; t++) s[t][0] = t == 2 ? Double.NaN : 0.9;
        s[2][1] = Double.NaN;
        assertEquals(List.of("0:0", "3:0"), events(rule, s));
        ContinuousRule.Tracker tracker = rule.tracker();
        tracker.offerScores(new double[] {Double.NaN, Double.NaN}, 0);
        assertEquals(-1, tracker.candidate());
    }

    @Test
    void resetStartsANewStream() {
        ContinuousRule rule = ContinuousRule.of(1, 0.5, 2, 100, Score.SIGMOID);
        ContinuousRule.Tracker tracker = rule.tracker();
        double[] high = {0.9};
        assertEquals(-1, tracker.offerScores(high, 0));
        assertEquals(0, tracker.offerScores(high, 1));
        assertEquals(-1, tracker.offerScores(high, 2));
        tracker.reset();
        assertEquals(-1, tracker.offerScores(high, 0), "the run starts again");
        assertEquals(0, tracker.offerScores(high, 1), "armed again and out of the refractory period");
    }

    @Test
    void theConstructorChecksItsArguments() {
        double[] ok = {0.5, 0.5};
        assertThrows(IllegalArgumentException.class, () -> new ContinuousRule(ok, 0, 0, Score.SIGMOID), "hold 0");
        assertThrows(IllegalArgumentException.class, () -> new ContinuousRule(ok, -3, 0, Score.SIGMOID), "negative hold");
        assertThrows(IllegalArgumentException.class, () -> new ContinuousRule(ok, 1, -1, Score.SIGMOID), "negative refractory");
        assertThrows(IllegalArgumentException.class, () -> new ContinuousRule(new double[0], 1, 0, Score.SIGMOID), "no classes");
        for (double bad : new double[] {0, -0.0, -0.2, Double.NaN, Double.NEGATIVE_INFINITY}) {
            assertThrows(IllegalArgumentException.class, () -> new ContinuousRule(new double[] {0.5, bad}, 1, 0, Score.SIGMOID),
                    "threshold " + bad);
        }
        assertThrows(IllegalArgumentException.class, () -> new ContinuousRule(ok, 1, 0, null), "no score");
        assertThrows(IllegalArgumentException.class, () -> ContinuousRule.of(0, 0.5, 1, 0, Score.SOFTMAX));
        ContinuousRule fine = new ContinuousRule(new double[] {1e-9, OFF}, 1, 0, Score.SIGMOID);
        assertEquals(2, fine.classes());
        ContinuousRule d = ContinuousRule.defaults(4, Score.SOFTMAX);
        double t = ContinuousRule.DEFAULT_THRESHOLD;
        assertArrayEquals(new double[] {t, t, t, t}, d.thresholds());
        assertEquals(List.of(ContinuousRule.DEFAULT_HOLD, ContinuousRule.DEFAULT_REFRACTORY, ContinuousRule.DEFAULT_WINDOW, ContinuousRule.DEFAULT_DECISION,
                ContinuousRule.DEFAULT_LOCKOUT), List.of(d.hold(), d.refractory(), d.window(), d.decision(), d.lockout()));
    }

    @Test
    void equalityComparesThresholdContentsAndTheArrayIsNeverShared() {
        double[] t = {0.5, 0.6};
        ContinuousRule a = new ContinuousRule(t, 3, 4, Score.SIGMOID);
        ContinuousRule b = new ContinuousRule(new double[] {0.5, 0.6}, 3, 4, Score.SIGMOID);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, new ContinuousRule(new double[] {0.5, 0.61}, 3, 4, Score.SIGMOID));
        assertNotEquals(a, new ContinuousRule(t, 2, 4, Score.SIGMOID));
        assertNotEquals(a, new ContinuousRule(t, 3, 5, Score.SIGMOID));
        assertNotEquals(a, new ContinuousRule(t, 3, 4, Score.SOFTMAX));
        assertNotEquals(a, new ContinuousRule(new double[] {0.5, 0.6, 0.7}, 3, 4, Score.SIGMOID));
        assertNotEquals(a, "a rule");

        t[0] = 0.9;
        assertEquals(0.5, a.threshold(0), "the constructor copies the thresholds");
        a.thresholds()[1] = 0.9;
        assertEquals(0.6, a.threshold(1), "thresholds() returns a copy");
        assertEquals(b, a);
        assertTrue(a.toString().contains("[0.5, 0.6]"), a.toString());
    }

    @Test
    void aDecisionWindowKeepsTheBestScoringClassAndReportsItsPeak() {
        ContinuousRule rule = ContinuousRule.of(3, 0.5, 1, 0, Score.SOFTMAX).withDecision(4);
        double[][] s = rows(20, 3, 0.1);
        s[5][1] = 0.6;  // opens the decision (closes on frame 9)
        s[7][2] = 0.9;  // the better candidate
        s[8][1] = 0.7;
        s[12][2] = 0.8; // after the decision
        ContinuousRule.Tracker tracker = rule.tracker();
        List<String> got = new ArrayList<>();
        for (int t = 0; t < s.length; t++) {
            int c = tracker.offerScores(s[t], t);
            if (c >= 0) got.add(t + ":" + c + "@" + tracker.eventFrame() + "=" + tracker.eventScore());
        }
        assertEquals(List.of("9:2@7=0.9", "16:2@12=0.8"), got, "class 1 lost the decision; class 2 re-armed fires again on its own");
        assertEquals(List.of("5:1", "7:2", "8:1", "12:2"), events(rule.withDecision(0), s), "without a decision window every candidate fires");
    }

    @Test
    void aLockoutSilencesEveryClassAfterAnEvent() {
        ContinuousRule rule = ContinuousRule.of(2, 0.5, 1, 0, Score.SOFTMAX).withLockout(5);
        double[][] s = rows(12, 2, 0.1);
        s[1][0] = 0.9;
        s[3][1] = 0.9; // within 5 frames of the event on frame 1
        s[6][1] = 0.9; // frame 6 is 5 frames later: fires
        assertEquals(List.of("1:0", "6:1"), events(rule, s));
        assertEquals(List.of("1:0", "3:1", "6:1"), events(rule.withLockout(0), s));
        assertThrows(IllegalArgumentException.class, () -> rule.withLockout(-1));
        assertThrows(IllegalArgumentException.class, () -> rule.withDecision(-1));
        assertThrows(IllegalArgumentException.class, () -> rule.withWindow(-1));
    }

    @Test
    void withoutSpeechNothingFiresAndClassesRearm() {
        ContinuousRule rule = ContinuousRule.of(2, 0.5, 1, 0, Score.SOFTMAX);
        ContinuousRule.Tracker t = rule.tracker();
        double[] high = {0.9, 0.1};
        assertEquals(0, t.offerScores(high, 0, true));
        assertEquals(-1, t.offerScores(high, 1, true), "still above: not re-armed");
        assertEquals(-1, t.offerScores(high, 2, false), "no speech: nothing fires, and the class re-arms");
        assertEquals(0, t.offerScores(high, 3, true));
    }
}
