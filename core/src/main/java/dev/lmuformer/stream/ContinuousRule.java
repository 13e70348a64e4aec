package dev.lmuformer.stream;

import java.util.Arrays;
import java.util.Collection;

/**
 * Continuous keyword spotting: when a keyword event is emitted from the per-frame readout of a
 * stream that is never cut into windows. Each frame every class gets a score (its sigmoid for a
 * model trained with BCE, where every class is its own detector and background has an all-zero
 * target; its softmax probability for one trained with cross-entropy). The best-scoring spotted
 * class becomes a candidate when its score reaches its threshold; a keyword is emitted when the same
 * candidate has held its threshold for {@code hold} consecutive frames. A class that fired stays
 * quiet until its score has fallen below its threshold again and {@code refractory} frames have
 * passed since its event: the sliding readout keeps a spoken word in view for a whole window, and
 * one word must give one event.
 *
 * @param thresholds per class, the score it must reach; {@link #OFF} (or any value above 1) for a
 *                   class that is not spotted (the keyword subset)
 * @param hold       consecutive frames (at least 1) a candidate must hold its threshold
 * @param refractory frames after a class's event during which it cannot fire again (at least 0)
 * @param score      how logits become scores
 * @param gate       energy gate, dBFS: a frame whose RMS lies below it is not given to the model (no
 *                   model step, no score; the model state waits for the next louder frame);
 *                   {@link #NO_GATE} steps every frame
 */
public record ContinuousRule(double[] thresholds, int hold, int refractory, Score score, double gate) implements SpottingRule {
    /** The gate that lets every frame through. */
    public static final double NO_GATE = Double.NEGATIVE_INFINITY;
    /** A threshold that no score reaches: the class is not spotted. */
    public static final double OFF = Double.POSITIVE_INFINITY;
    /** Default threshold of every class; chosen on the bundled validation streams (README, "Continuous keyword spotting"). */
    public static final double DEFAULT_THRESHOLD = 0.7;
    /** Default hold: 30 frames (0.3 s); shorter holds let the passing fragments of words fire (README). */
    public static final int DEFAULT_HOLD = 30;
    /** Default refractory period: 50 frames (0.5 s). */
    public static final int DEFAULT_REFRACTORY = 50;

    /** How a frame's logits become per-class scores. */
    public enum Score {
        /** σ(logit) per class: for BCE-trained models (the reference recipe). */
        SIGMOID,
        /** softmax over the classes: for models trained with cross-entropy. */
        SOFTMAX;

        /** Writes the scores of {@code logits[off, off + scores.length)} into {@code scores}. */
        public void of(float[] logits, int off, double[] scores) {
            int n = scores.length;
            // StrictMath so that an event never depends on the JIT
            if (this == SIGMOID) {
                for (int c = 0; c < n; c++) scores[c] = 1 / (1 + StrictMath.exp(-(double) logits[off + c]));
                return;
            }
            int top = off;
            for (int c = off + 1; c < off + n; c++) if (logits[c] > logits[top]) top = c;
            double sum = 0;
            for (int c = 0; c < n; c++) sum += scores[c] = StrictMath.exp((double) logits[off + c] - logits[top]);
            for (int c = 0; c < n; c++) scores[c] /= sum;
        }
    }

    /** Checks the ranges and copies the thresholds. */
    public ContinuousRule {
        thresholds = thresholds.clone();
        if (thresholds.length == 0) throw new IllegalArgumentException("a rule needs at least one class");
        for (double t : thresholds) {
            if (!(t > 0)) throw new IllegalArgumentException("thresholds must be above 0, got " + t);
        }
        if (hold < 1) throw new IllegalArgumentException("hold must be at least 1 frame, got " + hold);
        if (refractory < 0) throw new IllegalArgumentException("refractory period must not be negative, got " + refractory);
        if (score == null) throw new IllegalArgumentException("score must be given");
        if (Double.isNaN(gate) || gate > 0) throw new IllegalArgumentException("the gate must be a level in dBFS (0 or below), got " + gate);
    }

    /** Without an energy gate. */
    public ContinuousRule(double[] thresholds, int hold, int refractory, Score score) {
        this(thresholds, hold, refractory, score, NO_GATE);
    }

    /** This rule with the energy gate at {@code dbfs} ({@link #NO_GATE} for none). */
    public ContinuousRule withGate(double dbfs) {
        return new ContinuousRule(thresholds, hold, refractory, score, dbfs);
    }

    /** Every one of {@code classes} classes spotted at {@code threshold}. */
    public static ContinuousRule of(int classes, double threshold, int hold, int refractory, Score score) {
        double[] t = new double[classes];
        Arrays.fill(t, threshold);
        return new ContinuousRule(t, hold, refractory, score);
    }

    /** The defaults for a model of {@code classes} classes scored by {@code score}. */
    public static ContinuousRule defaults(int classes, Score score) {
        return of(classes, DEFAULT_THRESHOLD, DEFAULT_HOLD, DEFAULT_REFRACTORY, score);
    }

    /** The thresholds (a copy). */
    @Override
    public double[] thresholds() {
        return thresholds.clone();
    }

    /** Classes the rule scores. */
    public int classes() {
        return thresholds.length;
    }

    /** The threshold of class {@code c}; {@link #OFF} when it is not spotted. */
    public double threshold(int c) {
        return thresholds[c];
    }

    /** This rule with every spotted class at {@code threshold} (classes switched off stay off). */
    public ContinuousRule withThreshold(double threshold) {
        double[] t = thresholds.clone();
        for (int c = 0; c < t.length; c++) if (t[c] <= 1) t[c] = threshold;
        return new ContinuousRule(t, hold, refractory, score, gate);
    }

    /** This rule with class {@code c} at {@code threshold}. */
    public ContinuousRule withThreshold(int c, double threshold) {
        double[] t = thresholds.clone();
        t[c] = threshold;
        return new ContinuousRule(t, hold, refractory, score, gate);
    }

    /** This rule spotting only the classes in {@code spotted}; the others are switched off. */
    public ContinuousRule only(Collection<Integer> spotted) {
        double[] t = new double[thresholds.length];
        Arrays.fill(t, OFF);
        for (int c : spotted) {
            if (c < 0 || c >= t.length) throw new IllegalArgumentException("class " + c + " is not one of the " + t.length + " classes");
            t[c] = thresholds[c] <= 1 ? thresholds[c] : DEFAULT_THRESHOLD;
        }
        return new ContinuousRule(t, hold, refractory, score, gate);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContinuousRule r && Arrays.equals(thresholds, r.thresholds) && hold == r.hold && refractory == r.refractory
                && score == r.score && Double.compare(gate, r.gate) == 0;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * (31 * Arrays.hashCode(thresholds) + hold) + refractory) + score.hashCode()) + Double.hashCode(gate);
    }

    @Override
    public String toString() {
        return "ContinuousRule[thresholds=" + Arrays.toString(thresholds) + ", hold=" + hold + ", refractory=" + refractory + ", score=" + score + ", gate=" + gate + "]";
    }

    /** A fresh tracker for one stream. */
    public Tracker tracker() {
        return new Tracker(this);
    }

    /** Applies the rule to one stream's frames, in order; nothing is allocated per frame. */
    public static final class Tracker {
        private final ContinuousRule rule;
        private final double[] scores;
        private final boolean[] armed;   // fell below its threshold since its last event
        private final long[] lastEvent;  // frame of each class's last event
        private int candidate = -1;
        private int run;

        private Tracker(ContinuousRule rule) {
            this.rule = rule;
            scores = new double[rule.classes()];
            armed = new boolean[rule.classes()];
            lastEvent = new long[rule.classes()];
            reset();
        }

        /**
         * Offers the logits {@code logits[off, off + classes)} of {@code frame} (frames must come in
         * increasing order).
         *
         * @return the class of the keyword emitted on this frame, else -1
         */
        public int offer(float[] logits, int off, long frame) {
            rule.score.of(logits, off, scores);
            return decide(frame);
        }

        /**
         * Offers the per-class scores of {@code frame} directly (for readouts that combine several
         * model states); {@code scores} is copied.
         *
         * @return the class of the keyword emitted on this frame, else -1
         */
        public int offerScores(double[] frameScores, long frame) {
            System.arraycopy(frameScores, 0, scores, 0, scores.length);
            return decide(frame);
        }

        private int decide(long frame) {
            int n = scores.length;
            int best = -1;
            for (int c = 0; c < n; c++) {
                if (!(scores[c] >= rule.thresholds[c])) {
                    armed[c] = true; // NaN re-arms too: it is not a keyword
                } else if (best < 0 || scores[c] > scores[best]) {
                    best = c;
                }
            }
            run = best < 0 ? 0 : best == candidate ? run + 1 : 1;
            candidate = best;
            if (best < 0 || run < rule.hold || !armed[best] || frame - lastEvent[best] < rule.refractory) return -1;
            armed[best] = false;
            lastEvent[best] = frame;
            return best;
        }

        /** Score of class {@code c} on the last frame offered. */
        public double score(int c) {
            return scores[c];
        }

        /** The candidate of the last frame offered (the best class at or above its threshold), -1 for none. */
        public int candidate() {
            return candidate;
        }

        /** Starts a new stream. */
        public void reset() {
            Arrays.fill(scores, 0);
            Arrays.fill(armed, true);
            Arrays.fill(lastEvent, Long.MIN_VALUE / 2);
            candidate = -1;
            run = 0;
        }
    }
}
