package dev.lmuformer.stream;

/**
 * How clearly a stream has just carried speech: by how many dB the loudest frame of the last
 * {@code recent} frames stands above the noise floor, the quietest frame of the last
 * {@code floor} frames ({@link #excess()}); speech is present when that reaches the rule's margin.
 * Kept as a level rather than a yes/no so that a recorded trace replays any margin. A keyword is spoken, so a continuous session with a speech margin
 * ({@link ContinuousRule#speechMargin()}) emits nothing while there is none: the sliding readout
 * keeps the trace of a word in the LMU memory for θ frames after it, and that trace, read out of
 * pure noise, can look like another word. At a stream's start the floor is the first frames
 * themselves, so speech counts once something quieter has been heard. O(1) per frame: a sliding minimum and maximum kept in
 * monotonic queues over rings; nothing is allocated after construction.
 */
final class SpeechPresence {
    private final int floor;
    private final int recent;
    private final SlidingExtreme quietest;
    private final SlidingExtreme loudest;
    private long frames;

    SpeechPresence(int floor, int recent) {
        if (floor < 1 || recent < 1 || recent > floor) throw new IllegalArgumentException("need 1 ≤ recent ≤ floor frames, got " + recent + ", " + floor);
        this.floor = floor;
        this.recent = recent;
        quietest = new SlidingExtreme(floor, false);
        loudest = new SlidingExtreme(recent, true);
    }

    /** Adds the next frame's energy, in dB. */
    void add(double db) {
        quietest.add(frames, db);
        loudest.add(frames, db);
        frames++;
    }

    /** dB by which the loudest recent frame stands above the floor; -∞ before any frame. */
    double excess() {
        return frames == 0 ? Double.NEGATIVE_INFINITY : loudest.value() - quietest.value();
    }

    /** True when a recent frame stands {@code margin} dB above the floor. */
    boolean present(double margin) {
        return excess() >= margin;
    }

    /** Forgets every frame. */
    void clear() {
        quietest.clear();
        loudest.clear();
        frames = 0;
    }

    /** The maximum (or minimum) of the last {@code span} values: a queue of candidates, oldest first, in a ring. */
    private static final class SlidingExtreme {
        private final int span;
        private final boolean max;
        private final long[] index;
        private final double[] value;
        private int head;
        private int size;

        SlidingExtreme(int span, boolean max) {
            this.span = span;
            this.max = max;
            index = new long[span];
            value = new double[span];
        }

        void add(long i, double v) {
            // drop the candidates the new value beats: they can never be the extreme again
            while (size > 0) {
                double last = value[(head + size - 1) % span];
                if (max ? last > v : last < v) break;
                size--;
            }
            if (size > 0 && index[head] <= i - span) {
                head = (head + 1) % span;
                size--;
            }
            int at = (head + size) % span;
            index[at] = i;
            value[at] = v;
            size++;
        }

        double value() {
            return value[head];
        }

        void clear() {
            head = 0;
            size = 0;
        }
    }
}
