package dev.lmuformer.data.speech;

import dev.lmuformer.data.Split;
import dev.lmuformer.io.Excerpt;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A dataset in the Speech Commands layout: one folder per word holding WAV files,
 * {@code validation_list.txt} and {@code testing_list.txt} in the root naming clips as
 * {@code word/file.wav}, and {@code _background_noise_} beside the words.
 *
 * <p>The splits are the reference's (REFERENCE.md §5, its prep script): validation and test are the
 * listed clips in list order (a clip on both lists is in both, as there); train is every other WAV
 * in a word folder, sorted by path. {@code _background_noise_} and hidden folders are in no split.
 * A clip's label is its folder's index in the label list. Listing happens once, in {@link #open};
 * the object is immutable afterwards.
 */
public final class SpeechCommands {
    /** The folder of long noise recordings, excluded from every split. */
    public static final String BACKGROUND_NOISE = "_background_noise_";
    /** The list of validation clips in the dataset root. */
    public static final String VALIDATION_LIST = "validation_list.txt";
    /** The list of test clips in the dataset root. */
    public static final String TESTING_LIST = "testing_list.txt";

    private final Path root;
    private final Labels labels;
    private final Map<Split, List<Example>> splits;
    private final List<Path> backgroundNoise;

    private SpeechCommands(Path root, Labels labels, Map<Split, List<Example>> splits, List<Path> backgroundNoise) {
        this.root = root;
        this.labels = labels;
        this.splits = splits;
        this.backgroundNoise = backgroundNoise;
    }

    /** Opens a dataset with the 35 Speech Commands labels. */
    public static SpeechCommands open(Path root) {
        return open(root, Labels.speechCommands());
    }

    /**
     * Lists the dataset under {@code root}. Fails with a one-line message when the root or a list
     * is missing, a list is not UTF-8, a word folder is not a label, or a listed entry is not a
     * {@code word/file.wav} clip of the dataset.
     */
    public static SpeechCommands open(Path root, Labels labels) {
        if (!Files.isDirectory(root)) throw new IllegalArgumentException(root + ": not a directory");
        try {
            Map<Split, List<Example>> splits = new EnumMap<>(Split.class);
            List<String> validation = readList(root, VALIDATION_LIST);
            List<String> test = readList(root, TESTING_LIST);
            List<String> clips = allClips(root, labels);
            Set<String> known = new HashSet<>(clips);
            splits.put(Split.VALIDATION, listed(root, labels, known, validation, VALIDATION_LIST));
            splits.put(Split.TEST, listed(root, labels, known, test, TESTING_LIST));
            Set<String> heldOut = new HashSet<>(validation);
            heldOut.addAll(test);
            List<Example> train = new ArrayList<>();
            for (String rel : clips) {
                if (!heldOut.contains(rel)) train.add(new Example(root.resolve(rel), labels.indexOf(word(rel))));
            }
            splits.put(Split.TRAIN, Collections.unmodifiableList(train));
            List<Path> noise = new ArrayList<>();
            Path noiseDir = root.resolve(BACKGROUND_NOISE);
            if (Files.isDirectory(noiseDir)) {
                try (Stream<Path> s = Files.list(noiseDir)) {
                    s.filter(SpeechCommands::isWav).sorted().forEach(noise::add);
                }
            }
            return new SpeechCommands(root, labels, splits, List.copyOf(noise));
        } catch (IOException e) {
            throw new UncheckedIOException(root + ": cannot list (" + e.getMessage() + ")", e);
        }
    }

    /** The dataset root. */
    public Path root() {
        return root;
    }

    /** The labels (class order). */
    public Labels labels() {
        return labels;
    }

    /** The clips of a split (unmodifiable): train sorted by path, validation and test in list order. */
    public List<Example> examples(Split split) {
        return splits.get(split);
    }

    /** The WAV files of {@code _background_noise_}, sorted (empty when the folder is absent). */
    public List<Path> backgroundNoise() {
        return backgroundNoise;
    }

    /**
     * {@code train} with background examples added, so that they make up {@code share} of the
     * result: {@code round(share / (1 − share) · train.size())} of them, taking the
     * {@link #backgroundNoise()} recordings in turn (each example is cropped anew every epoch by the
     * {@link Pipeline}). Share 0 (the reference recipe) returns {@code train} itself.
     *
     * @throws IllegalArgumentException if share is not in [0, 1), or is above 0 without noise recordings
     */
    public List<Example> withBackground(List<Example> train, double share) {
        if (!(share >= 0 && share < 1)) throw new IllegalArgumentException("background share must be in [0, 1), got " + share);
        if (share == 0) return train;
        if (backgroundNoise.isEmpty()) {
            throw new IllegalArgumentException(root + ": background share " + share + " needs WAV recordings in " + BACKGROUND_NOISE);
        }
        int n = (int) Math.round(share / (1 - share) * train.size());
        List<Example> all = new ArrayList<>(train);
        for (int i = 0; i < n; i++) all.add(new Example(backgroundNoise.get(i % backgroundNoise.size()), Example.BACKGROUND));
        return Collections.unmodifiableList(all);
    }

    /** Non-blank lines of a list file (a byte order mark dropped), with Windows separators turned into '/'. */
    private static List<String> readList(Path root, String name) throws IOException {
        Path f = root.resolve(name);
        if (!Files.isRegularFile(f)) throw new IllegalArgumentException(root + ": no " + name + " (not a Speech Commands layout)");
        List<String> lines;
        try {
            lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(f + ": not UTF-8 text");
        }
        if (!lines.isEmpty() && lines.get(0).startsWith("\uFEFF")) lines.set(0, lines.get(0).substring(1));
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            String rel = line.strip().replace('\\', '/');
            if (!rel.isEmpty()) out.add(rel);
        }
        return out;
    }

    /**
     * The examples of {@code entries}, each one of the {@code clips} found in the label folders: an
     * entry such as {@code yes/../no/a.wav} or {@code yes/./a.wav} names a file but would give it
     * the wrong label or leave it in train as well.
     */
    private static List<Example> listed(Path root, Labels labels, Set<String> clips, List<String> entries, String listName) {
        List<Example> out = new ArrayList<>(entries.size());
        for (String rel : entries) {
            String where = root.resolve(listName) + ": " + Excerpt.of(rel);
            int label = labels.indexOf(word(rel));
            if (label < 0) throw new IllegalArgumentException(where + " is not in a label folder");
            String name = rel.substring(rel.indexOf('/') + 1);
            if (name.contains("/") || !isWavName(name)) throw new IllegalArgumentException(where + " is not word/file.wav");
            if (!clips.contains(rel)) throw new IllegalArgumentException(where + " does not exist");
            out.add(new Example(root.resolve(rel), label));
        }
        return Collections.unmodifiableList(out);
    }

    /** Every {@code word/file.wav} under the word folders, sorted. */
    private static List<String> allClips(Path root, Labels labels) throws IOException {
        List<String> out = new ArrayList<>();
        List<Path> dirs;
        try (Stream<Path> s = Files.list(root)) {
            dirs = s.filter(Files::isDirectory).sorted().toList();
        }
        for (Path dir : dirs) {
            String word = dir.getFileName().toString();
            if (word.equals(BACKGROUND_NOISE) || word.startsWith(".")) continue;
            if (labels.indexOf(word) < 0) {
                throw new IllegalArgumentException(dir + ": folder is not one of the " + labels.size() + " labels");
            }
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(SpeechCommands::isWav).forEach(p -> out.add(word + "/" + p.getFileName()));
            }
        }
        Collections.sort(out);
        return out;
    }

    private static String word(String rel) {
        int slash = rel.indexOf('/');
        return slash < 0 ? "" : rel.substring(0, slash);
    }

    private static boolean isWav(Path p) {
        return Files.isRegularFile(p) && isWavName(p.getFileName().toString());
    }

    private static boolean isWavName(String name) {
        return name.toLowerCase(Locale.ROOT).endsWith(".wav");
    }
}
