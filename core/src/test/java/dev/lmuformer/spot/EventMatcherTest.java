package dev.lmuformer.spot;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The matching rules on hand-placed keywords and events. */
class EventMatcherTest {
    private static final double HOUR = 3600;

    private static Detection at(String word, double time) {
        return new Detection(word, 0.9, time, time + 0.2);
    }

    private static Match one(Truth truth, Detection event) {
        return EventMatcher.match(List.of(truth), List.of(event), HOUR);
    }

    @Test
    void windowEdgesAreInclusive() {
        Truth yes = new Truth("yes", 1.3, 1.8);
        assertEquals(1, one(yes, at("yes", 1.3 - 0.1)).hits(), "start − before");
        assertEquals(1, one(yes, at("yes", 1.8 + 0.5)).hits(), "end + after");
        Match early = one(yes, at("yes", Math.nextDown(1.3 - 0.1)));
        assertEquals(0, early.hits());
        assertEquals(1, early.falseAlarms(), "just before the window");
        Match late = one(yes, at("yes", Math.nextUp(1.8 + 0.5)));
        assertEquals(0, late.hits());
        assertEquals(1, late.falseAlarms(), "just after the window");
        assertEquals(1, EventMatcher.match(List.of(yes), List.of(at("yes", 1.0)), HOUR, 0.3, 0).hits(), "explicit before");
        assertEquals(0, EventMatcher.match(List.of(yes), List.of(at("yes", 1.9)), HOUR, 0.3, 0).hits(), "explicit after");
    }

    @Test
    void aWrongWordInAWindowIsASubstitutionNotAFalseAlarm() {
        Match m = EventMatcher.match(List.of(new Truth("yes", 1, 1.5), new Truth("no", 5, 5.5)), List.of(at("no", 1.2)), HOUR);
        assertEquals(0, m.hits());
        assertEquals(1, m.substitutions());
        assertEquals(0, m.falseAlarms());
        assertEquals(new Match.Verdict(at("no", 1.2), Match.Outcome.SUBSTITUTION, 0), m.verdicts().get(0));
        assertEquals(0, m.recall());
        assertEquals(1, m.falseRejectRate());
    }

    @Test
    void aRepeatIsADuplicate() {
        Match m = EventMatcher.match(List.of(new Truth("yes", 1, 1.5)), List.of(at("yes", 1.2), at("yes", 1.6), at("yes", 2.5)), HOUR);
        assertEquals(1, m.hits());
        assertEquals(1, m.duplicates());
        assertEquals(1, m.falseAlarms(), "outside the window a repeat is a false alarm");
        assertEquals(List.of(Match.Outcome.HIT, Match.Outcome.DUPLICATE, Match.Outcome.FALSE_ALARM),
                m.verdicts().stream().map(Match.Verdict::outcome).toList());
        assertEquals(List.of(at("yes", 2.5)), m.falseAlarmEvents());
    }

    @Test
    void overlappingWindowsOfOtherWords() {
        List<Truth> truths = List.of(new Truth("yes", 1, 1.5), new Truth("no", 1.6, 2.0));
        // 1.55 lies in both windows: the word decides. 1.9 is "yes" again, in yes's window (to 2.0): a duplicate.
        Match m = EventMatcher.match(truths, List.of(at("no", 1.55), at("yes", 1.3), at("yes", 1.9)), HOUR);
        assertEquals(2, m.hits());
        assertEquals(1, m.duplicates());
        assertEquals(0, m.substitutions());
        // "up" in both windows is a substitution on the earliest-starting one.
        Match up = EventMatcher.match(truths, List.of(at("up", 1.7)), HOUR);
        assertEquals(new Match.Verdict(at("up", 1.7), Match.Outcome.SUBSTITUTION, 0), up.verdicts().get(0));
    }

    @Test
    void overlappingWindowsOfTheSameWordTakeTheEarliestNotYetHit() {
        List<Truth> truths = List.of(new Truth("yes", 1.8, 2.2), new Truth("yes", 1, 1.5)); // given out of order
        Match m = EventMatcher.match(truths, List.of(at("yes", 1.9), at("yes", 1.85)), HOUR); // events out of order too
        assertEquals(2, m.hits());
        assertEquals(new Match.Verdict(at("yes", 1.85), Match.Outcome.HIT, 1), m.verdicts().get(0), "events in time order; earliest start first");
        assertEquals(new Match.Verdict(at("yes", 1.9), Match.Outcome.HIT, 0), m.verdicts().get(1));
        assertArrayEquals(new boolean[] {true, true}, m.hitPerTruth());
    }

    @Test
    void hitPerTruthFollowsTheGivenOrder() {
        List<Truth> truths = List.of(new Truth("no", 9, 9.5), new Truth("yes", 1, 1.5), new Truth("up", 5, 5.5));
        Match m = EventMatcher.match(truths, List.of(at("up", 5.2), at("no", 3)), HOUR);
        assertArrayEquals(new boolean[] {false, false, true}, m.hitPerTruth());
        assertEquals(1, m.falseAlarms());
    }

    @Test
    void emptyInputs() {
        Match none = EventMatcher.match(List.of(), List.of(), 1800);
        assertTrue(Double.isNaN(none.recall()));
        assertEquals(0, none.falseAlarmsPerHour());
        assertEquals(0.5, none.hours());
        assertEquals(List.of(), none.words());
        Match noTruths = EventMatcher.match(List.of(), List.of(at("yes", 1), at("no", 2)), 1800);
        assertEquals(2, noTruths.falseAlarms());
        assertEquals(4, noTruths.falseAlarmsPerHour());
        Match noEvents = EventMatcher.match(List.of(new Truth("yes", 1, 2)), List.of(), 1800);
        assertEquals(0, noEvents.recall());
        assertEquals(0, noEvents.falseAlarms());
    }

    @Test
    void perWordStatsAreSortedByWord() {
        List<Truth> truths = List.of(new Truth("yes", 1, 1.5), new Truth("no", 3, 3.5), new Truth("yes", 5, 5.5), new Truth("no", 7, 7.5));
        Match m = EventMatcher.match(truths, List.of(at("yes", 1.2), at("no", 3.1), at("yes", 7.2), at("no", 5.2)), HOUR);
        assertEquals(List.of(new WordStats("no", 2, 1, 1, 0.5), new WordStats("yes", 2, 1, 1, 0.5)), m.words());
        assertEquals(2, m.hits());
        assertEquals(2, m.substitutions());
    }

    @Test
    void plusAddsStreams() {
        Match a = EventMatcher.match(List.of(new Truth("yes", 1, 1.5)), List.of(at("yes", 1.2), at("no", 30)), 1800);
        Match b = EventMatcher.match(List.of(new Truth("no", 1, 1.5), new Truth("yes", 4, 4.5)), List.of(at("no", 1.2), at("up", 4.2), at("no", 1.3)), 5400);
        Match sum = a.plus(b);
        assertEquals(3, sum.keywords());
        assertEquals(2, sum.hits());
        assertEquals(1, sum.substitutions());
        assertEquals(1, sum.duplicates());
        assertEquals(1, sum.falseAlarms());
        assertEquals(2, sum.hours());
        assertEquals(0.5, sum.falseAlarmsPerHour());
        assertEquals(2.0 / 3, sum.recall());
        assertArrayEquals(new boolean[] {true, true, false}, sum.hitPerTruth());
        assertEquals(List.of(new WordStats("no", 1, 1, 0, 1), new WordStats("yes", 2, 1, 1, 0.5)), sum.words());
        assertEquals(new Match.Verdict(at("up", 4.2), Match.Outcome.SUBSTITUTION, 2), sum.verdicts().get(4), "the second stream's indices move on");
        assertEquals(new Truth("yes", 4, 4.5), sum.truths().get(sum.verdicts().get(4).truth()));
    }

    @Test
    void badArguments() {
        List<Truth> t = List.of();
        List<Detection> e = List.of();
        assertThrows(IllegalArgumentException.class, () -> EventMatcher.match(t, e, 0));
        assertThrows(IllegalArgumentException.class, () -> EventMatcher.match(t, e, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> EventMatcher.match(t, e, 10, -0.1, 0.5));
        assertThrows(IllegalArgumentException.class, () -> EventMatcher.match(t, e, 10, 0.1, Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> new Truth("yes", 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new Truth("", 1, 2));
        assertThrows(IllegalArgumentException.class, () -> new Truth("yes", -1, 2));
        assertThrows(IllegalArgumentException.class, () -> new Detection("yes", 1, Double.NaN, 1));
    }
}
