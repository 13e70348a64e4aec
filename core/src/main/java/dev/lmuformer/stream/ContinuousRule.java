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
 * <p>With a {@code decision} window of D &gt; 0 frames, the first candidate to complete its hold opens
 * a decision: for D more frames every candidate that completes its hold competes, and the one with
 * the highest score wins; its event carries the frame of that peak ({@link Tracker#eventFrame()}),
 * reported D frames after the decision opened. As a word passes through the sliding readout, the readout's top class can change (a
 * fragment of "seven" looks like "six"): the decision keeps the best-supported one.
 *
 * <p>After any event, no class fires for {@code lockout} frames: the words that a passing word's
 * fragments look like, while it leaves the readout and then the LMU memory, are not reported.
 *
 * <p>The readout averages the last {@code window} frames' features (0: as many as the model's clip,
 * 128). A shorter window lets a short word dominate the mean sooner and leave it sooner.
 *
 * @param thresholds per class, the score it must reach; {@link #OFF} (or any value above 1) for a
 *                   class that is not spotted (the keyword subset)
 * @param hold       consecutive frames (at least 1) a candidate must hold its threshold
 * @param refractory frames after a class's event during which it cannot fire again (at least 0)
 * @param score      how logits become scores
 * @param gate       energy gate, dBFS: a frame whose RMS lies below it is not given to the model (no
 *                   model step, no score; the model state waits for the next louder frame);
 *                   {@link #NO_GATE} steps every frame
 * @param window     frames the sliding readout averages; 0 for the model's clip length
 * @param decision   frames a decision stays open for a better candidate; 0 emits at once
 * @param lockout    frames after any event during which no class fires
 * @param speechMargin dB above the noise floor (the quietest frame of the last {@link #FLOOR_FRAMES})
 *                   that a frame of the last {@link #SPEECH_FRAMES} must reach for any event; 0 for
 *                   no such condition (see {@link SpeechPresence})
 */
public record ContinuousRule(double[] thresholds, int hold, int refractory, Score score, double gate, int window, int decision, int lockout,
                             double speechMargin) implements SpottingRule {
    /** Frames over which the noise floor is the quietest frame: 3 s. */
    public static final int FLOOR_FRAMES = 300;
    /** Frames in which speech must have been for an event: 0.5 s. */
    public static final int SPEECH_FRAMES = 50;
    /** The gate that lets every frame through. */
    public static final double NO_GATE = Double.NEGATIVE_INFINITY;
    /** A threshold that no score reaches: the class is not spotted. */
    public static final double OFF = Double.POSITIVE_INFINITY;
    /**
     * Default threshold of softmax scores; chosen on the bundled validation streams (docs/keyword-spotting.md,
     * "Continuous keyword spotting"). A checkpoint may carry its own ({@link #THRESHOLD_METADATA}).
     */
    public static final double DEFAULT_THRESHOLD = 0.95;
    /** Default threshold of sigmoid scores, which saturate: chosen likewise. */
    public static final double DEFAULT_SIGMOID_THRESHOLD = 0.999;
    /** The checkpoint metadata key of the threshold chosen for that model (written by {@code demo}). */
    public static final String THRESHOLD_METADATA = "spot_threshold";
    /** The checkpoint metadata key of the speech margin chosen for that model (written by {@code demo}). */
    public static final String SPEECH_MARGIN_METADATA = "spot_speech_margin";
    /** The checkpoint metadata key of the readout window (frames) that model's operating point was chosen at ({@code eval --tune}). */
    public static final String WINDOW_METADATA = "spot_window";
    /** Default hold: 3 frames (30 ms). */
    public static final int DEFAULT_HOLD = 3;
    /** Default refractory period: 50 frames (0.5 s). */
    public static final int DEFAULT_REFRACTORY = 50;
    /** Default readout window: 24 frames (0.24 s). */
    public static final int DEFAULT_WINDOW = 24;
    /** Default decision window: 0 (emit at once). */
    public static final int DEFAULT_DECISION = 0;
    /** Default lockout after any event: none (a lockout drops the right word when a wrong one fires first; docs/keyword-spotting.md). */
    public static final int DEFAULT_LOCKOUT = 0;
    /** Default speech margin: 0, no condition (chosen below once measured). */
    public static final double DEFAULT_SPEECH_MARGIN = 0;

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
        if (window < 0) throw new IllegalArgumentException("the readout window must not be negative, got " + window);
        if (decision < 0) throw new IllegalArgumentException("the decision window must not be negative, got " + decision);
        if (lockout < 0) throw new IllegalArgumentException("the lockout must not be negative, got " + lockout);
        if (!(speechMargin >= 0) || Double.isInfinite(speechMargin)) throw new IllegalArgumentException("the speech margin must be 0 or more dB, got "
                + speechMargin);
    }

    /** Without an energy gate, with the model's clip length as readout window, emitting at once. */
    public ContinuousRule(double[] thresholds, int hold, int refractory, Score score) {
        this(thresholds, hold, refractory, score, NO_GATE, 0, 0, 0, 0);
    }

    /** This rule with the energy gate at {@code dbfs} ({@link #NO_GATE} for none). */
    public ContinuousRule withGate(double dbfs) {
        return new ContinuousRule(thresholds, hold, refractory, score, dbfs, window, decision, lockout, speechMargin);
    }

    /** This rule with a readout of the last {@code frames} frames (0: the model's clip length). */
    public ContinuousRule withWindow(int frames) {
        return new ContinuousRule(thresholds, hold, refractory, score, gate, frames, decision, lockout, speechMargin);
    }

    /** This rule with decisions open for {@code frames} frames. */
    public ContinuousRule withDecision(int frames) {
        return new ContinuousRule(thresholds, hold, refractory, score, gate, window, frames, lockout, speechMargin);
    }

    /** This rule emitting only with speech {@code db} dB above the noise floor in the last {@link #SPEECH_FRAMES} (0: always). */
    public ContinuousRule withSpeechMargin(double db) {
        return new ContinuousRule(thresholds, hold, refractory, score, gate, window, decision, lockout, db);
    }

    /** This rule with a lockout of {@code frames} frames after any event. */
    public ContinuousRule withLockout(int frames) {
        return new ContinuousRule(thresholds, hold, refractory, score, gate, window, decision, frames, speechMargin);
    }

    /** Every one of {@code classes} classes spotted at {@code threshold}. */
    public static ContinuousRule of(int classes, double threshold, int hold, int refractory, Score score) {
        double[] t = new double[classes];
        Arrays.fill(t, threshold);
        return new ContinuousRule(t, hold, refractory, score);
    }

    /** The default threshold of {@code score}s. */
    public static double defaultThreshold(Score score) {
        return score == Score.SIGMOID ? DEFAULT_SIGMOID_THRESHOLD : DEFAULT_THRESHOLD;
    }

    /** The defaults for a model of {@code classes} classes scored by {@code score}. */
    public static ContinuousRule defaults(int classes, Score score) {
        return of(classes, defaultThreshold(score), DEFAULT_HOLD, DEFAULT_REFRACTORY, score).withWindow(DEFAULT_WINDOW).withDecision(DEFAULT_DECISION)
                .withLockout(DEFAULT_LOCKOUT).withSpeechMargin(DEFAULT_SPEECH_MARGIN);
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
        return new ContinuousRule(t, hold, refractory, score, gate, window, decision, lockout, speechMargin);
    }

    /** This rule with class {@code c} at {@code threshold}. */
    public ContinuousRule withThreshold(int c, double threshold) {
        double[] t = thresholds.clone();
        t[c] = threshold;
        return new ContinuousRule(t, hold, refractory, score, gate, window, decision, lockout, speechMargin);
    }

    /** This rule spotting only the classes in {@code spotted}; the others are switched off. */
    public ContinuousRule only(Collection<Integer> spotted) {
        double[] t = new double[thresholds.length];
        Arrays.fill(t, OFF);
        for (int c : spotted) {
            if (c < 0 || c >= t.length) throw new IllegalArgumentException("class " + c + " is not one of the " + t.length + " classes");
            t[c] = thresholds[c] <= 1 ? thresholds[c] : defaultThreshold(score);
        }
        return new ContinuousRule(t, hold, refractory, score, gate, window, decision, lockout, speechMargin);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContinuousRule r && Arrays.equals(thresholds, r.thresholds) && hold == r.hold && refractory == r.refractory
                && score == r.score && Double.compare(gate, r.gate) == 0 && window == r.window && decision == r.decision
                && lockout == r.lockout && Double.compare(speechMargin, r.speechMargin) == 0;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(thresholds) * 31 + java.util.Objects.hash(hold, refractory, score, gate, window, decision, lockout, speechMargin);
    }

    @Override
    public String toString() {
        return "ContinuousRule[thresholds=" + Arrays.toString(thresholds) + ", hold=" + hold + ", refractory=" + refractory + ", score=" + score + ", gate="
                + gate + ", window=" + window
                + ", decision=" + decision + ", lockout=" + lockout + ", speechMargin=" + speechMargin + "]";
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
        private int pending = -1;        // the class leading an open decision
        private double pendingScore;
        private long pendingFrame;
        private long decideAt;           // the frame the open decision closes on
        private long lastAny;            // frame of the last event of any class
        private long eventFrame;
        private double eventScore;

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
            return offer(logits, off, frame, true);
        }

        /** As {@link #offer(float[], int, long)}; without {@code speech} (see {@link #speechMargin()}) nothing fires on this frame. */
        public int offer(float[] logits, int off, long frame, boolean speech) {
            rule.score.of(logits, off, scores);
            return decide(frame, speech);
        }

        /**
         * Offers the per-class scores of {@code frame} directly (for readouts that combine several
         * model states); {@code scores} is copied.
         *
         * @return the class of the keyword emitted on this frame, else -1
         */
        public int offerScores(double[] frameScores, long frame) {
            return offerScores(frameScores, frame, true);
        }

        /** As {@link #offerScores(double[], long)}; without {@code speech} nothing fires on this frame. */
        public int offerScores(double[] frameScores, long frame, boolean speech) {
            System.arraycopy(frameScores, 0, scores, 0, scores.length);
            return decide(frame, speech);
        }

        private int decide(long frame, boolean speech) {
            int n = scores.length;
            int best = -1;
            for (int c = 0; c < n; c++) {
                if (!speech || !(scores[c] >= rule.thresholds[c])) {
                    armed[c] = true; // NaN re-arms too: it is not a keyword
                } else if (best < 0 || scores[c] > scores[best]) {
                    best = c;
                }
            }
            run = best < 0 ? 0 : best == candidate ? run + 1 : 1;
            candidate = best;
            boolean ready = best >= 0 && run >= rule.hold && armed[best] && frame - lastEvent[best] >= rule.refractory
                    && frame - lastAny >= rule.lockout;
            if (ready && (pending < 0 || scores[best] > pendingScore)) {
                if (pending < 0) decideAt = frame + rule.decision;
                pending = best;
                pendingScore = scores[best];
                pendingFrame = frame;
            }
            if (pending < 0 || frame < decideAt) return -1;
            int label = pending;
            pending = -1;
            armed[label] = false;
            lastEvent[label] = pendingFrame;
            lastAny = pendingFrame;
            eventFrame = pendingFrame;
            eventScore = pendingScore;
            return label;
        }

        /** The frame of the last event returned: the decision's peak, at or before the frame that returned it. */
        public long eventFrame() {
            return eventFrame;
        }

        /** The score of the last event returned, on its frame. */
        public double eventScore() {
            return eventScore;
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
            pending = -1;
            lastAny = Long.MIN_VALUE / 2;
        }
    }
}
