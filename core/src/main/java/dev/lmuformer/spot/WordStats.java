package dev.lmuformer.spot;

/**
 * The results for one keyword word.
 *
 * @param word          the word
 * @param keywords      how many times it was spoken
 * @param hits          how many of those were detected
 * @param substitutions events of another word inside its keywords' windows
 * @param recall        {@code hits / keywords}
 */
public record WordStats(String word, int keywords, int hits, int substitutions, double recall) {
}
