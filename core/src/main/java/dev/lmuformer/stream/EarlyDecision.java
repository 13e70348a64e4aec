package dev.lmuformer.stream;

/**
 * The early-decision rule for the streaming readout: a keyword is decided on the frame where the
 * top class's softmax probability has been at least {@code threshold} for {@code hold} consecutive
 * frames with the same top class. Softmax is taken over the running-mean logits of one frame.
 *
 * @param threshold probability in (0, 1] the top class must reach
 * @param hold      consecutive frames (at least 1) it must stay there, the same class each time
 */
public record EarlyDecision(double threshold, int hold) implements SpottingRule {
    /** Default threshold; see {@link #DEFAULT}. */
    public static final double DEFAULT_THRESHOLD = 0.5;
    /** Default hold; see {@link #DEFAULT}. */
    public static final int DEFAULT_HOLD = 20;
    /**
     * The default rule, threshold 0.5 held for 20 frames (200 ms), measured on the bundled
     * validation split with the demo checkpoint: of the rules whose early decisions are as accurate
     * as the full clip, it reads about the fewest frames (docs/streaming.md).
     */
    public static final EarlyDecision DEFAULT = new EarlyDecision(DEFAULT_THRESHOLD, DEFAULT_HOLD);

    /** Checks the ranges. */
    public EarlyDecision {
        if (!(threshold > 0 && threshold <= 1)) throw new IllegalArgumentException("threshold must be in (0, 1], got " + threshold);
        if (hold < 1) throw new IllegalArgumentException("hold must be at least 1 frame, got " + hold);
    }

    /** A fresh tracker for one sequence. */
    public Tracker tracker() {
        return new Tracker(this);
    }

    /** Applies the rule to one sequence of frames; after the decision it only reports the frames' top class. */
    public static final class Tracker {
        private final EarlyDecision rule;
        private int top = -1;
        private double probability;
        private int run; // consecutive frames so far with this top class at or above the threshold
        private int decided = -1;

        private Tracker(EarlyDecision rule) {
            this.rule = rule;
        }

        /**
         * Offers the logits {@code logits[off, off+classes)} of the next frame.
         *
         * @return the decided class on the frame where the rule fires, else -1 (also on every later frame)
         */
        public int offer(float[] logits, int off, int classes) {
            int best = off;
            for (int j = off + 1; j < off + classes; j++) {
                if (logits[j] > logits[best]) best = j;
            }
            // p_top = 1 / Σ exp(l_j − l_top); StrictMath so that a decision never depends on the JIT.
            double sum = 0;
            for (int j = off; j < off + classes; j++) sum += StrictMath.exp(logits[j] - logits[best]);
            probability = 1 / sum;
            boolean sameClass = best - off == top;
            top = best - off;
            run = !(probability >= rule.threshold) ? 0 : sameClass ? run + 1 : 1; // NaN breaks a run
            if (decided < 0 && run >= rule.hold) {
                decided = top;
                return top;
            }
            return -1;
        }

        /** Top class of the last frame offered, -1 before the first. */
        public int top() {
            return top;
        }

        /** Softmax probability of {@link #top()} on the last frame offered. */
        public double probability() {
            return probability;
        }

        /** The decided class, or -1 while undecided. */
        public int decided() {
            return decided;
        }

        /** Starts a new sequence. */
        public void reset() {
            top = -1;
            probability = 0;
            run = 0;
            decided = -1;
        }
    }
}
