package dev.lmuformer.data;

import java.util.Locale;

/** The three Speech Commands splits (REFERENCE.md §5). */
public enum Split {
    /** Every clip outside {@code _background_noise_} that neither list names. */
    TRAIN,
    /** The clips named in {@code validation_list.txt}. */
    VALIDATION,
    /** The clips named in {@code testing_list.txt}. */
    TEST;

    /** Parses {@code train}, {@code validation} (or {@code valid}, {@code val}) or {@code test} (or {@code testing}). */
    public static Split parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "train", "training" -> TRAIN;
            case "validation", "valid", "val" -> VALIDATION;
            case "test", "testing", "eval" -> TEST;
            default -> throw new IllegalArgumentException("unknown split '" + s + "' (train, validation or test)");
        };
    }

    /** The lower-case name used on the command line. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
