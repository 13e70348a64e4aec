package dev.lmuformer.cli;

import dev.lmuformer.stream.ContinuousRule;
import dev.lmuformer.stream.EarlyDecision;
import dev.lmuformer.stream.KeywordSpotter;
import dev.lmuformer.stream.SpottingRule;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The keyword-spotting options of {@code stream} and {@code eval --stream}: continuous events (the default) or windowed decisions. */
final class SpotOptions {
    /** Frames per second of the filterbank (10 ms shift). */
    static final double FRAMES_PER_SECOND = 100;

    @Option(names = "--windowed", description = "Cut the input into windows of the model's length, one decision each (the parallel model's view), "
            + "instead of continuous spotting.")
    boolean windowed;

    @Option(names = "--threshold", paramLabel = "T", description = "Score a keyword must reach (default: the checkpoint's '"
            + ContinuousRule.THRESHOLD_METADATA + "' metadata, else " + ContinuousRule.DEFAULT_THRESHOLD + " for softmax and "
            + ContinuousRule.DEFAULT_SIGMOID_THRESHOLD + " for sigmoid scores; windowed: softmax probability of the early decision, default "
            + EarlyDecision.DEFAULT_THRESHOLD + ").")
    Double threshold;

    @Option(names = "--hold", paramLabel = "K", description = "Consecutive frames the score must hold the threshold (default "
            + ContinuousRule.DEFAULT_HOLD + "; windowed " + EarlyDecision.DEFAULT_HOLD + ").")
    Integer hold;

    @Option(names = "--refractory", paramLabel = "SECONDS", description = "After a keyword, seconds before the same keyword can fire again "
            + "(default: ${DEFAULT-VALUE}).", defaultValue = "0.5")
    double refractory;

    @Option(names = "--keywords", split = ",", paramLabel = "WORD", description = "Spot only these words (comma-separated), e.g. yes,no,stop,go.")
    List<String> keywords = new ArrayList<>();

    @Option(names = "--keyword-threshold", split = ",", paramLabel = "WORD=T", description = "Thresholds of single keywords, e.g. yes=0.8,no=0.6.")
    Map<String, Double> keywordThresholds = new LinkedHashMap<>();

    @Option(names = "--window", paramLabel = "FRAMES", description = "Continuous: frames the sliding readout averages (default: the checkpoint's '"
            + ContinuousRule.WINDOW_METADATA + "' metadata, else " + ContinuousRule.DEFAULT_WINDOW + "; 0 = the model's clip length).")
    Integer window;

    @Option(names = "--decision", paramLabel = "FRAMES", description = "Continuous: frames a decision stays open for a better-scoring word (default "
            + ContinuousRule.DEFAULT_DECISION + ").")
    Integer decision;

    @Option(names = "--lockout", paramLabel = "SECONDS", description = "Continuous: after any keyword, seconds during which no other fires "
            + "(default " + ContinuousRule.DEFAULT_LOCKOUT / 100.0 + ").")
    Double lockout;

    @Option(names = "--speech-margin", paramLabel = "DB", description = "Continuous: emit only when a frame of the last 0.5 s stood DB above "
            + "the noise floor (the quietest frame of the last 3 s); 0 = always (default: the checkpoint's '" + ContinuousRule.SPEECH_MARGIN_METADATA
            + "' metadata, else " + ContinuousRule.DEFAULT_SPEECH_MARGIN + ").")
    Double speechMargin;

    @Option(names = "--gate", paramLabel = "DBFS", description = "Energy gate: frames whose RMS is below this level (dBFS, e.g. -50) skip the "
            + "model step (default: none).")
    Double gate;

    @Option(names = "--score", paramLabel = "sigmoid|softmax", description = "How logits become scores (default: softmax for a model trained with "
            + "cross-entropy, per the checkpoint's 'loss' metadata, else sigmoid).")
    String score;

    /**
     * The rule for a model with class names {@code names} whose checkpoint metadata is {@code metadata}.
     * Out-of-range values and unknown words are one-line errors naming the option.
     */
    SpottingRule rule(List<String> names, Map<String, String> metadata) {
        if (windowed) {
            if (!keywords.isEmpty() || !keywordThresholds.isEmpty() || score != null || gate != null || window != null || decision != null
                    || lockout != null || speechMargin != null) {
                throw new IllegalArgumentException("--keywords, --keyword-threshold, --score, --gate, --window, --decision, --lockout and "
                        + "--speech-margin are for continuous spotting, not --windowed");
            }
            return earlyDecision();
        }
        return continuous(names, metadata);
    }

    private void checkThresholdAndHold() {
        if (threshold != null && !(threshold > 0 && threshold <= 1)) throw new IllegalArgumentException("--threshold must be in (0, 1], got " + threshold);
        if (hold != null && hold < 1) throw new IllegalArgumentException("--hold must be at least 1, got " + hold);
    }

    /** The windowed early-decision rule of {@code --threshold} and {@code --hold} (their windowed defaults). */
    EarlyDecision earlyDecision() {
        checkThresholdAndHold();
        return new EarlyDecision(threshold == null ? EarlyDecision.DEFAULT_THRESHOLD : threshold, hold == null ? EarlyDecision.DEFAULT_HOLD : hold);
    }

    /** The continuous rule, whatever {@code --windowed} says. */
    ContinuousRule continuous(List<String> names, Map<String, String> metadata) {
        checkThresholdAndHold();
        if (!(refractory >= 0) || Double.isInfinite(refractory)) throw new IllegalArgumentException("--refractory must be 0 or more seconds, got "
                + refractory);
        ContinuousRule.Score scores = score(metadata);
        ContinuousRule rule = ContinuousRule.of(names.size(), threshold != null ? threshold : KeywordSpotter.threshold(metadata, scores),
                hold == null ? ContinuousRule.DEFAULT_HOLD : hold, (int) Math.round(refractory * FRAMES_PER_SECOND), scores);
        int frames = window == null ? KeywordSpotter.window(metadata) : window;
        if (frames < 0) throw new IllegalArgumentException("--window must be 0 or more frames, got " + frames);
        int open = decision == null ? ContinuousRule.DEFAULT_DECISION : decision;
        if (open < 0) throw new IllegalArgumentException("--decision must be 0 or more frames, got " + open);
        double lock = lockout == null ? ContinuousRule.DEFAULT_LOCKOUT / FRAMES_PER_SECOND : lockout;
        if (!(lock >= 0) || Double.isInfinite(lock)) throw new IllegalArgumentException("--lockout must be 0 or more seconds, got " + lock);
        double margin = speechMargin != null ? speechMargin : KeywordSpotter.stored(metadata, ContinuousRule.SPEECH_MARGIN_METADATA,
                ContinuousRule.DEFAULT_SPEECH_MARGIN);
        if (!(margin >= 0) || Double.isInfinite(margin)) throw new IllegalArgumentException("--speech-margin must be 0 or more dB, got " + margin);
        rule = rule.withWindow(frames).withDecision(open).withLockout((int) Math.round(lock * FRAMES_PER_SECOND)).withSpeechMargin(margin);
        if (gate != null) {
            if (!(gate <= 0)) throw new IllegalArgumentException("--gate must be a level in dBFS, 0 or below, got " + gate);
            rule = rule.withGate(gate);
        }
        if (!keywords.isEmpty()) {
            List<Integer> spotted = new ArrayList<>();
            for (String w : keywords) spotted.add(classOf("--keywords", w, names));
            rule = rule.only(spotted);
        }
        for (Map.Entry<String, Double> e : keywordThresholds.entrySet()) {
            int c = classOf("--keyword-threshold", e.getKey(), names);
            double t = e.getValue();
            if (!(t > 0 && t <= 1)) throw new IllegalArgumentException("--keyword-threshold " + e.getKey() + " must be in (0, 1], got " + t);
            if (rule.threshold(c) > 1) throw new IllegalArgumentException("--keyword-threshold " + e.getKey() + ": not one of --keywords");
            rule = rule.withThreshold(c, t);
        }
        return rule;
    }

    private ContinuousRule.Score score(Map<String, String> metadata) {
        if (score == null) return KeywordSpotter.scores(metadata);
        return switch (score) {
            case "sigmoid" -> ContinuousRule.Score.SIGMOID;
            case "softmax" -> ContinuousRule.Score.SOFTMAX;
            default -> throw new IllegalArgumentException("--score must be sigmoid or softmax, got '" + score + "'");
        };
    }

    private static int classOf(String option, String word, List<String> names) {
        int c = names.indexOf(word.trim());
        if (c < 0) {
            throw new IllegalArgumentException(option + ": unknown word '" + word + "' (the model's words: " + String.join(", ", names) + ")");
        }
        return c;
    }

    /** Describes an early-decision rule for a report line. */
    static String describe(EarlyDecision rule) {
        return String.format("threshold %.2f, hold %d frames", rule.threshold(), rule.hold());
    }

    /** Describes a rule for a report line; {@code names} are the class names. */
    static String describe(SpottingRule rule, List<String> names) {
        if (rule instanceof EarlyDecision d) return describe(d);
        ContinuousRule c = (ContinuousRule) rule;
        StringBuilder s = new StringBuilder();
        double common = Double.NaN;
        int spotted = 0;
        for (int i = 0; i < c.classes(); i++) {
            if (c.threshold(i) > 1) continue;
            spotted++;
            if (Double.isNaN(common)) common = c.threshold(i);
        }
        s.append(spotted == c.classes() ? "all " + spotted + " words" : spotted + " of " + c.classes() + " words");
        boolean uniform = true;
        for (int i = 0; i < c.classes(); i++) if (c.threshold(i) <= 1 && c.threshold(i) != common) uniform = false;
        if (uniform) {
            s.append(", threshold ").append(common);
        } else {
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < c.classes(); i++) if (c.threshold(i) <= 1) parts.add(String.format("%s %.2f", names.get(i), c.threshold(i)));
            s.append(", thresholds ").append(String.join(", ", parts));
        }
        s.append(String.format(", hold %d frames, decision %d frames, refractory %.2f s, lockout %.2f s, readout of %s, %s scores", c.hold(),
                c.decision(), c.refractory() / FRAMES_PER_SECOND, c.lockout() / FRAMES_PER_SECOND, c.window() == 0 ? "the clip length" : c.window() + " frames",
                c.score().name().toLowerCase(java.util.Locale.ROOT)));
        if (c.speechMargin() > 0) s.append(String.format(", speech %.0f dB above the floor", c.speechMargin()));
        if (c.gate() != ContinuousRule.NO_GATE) s.append(String.format(", energy gate %.0f dBFS", c.gate()));
        return s.toString();
    }
}
