package dev.lmuformer.spot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The events of a detector matched against the keywords of one or more streams (see
 * {@link EventMatcher} for the rules). Streams add up with {@link #plus}.
 */
public final class Match {
    /** What an event turned out to be. */
    public enum Outcome {
        /** The first event of the right word in a keyword's window. */
        HIT,
        /** An event in a keyword window whose word matches none of the keywords whose windows it is in. */
        SUBSTITUTION,
        /** Another event of the right word in the window of a keyword already hit: neither hit nor false alarm. */
        DUPLICATE,
        /** An event outside every keyword window. */
        FALSE_ALARM
    }

    /**
     * One event and what it turned out to be.
     *
     * @param event   the event
     * @param outcome what it is
     * @param truth   index into {@link #truths()} of the keyword it hit, repeated or was substituted
     *                in (the earliest-starting window it lies in), -1 for a false alarm
     */
    public record Verdict(Detection event, Outcome outcome, int truth) {
    }

    private final List<Truth> truths;
    private final boolean[] hit;
    private final List<Verdict> verdicts;
    private final double hours;
    private final int hits, substitutions, duplicates, falseAlarms;
    private final List<WordStats> words;

    /** Takes the arrays and lists as they are: callers hand over fresh ones. */
    Match(List<Truth> truths, boolean[] hit, List<Verdict> verdicts, double hours) {
        this.truths = List.copyOf(truths);
        this.hit = hit;
        this.verdicts = List.copyOf(verdicts);
        this.hours = hours;
        int[] count = new int[Outcome.values().length];
        for (Verdict v : verdicts) count[v.outcome().ordinal()]++;
        hits = count[Outcome.HIT.ordinal()];
        substitutions = count[Outcome.SUBSTITUTION.ordinal()];
        duplicates = count[Outcome.DUPLICATE.ordinal()];
        falseAlarms = count[Outcome.FALSE_ALARM.ordinal()];
        words = wordTable();
    }

    private List<WordStats> wordTable() {
        Map<String, int[]> byWord = new TreeMap<>(); // keywords, hits, substitutions
        for (int i = 0; i < truths.size(); i++) {
            int[] c = byWord.computeIfAbsent(truths.get(i).word(), w -> new int[3]);
            c[0]++;
            if (hit[i]) c[1]++;
        }
        for (Verdict v : verdicts) {
            if (v.outcome() == Outcome.SUBSTITUTION) byWord.get(truths.get(v.truth()).word())[2]++;
        }
        List<WordStats> table = new ArrayList<>();
        byWord.forEach((w, c) -> table.add(new WordStats(w, c[0], c[1], c[2], (double) c[1] / c[0])));
        return List.copyOf(table);
    }

    /** Keywords in the streams. */
    public int keywords() {
        return truths.size();
    }

    /** Keywords detected. */
    public int hits() {
        return hits;
    }

    /** Events of a wrong word inside keyword windows. */
    public int substitutions() {
        return substitutions;
    }

    /** Repeated detections of keywords already hit. */
    public int duplicates() {
        return duplicates;
    }

    /** Events outside every keyword window. */
    public int falseAlarms() {
        return falseAlarms;
    }

    /** Length of the audio, in hours. */
    public double hours() {
        return hours;
    }

    /** {@code hits / keywords}; NaN without keywords. */
    public double recall() {
        return truths.isEmpty() ? Double.NaN : (double) hits / truths.size();
    }

    /** {@code 1 - recall()}. */
    public double falseRejectRate() {
        return 1 - recall();
    }

    /** False alarms per hour of audio. */
    public double falseAlarmsPerHour() {
        return falseAlarms / hours;
    }

    /** Results per keyword word, sorted by word. */
    public List<WordStats> words() {
        return words;
    }

    /** The keywords, in the order given (streams one after another after {@link #plus}). */
    public List<Truth> truths() {
        return truths;
    }

    /** Whether each keyword of {@link #truths()} was hit, in that order (a copy). */
    public boolean[] hitPerTruth() {
        return hit.clone();
    }

    /** Every event with what it turned out to be, in time order (stream by stream after {@link #plus}). */
    public List<Verdict> verdicts() {
        return verdicts;
    }

    /** The false alarms, in time order. */
    public List<Detection> falseAlarmEvents() {
        List<Detection> out = new ArrayList<>();
        for (Verdict v : verdicts) if (v.outcome() == Outcome.FALSE_ALARM) out.add(v.event());
        return out;
    }

    /**
     * The results of this stream and {@code other} together: counts and hours add, keywords and
     * verdicts follow one another (the other's truth indices move past this one's keywords).
     */
    public Match plus(Match other) {
        List<Truth> allTruths = new ArrayList<>(truths);
        allTruths.addAll(other.truths);
        boolean[] allHit = Arrays.copyOf(hit, hit.length + other.hit.length);
        System.arraycopy(other.hit, 0, allHit, hit.length, other.hit.length);
        List<Verdict> allVerdicts = new ArrayList<>(verdicts);
        int shift = truths.size();
        for (Verdict v : other.verdicts) allVerdicts.add(v.truth() < 0 ? v : new Verdict(v.event(), v.outcome(), v.truth() + shift));
        return new Match(allTruths, allHit, allVerdicts, hours + other.hours);
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "recall %.4f (%d/%d), %d substitutions, %d duplicates, %d false alarms in %.3f h (%.2f/h)",
                recall(), hits, keywords(), substitutions, duplicates, falseAlarms, hours, falseAlarmsPerHour());
    }
}
