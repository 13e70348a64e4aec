package dev.lmuformer.spot;

/**
 * One event of a continuous keyword detector.
 *
 * @param word    the keyword it detected, not empty
 * @param score   the detector's score for it (higher is surer)
 * @param time    seconds from the start of the stream to the frame it was detected on
 * @param knownAt seconds of audio that had arrived when it was reported (its latency is
 *                {@code knownAt - time} beyond the frame)
 */
public record Detection(String word, double score, double time, double knownAt) {
    /** Checks the word and the time. */
    public Detection {
        if (word == null || word.isEmpty()) throw new IllegalArgumentException("a detection needs a word");
        if (!Double.isFinite(time)) throw new IllegalArgumentException("detection time must be finite, got " + time);
    }
}
