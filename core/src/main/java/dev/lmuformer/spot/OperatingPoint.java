package dev.lmuformer.spot;

/**
 * The results of a detector at one threshold: a point of its DET curve.
 *
 * @param threshold          the detector's threshold
 * @param recall             keywords hit over keywords (NaN without keywords)
 * @param falseAlarmsPerHour false alarms per hour of audio
 * @param hits               keywords hit
 * @param substitutions      events of a wrong word inside keyword windows
 * @param falseAlarms        events outside every keyword window
 * @param keywords           keywords in the audio
 */
public record OperatingPoint(double threshold, double recall, double falseAlarmsPerHour, int hits, int substitutions, int falseAlarms, int keywords) {
    /** The point of {@code m}, found at {@code threshold}. */
    public static OperatingPoint of(double threshold, Match m) {
        return new OperatingPoint(threshold, m.recall(), m.falseAlarmsPerHour(), m.hits(), m.substitutions(), m.falseAlarms(), m.keywords());
    }

    /** {@code 1 - recall}. */
    public double falseRejectRate() {
        return 1 - recall;
    }
}
