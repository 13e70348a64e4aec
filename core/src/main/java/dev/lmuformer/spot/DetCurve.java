package dev.lmuformer.spot;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/**
 * Reads a threshold sweep (one {@link OperatingPoint} per threshold) as a DET curve: the recall a
 * detector reaches within a budget of false alarms per hour. Points without a recall (no keywords)
 * count nowhere.
 */
public final class DetCurve {
    /** The columns of {@link #writeCsv}. */
    public static final String CSV_HEADER = "threshold,recall,false_reject_rate,false_alarms_per_hour,hits,substitutions,false_alarms,keywords";
    // Highest recall first, then fewest false alarms, then the higher (more cautious) threshold.
    private static final Comparator<OperatingPoint> BETTER = Comparator.comparingDouble(OperatingPoint::recall).reversed()
            .thenComparingDouble(OperatingPoint::falseAlarmsPerHour)
            .thenComparing(Comparator.comparingDouble(OperatingPoint::threshold).reversed());

    private DetCurve() {
    }

    /** The best recall among the points with at most {@code maxFalseAlarmsPerHour}; NaN when there are none. */
    public static double recallAt(List<OperatingPoint> sweep, double maxFalseAlarmsPerHour) {
        OperatingPoint p = best(sweep, maxFalseAlarmsPerHour);
        return p == null ? Double.NaN : p.recall();
    }

    /**
     * The point with the highest recall among those with at most {@code maxFalseAlarmsPerHour};
     * ties go to fewer false alarms per hour, then to the higher threshold. Null when there are none.
     */
    public static OperatingPoint best(List<OperatingPoint> sweep, double maxFalseAlarmsPerHour) {
        return sweep.stream()
                .filter(p -> !Double.isNaN(p.recall()) && p.falseAlarmsPerHour() <= maxFalseAlarmsPerHour)
                .min(BETTER)
                .orElse(null);
    }

    /**
     * The point with the highest recall whose false-alarm rate is within {@code maxFalseAlarmsPerHour}
     * with the given one-sided {@code confidence}: the {@link #poissonUpper Poisson upper bound} of its
     * false-alarm count, over {@code hours} of audio, stays within {@code maxFalseAlarmsPerHour · hours}.
     * A budget met only on average on the audio it was chosen on is exceeded on other audio about as
     * often as not; this one holds there too, at the price of a stricter point. Ties as in {@link #best}.
     * Null when no point qualifies.
     */
    public static OperatingPoint bestConfident(List<OperatingPoint> sweep, double maxFalseAlarmsPerHour, double hours, double confidence) {
        if (!(hours > 0)) throw new IllegalArgumentException("hours of audio must be positive, got " + hours);
        double budget = maxFalseAlarmsPerHour * hours;
        return sweep.stream()
                .filter(p -> !Double.isNaN(p.recall()) && poissonUpper(p.falseAlarms(), confidence) <= budget)
                .min(BETTER)
                .orElse(null);
    }

    /**
     * The upper one-sided {@code confidence} bound on the mean of a Poisson count of which {@code k} were
     * seen: the mean at which seeing {@code k} or fewer has probability {@code 1 - confidence}
     * (k = 0: −ln(1 − confidence), 3.00 at 95 %; k = 1: 4.74).
     */
    public static double poissonUpper(int k, double confidence) {
        if (k < 0) throw new IllegalArgumentException("a count must not be negative, got " + k);
        if (!(confidence > 0 && confidence < 1)) throw new IllegalArgumentException("confidence must lie in (0, 1), got " + confidence);
        double lo = 0, hi = 10 + 3.0 * k;
        while (poissonCdf(k, hi) > 1 - confidence) hi *= 2;
        for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
            double mid = (lo + hi) / 2;
            if (poissonCdf(k, mid) > 1 - confidence) lo = mid;
            else hi = mid;
        }
        return (lo + hi) / 2;
    }

    /** P(X ≤ k) for X Poisson with mean {@code mean}. */
    private static double poissonCdf(int k, double mean) {
        double term = Math.exp(-mean), sum = term;
        for (int i = 1; i <= k; i++) sum += term *= mean / i;
        return sum;
    }

    /** Writes the sweep as CSV, {@link #CSV_HEADER} first, the points in their order, rates to 6 decimals. */
    public static void writeCsv(Path file, List<OperatingPoint> sweep) {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write(CSV_HEADER + "\n");
            for (OperatingPoint p : sweep) {
                out.write(Numbers.plain(p.threshold()) + "," + Numbers.rate(p.recall()) + "," + Numbers.rate(p.falseRejectRate()) + ","
                        + Numbers.rate(p.falseAlarmsPerHour()) + "," + p.hits() + "," + p.substitutions() + "," + p.falseAlarms() + ","
                        + p.keywords() + "\n");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot write (" + e + ")");
        }
    }
}
