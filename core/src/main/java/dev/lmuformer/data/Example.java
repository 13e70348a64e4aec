package dev.lmuformer.data;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One labelled clip of a dataset.
 *
 * @param file  the WAV file
 * @param label its class index
 */
public record Example(Path file, int label) {
    /** Checks that the file is given and the label is not negative. */
    public Example {
        Objects.requireNonNull(file, "file");
        if (label < 0) throw new IllegalArgumentException("label must not be negative: " + label);
    }
}
