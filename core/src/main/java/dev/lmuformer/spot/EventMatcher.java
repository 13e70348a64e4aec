package dev.lmuformer.spot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Matches detector events against keywords the way wake-word benchmarks do. Keyword k's window is
 * {@code [start − before, end + after]}, ends included. Events are taken in time order (ties in the
 * order given):
 * <ul>
 *   <li>an event whose word is that of a keyword not yet hit, inside its window, is a <b>hit</b> of
 *       it (of the earliest-starting such keyword when there are several; one hit per keyword);</li>
 *   <li>an event of the right word in the window of a keyword already hit is a <b>duplicate</b>,
 *       neither hit nor false alarm;</li>
 *   <li>an event inside keyword windows whose word is none of theirs is a <b>substitution</b>,
 *       counted apart and put on the earliest-starting window it lies in;</li>
 *   <li>an event outside every window is a <b>false alarm</b>.</li>
 * </ul>
 */
public final class EventMatcher {
    /** Default seconds a window opens before its keyword's speech: a detector may fire on the onset. */
    public static final double BEFORE = 0.1;
    /** Default seconds a window stays open after its keyword's speech: a streaming detector decides late. */
    public static final double AFTER = 0.5;

    private static final double SLACK = 1e-6;

    private EventMatcher() {
    }

    /** {@link #match(List, List, double, double, double)} with the windows {@link #BEFORE} and {@link #AFTER}. */
    public static Match match(List<Truth> truths, List<Detection> events, double audioSeconds) {
        return match(truths, events, audioSeconds, BEFORE, AFTER);
    }

    /**
     * Matches {@code events} against {@code truths} (in any order) in one stream of
     * {@code audioSeconds} seconds.
     *
     * @param before seconds the windows open before the keywords start, at least 0
     * @param after  seconds the windows stay open after the keywords end, at least 0
     */
    public static Match match(List<Truth> truths, List<Detection> events, double audioSeconds, double before, double after) {
        if (!(audioSeconds > 0) || !Double.isFinite(audioSeconds)) {
            throw new IllegalArgumentException("audio length must be positive and finite, got " + audioSeconds);
        }
        if (!(before >= 0) || !Double.isFinite(before)) throw new IllegalArgumentException("before must be finite and at least 0, got " + before);
        if (!(after >= 0) || !Double.isFinite(after)) throw new IllegalArgumentException("after must be finite and at least 0, got " + after);
        int n = truths.size();
        Integer[] byStart = new Integer[n];
        for (int i = 0; i < n; i++) byStart[i] = i;
        Arrays.sort(byStart, Comparator.comparingDouble(i -> truths.get(i).start())); // stable: ties keep the given order
        double[] starts = new double[n];
        double longest = 0;
        for (int r = 0; r < n; r++) {
            Truth t = truths.get(byStart[r]);
            starts[r] = t.start();
            longest = Math.max(longest, t.end() - t.start());
        }
        List<Detection> inTime = new ArrayList<>(events);
        inTime.sort(Comparator.comparingDouble(Detection::time));
        boolean[] hit = new boolean[n];
        List<Match.Verdict> verdicts = new ArrayList<>(inTime.size());
        for (Detection e : inTime) {
            // A window holds e.time() only if its start lies in [time − after − longest, time + before]; the
            // slack keeps rounding in these sums from dropping a window that the exact test below takes.
            int from = firstAtLeast(starts, e.time() - after - longest - SLACK), to = firstAtLeast(starts, e.time() + before + SLACK);
            int firstWindow = -1, repeated = -1, target = -1;
            for (int r = from; r < to && target < 0; r++) {
                int i = byStart[r];
                Truth t = truths.get(i);
                if (!(e.time() >= t.start() - before && e.time() <= t.end() + after)) continue;
                if (firstWindow < 0) firstWindow = i;
                if (!t.word().equals(e.word())) continue;
                if (!hit[i]) target = i;
                else if (repeated < 0) repeated = i;
            }
            Match.Verdict v;
            if (target >= 0) {
                hit[target] = true;
                v = new Match.Verdict(e, Match.Outcome.HIT, target);
            } else if (repeated >= 0) {
                v = new Match.Verdict(e, Match.Outcome.DUPLICATE, repeated);
            } else if (firstWindow >= 0) {
                v = new Match.Verdict(e, Match.Outcome.SUBSTITUTION, firstWindow);
            } else {
                v = new Match.Verdict(e, Match.Outcome.FALSE_ALARM, -1);
            }
            verdicts.add(v);
        }
        return new Match(truths, hit, verdicts, audioSeconds / 3600);
    }

    /** The first index whose value is at least {@code x} ({@code sorted.length} if none). */
    private static int firstAtLeast(double[] sorted, double x) {
        int lo = 0, hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < x) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}
