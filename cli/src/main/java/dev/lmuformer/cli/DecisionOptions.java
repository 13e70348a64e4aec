package dev.lmuformer.cli;

import dev.lmuformer.stream.EarlyDecision;
import picocli.CommandLine.Option;

/** The early-decision options shared by {@code eval --all-seq} and {@code stream}. */
final class DecisionOptions {
    @Option(names = "--threshold", defaultValue = "" + EarlyDecision.DEFAULT_THRESHOLD,
            description = "Early decision: softmax probability the top class must reach (default: ${DEFAULT-VALUE}).")
    double threshold;

    @Option(names = "--hold", defaultValue = "" + EarlyDecision.DEFAULT_HOLD,
            description = "Early decision: consecutive frames it must hold it (default: ${DEFAULT-VALUE}).")
    int hold;

    /** The rule; out-of-range values are one-line errors naming the option. */
    EarlyDecision rule() {
        if (!(threshold > 0 && threshold <= 1)) throw new IllegalArgumentException("--threshold must be in (0, 1], got " + threshold);
        if (hold < 1) throw new IllegalArgumentException("--hold must be at least 1, got " + hold);
        return new EarlyDecision(threshold, hold);
    }

    /** Describes the rule for a report line. */
    static String describe(EarlyDecision rule) {
        return String.format("threshold %.2f, hold %d frames", rule.threshold(), rule.hold());
    }
}
