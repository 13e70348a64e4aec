package dev.lmuformer.spot;

/**
 * One keyword in a recording: the word and the span of its speech, in seconds from the start.
 *
 * @param word  the keyword, not empty
 * @param start where its speech begins, at least 0
 * @param end   where its speech ends, after {@code start}
 */
public record Truth(String word, double start, double end) {
    /** Checks the word and the span. */
    public Truth {
        if (word == null || word.isEmpty()) throw new IllegalArgumentException("a keyword needs a word");
        if (!(start >= 0) || !Double.isFinite(start)) throw new IllegalArgumentException("start must be finite and at least 0, got " + start);
        if (!(end > start) || !Double.isFinite(end)) throw new IllegalArgumentException("end must be finite and after start " + start + ", got " + end);
    }
}
