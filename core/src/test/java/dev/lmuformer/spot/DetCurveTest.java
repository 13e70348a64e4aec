package dev.lmuformer.spot;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading a threshold sweep as a DET curve. */
class DetCurveTest {
    private static OperatingPoint point(double threshold, double recall, double faPerHour) {
        return new OperatingPoint(threshold, recall, faPerHour, (int) Math.round(recall * 10), 0, (int) Math.round(faPerHour), 10);
    }

    private static final OperatingPoint LOOSE = point(0.3, 0.95, 4);
    private static final OperatingPoint MIDDLE = point(0.5, 0.9, 1);
    private static final OperatingPoint MIDDLE_HIGHER = point(0.6, 0.9, 1);
    private static final OperatingPoint STRICT = point(0.8, 0.7, 0.5);
    private static final List<OperatingPoint> SWEEP = List.of(LOOSE, MIDDLE, MIDDLE_HIGHER, STRICT);

    @Test
    void recallAtTakesTheBestPointWithinTheBudget() {
        assertEquals(0.95, DetCurve.recallAt(SWEEP, 10));
        assertEquals(0.95, DetCurve.recallAt(SWEEP, 4), "the limit is inclusive");
        assertEquals(0.9, DetCurve.recallAt(SWEEP, 3.99));
        assertEquals(0.7, DetCurve.recallAt(SWEEP, 0.5));
        assertTrue(Double.isNaN(DetCurve.recallAt(SWEEP, 0.4)));
        assertTrue(Double.isNaN(DetCurve.recallAt(List.of(), 1)));
    }

    @Test
    void bestBreaksTiesByFalseAlarmsThenHigherThreshold() {
        assertSame(MIDDLE_HIGHER, DetCurve.best(SWEEP, 2));
        OperatingPoint fewer = point(0.4, 0.9, 0.8);
        assertSame(fewer, DetCurve.best(List.of(MIDDLE, fewer, MIDDLE_HIGHER), 2));
        assertNull(DetCurve.best(SWEEP, 0.1));
        OperatingPoint noKeywords = new OperatingPoint(0.9, Double.NaN, 0, 0, 0, 0, 0);
        assertSame(STRICT, DetCurve.best(List.of(noKeywords, STRICT), 1), "a point without recall counts nowhere");
    }

    @Test
    void poissonUpperBoundsAreTheTabulatedOnes() {
        // chi-square quantiles / 2: the exact Garwood bounds
        assertEquals(-Math.log(0.05), DetCurve.poissonUpper(0, 0.95), 1e-9);
        assertEquals(4.7439, DetCurve.poissonUpper(1, 0.95), 1e-4);
        assertEquals(7.7537, DetCurve.poissonUpper(3, 0.95), 1e-4);
        assertEquals(10.0451, DetCurve.poissonUpper(3, 0.99), 1e-4);
        assertTrue(DetCurve.poissonUpper(2, 0.95) > DetCurve.poissonUpper(1, 0.95));
        assertThrows(IllegalArgumentException.class, () -> DetCurve.poissonUpper(-1, 0.95));
        assertThrows(IllegalArgumentException.class, () -> DetCurve.poissonUpper(1, 1));
    }

    @Test
    void bestConfidentKeepsTheBudgetWithConfidence() {
        // 2 hours at ≤ 2 per hour: 4 expected at most; 0 seen bounds the mean by 3.0, 1 seen by 4.74
        OperatingPoint none = new OperatingPoint(0.9, 0.8, 0, 8, 0, 0, 10);
        OperatingPoint one = new OperatingPoint(0.7, 0.85, 0.5, 8, 0, 1, 10);
        OperatingPoint three = new OperatingPoint(0.5, 0.9, 1.5, 9, 0, 3, 10);
        List<OperatingPoint> sweep = List.of(three, one, none);
        assertSame(three, DetCurve.best(sweep, 2), "on average, three in two hours is within the budget");
        assertSame(none, DetCurve.bestConfident(sweep, 2, 2, 0.95));
        assertSame(one, DetCurve.bestConfident(sweep, 2, 2.5, 0.95), "5 allowed: one seen is within it");
        assertNull(DetCurve.bestConfident(sweep, 2, 1, 0.95), "one hour cannot show 2 per hour with confidence");
        assertThrows(IllegalArgumentException.class, () -> DetCurve.bestConfident(sweep, 2, 0, 0.95));
    }

    @Test
    void ofTakesAMatch() {
        Match m = EventMatcher.match(List.of(new Truth("yes", 1, 2), new Truth("no", 3, 4)),
                List.of(new Detection("yes", 0.7, 1.5, 1.6), new Detection("yes", 0.7, 3.5, 3.6), new Detection("no", 0.7, 9, 9.1)), 1800);
        assertEquals(new OperatingPoint(0.7, 0.5, 2, 1, 1, 1, 2), OperatingPoint.of(0.7, m));
        assertEquals(0.5, OperatingPoint.of(0.7, m).falseRejectRate());
    }

    @Test
    void writesCsv(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("det.csv");
        DetCurve.writeCsv(f, List.of(point(0.5, 0.9, 1.25), new OperatingPoint(0.75, 0.5, 0, 5, 2, 0, 10)));
        assertEquals(List.of("threshold,recall,false_reject_rate,false_alarms_per_hour,hits,substitutions,false_alarms,keywords",
                "0.5,0.9,0.1,1.25,9,0,1,10", "0.75,0.5,0.5,0.0,5,2,0,10"), Files.readAllLines(f));
    }
}
