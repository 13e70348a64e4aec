package dev.lmuformer.data.speech;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One labelled clip of a dataset, or a background example: a random crop of a long noise
 * recording (or digital silence) that contains no keyword ({@link #BACKGROUND}).
 *
 * @param file  the WAV file (for a background example, the noise recording to crop)
 * @param label its class index, or {@link #BACKGROUND}
 */
public record Example(Path file, int label) {
    /** The label of a background example: its target has no keyword ({@link Pipeline}). */
    public static final int BACKGROUND = -1;

    /** Checks that the file is given and the label is a class or {@link #BACKGROUND}. */
    public Example {
        Objects.requireNonNull(file, "file");
        if (label < BACKGROUND) throw new IllegalArgumentException("label must be a class index or BACKGROUND: " + label);
    }

    /** True for a background example. */
    public boolean background() {
        return label == BACKGROUND;
    }
}
