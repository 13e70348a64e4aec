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
