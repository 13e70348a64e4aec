package dev.lmuformer.data.speech;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Class names in label order, read from an AudioSet-style label CSV ({@code index,mid,display_name},
 * names optionally quoted). {@link #speechCommands()} is the reference's 35-word list
 * (reference/speechcommands_class_labels_indices.csv, REFERENCE.md §5), bundled as a resource.
 */
public final class Labels {
    private static final String SPEECH_COMMANDS_CSV = "speechcommands_class_labels_indices.csv";

    private final List<String> names;
    private final Map<String, Integer> index;

    /** Labels with these names, in this order; names must be unique and non-empty. */
    public Labels(List<String> names) {
        this.names = List.copyOf(names);
        this.index = new HashMap<>();
        for (int i = 0; i < this.names.size(); i++) {
            String n = this.names.get(i);
            if (n.isEmpty()) throw new IllegalArgumentException("label " + i + " has an empty name");
            if (index.put(n, i) != null) throw new IllegalArgumentException("label '" + n + "' appears twice");
        }
        if (this.names.isEmpty()) throw new IllegalArgumentException("no labels");
    }

    /** The 35 Speech Commands V2 words in the reference's label order ("backward" is 0, "one" is 34). */
    public static Labels speechCommands() {
        try (InputStream in = Labels.class.getResourceAsStream(SPEECH_COMMANDS_CSV)) {
            if (in == null) throw new IllegalStateException("resource " + SPEECH_COMMANDS_CSV + " missing from the jar");
            return parseCsv(new String(in.readAllBytes(), StandardCharsets.UTF_8), SPEECH_COMMANDS_CSV);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Parses {@code index,mid,display_name} rows after a header line; rows must be listed with
     * indices 0, 1, 2, … in order. {@code source} names the text in error messages.
     */
    public static Labels parseCsv(String text, String source) {
        List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
        if (lines.isEmpty()) throw new IllegalArgumentException(source + ": empty label file");
        List<String> names = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",", 3);
            if (f.length != 3) throw new IllegalArgumentException(source + ": line " + (i + 1) + " does not have 3 fields");
            int idx;
            try {
                idx = Integer.parseInt(f[0].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(source + ": line " + (i + 1) + " has index '" + f[0] + "'");
            }
            if (idx != names.size()) throw new IllegalArgumentException(source + ": line " + (i + 1) + " has index " + idx + ", expected " + names.size());
            String name = f[2].trim();
            if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) name = name.substring(1, name.length() - 1);
            names.add(name);
        }
        return new Labels(names);
    }

    /** Number of classes. */
    public int size() {
        return names.size();
    }

    /** The names in label order (unmodifiable). */
    public List<String> names() {
        return names;
    }

    /** The name of label {@code i}. */
    public String name(int i) {
        return names.get(i);
    }

    /** The label of {@code name}, or -1 when it is not a class. */
    public int indexOf(String name) {
        return index.getOrDefault(name, -1);
    }
}
