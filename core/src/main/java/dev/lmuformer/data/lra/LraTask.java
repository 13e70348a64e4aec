package dev.lmuformer.data.lra;

import dev.lmuformer.data.IndexedBatches;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The Long Range Arena tasks (REFERENCE §6): where their files are in a folder a user downloads
 * (or, for ListOps, generates with {@link ListOpsGenerator}) and how they split into training,
 * validation and test sets.
 */
public enum LraTask {
    /** ListOps: {@code basic_train.tsv}, {@code basic_val.tsv}, {@code basic_test.tsv}. */
    LISTOPS("basic_train.tsv, basic_val.tsv, basic_test.tsv (Source<TAB>Target)"),
    /** IMDb reviews, byte level: {@code imdb.train.tsv}, {@code imdb.test.tsv}, optional {@code imdb.eval.tsv}. */
    TEXT("imdb.train.tsv, imdb.test.tsv and optionally imdb.eval.tsv (label<TAB>text)"),
    /** AAN citation pairs, byte level: {@code new_aan_pairs.train.tsv}, {@code .eval.tsv}, {@code .test.tsv}. */
    RETRIEVAL("new_aan_pairs.train.tsv, new_aan_pairs.eval.tsv, new_aan_pairs.test.tsv (label<TAB>id1<TAB>id2<TAB>text1<TAB>text2)"),
    /** Grey CIFAR-10: {@code data_batch_1.bin} … {@code data_batch_5.bin}, {@code test_batch.bin}. */
    IMAGE("data_batch_1.bin … data_batch_5.bin and test_batch.bin (CIFAR-10 binary), here or in cifar-10-batches-bin/"),
    /** Pathfinder: {@code metadata/*.npy} and the images they list. */
    PATHFINDER("metadata/*.npy and the PNG images they list (e.g. the folder pathfinder32/curv_contour_length_14)");

    /** Seed of the Pathfinder split, fixed so that every run tests on the same images. */
    private static final long SPLIT_SEED = 20240207L;

    private final String layout;

    LraTask(String layout) {
        this.layout = layout;
    }

    /**
     * A task's three sets.
     *
     * @param notes what a user should know about the data (a missing validation file, cut sequences …)
     */
    public record Splits(TokenSet train, TokenSet validation, TokenSet test, List<String> notes) {
    }

    /** The command-line name ({@code listops}, {@code text}, …). */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The files the task expects in its folder. */
    public String layout() {
        return layout;
    }

    /** The task named {@code id}, or null. */
    public static LraTask byId(String id) {
        for (LraTask t : values()) if (t.id().equals(id)) return t;
        return null;
    }

    /**
     * Reads the task's files in {@code dir}; text sequences longer than {@code maxLength} are cut
     * (images are read whole).
     *
     * @throws IllegalArgumentException when an expected file is missing
     * @throws dev.lmuformer.io.FormatException for a malformed file
     */
    public Splits read(Path dir, int maxLength) {
        List<String> notes = new ArrayList<>();
        Splits s = switch (this) {
            case LISTOPS -> new Splits(ListOps.read(file(dir, "basic_train.tsv"), maxLength), ListOps.read(file(dir, "basic_val.tsv"), maxLength),
                    ListOps.read(file(dir, "basic_test.tsv"), maxLength), notes);
            case TEXT -> {
                TokenSet test = ByteText.readLabelled(file(dir, "imdb.test.tsv"), maxLength);
                Path eval = dir.resolve("imdb.eval.tsv");
                if (!Files.exists(eval)) notes.add("no imdb.eval.tsv: the test set serves for validation, as in LRA");
                yield new Splits(ByteText.readLabelled(file(dir, "imdb.train.tsv"), maxLength),
                        Files.exists(eval) ? ByteText.readLabelled(eval, maxLength) : test, test, notes);
            }
            case RETRIEVAL -> new Splits(ByteText.readPairs(file(dir, "new_aan_pairs.train.tsv"), maxLength),
                    ByteText.readPairs(file(dir, "new_aan_pairs.eval.tsv"), maxLength),
                    ByteText.readPairs(file(dir, "new_aan_pairs.test.tsv"), maxLength), notes);
            case IMAGE -> image(dir, notes);
            case PATHFINDER -> pathfinder(dir, notes);
        };
        int cut = s.train.truncated() + s.validation.truncated() + (s.test == s.validation ? 0 : s.test.truncated());
        if (cut > 0) notes.add(cut + " sequence(s) longer than " + maxLength + " cut to that length");
        return s;
    }

    private Path file(Path dir, String name) {
        Path p = dir.resolve(name);
        if (!Files.isRegularFile(p)) throw new IllegalArgumentException(dir + ": " + name + " not found (" + id() + " expects " + layout + ")");
        return p;
    }

    /** Training batches 1–5 (those present), the last tenth of their records held out for validation. */
    private Splits image(Path dir, List<String> notes) {
        Path root = Files.isDirectory(dir.resolve("cifar-10-batches-bin")) ? dir.resolve("cifar-10-batches-bin") : dir;
        List<Path> train = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            Path p = root.resolve("data_batch_" + i + ".bin");
            if (Files.isRegularFile(p)) train.add(p);
        }
        if (train.isEmpty()) file(root, "data_batch_1.bin");
        if (train.size() < 5) notes.add("image: " + train.size() + " of the 5 CIFAR-10 training batches present");
        TokenSet all = Cifar10.read(train);
        int held = Math.max(1, all.size() / 10);
        return new Splits(all.range(0, all.size() - held), all.range(all.size() - held, all.size()),
                Cifar10.read(List.of(file(root, "test_batch.bin"))), notes);
    }

    /** 80 / 10 / 10 % of the images, after a shuffle with a fixed seed. */
    private static Splits pathfinder(Path dir, List<String> notes) {
        TokenSet all = Pathfinder.read(dir, notes::add);
        int[] order = IndexedBatches.shuffled(all.size(), new SplittableRandom(SPLIT_SEED));
        int a = all.size() * 8 / 10, b = all.size() * 9 / 10;
        return new Splits(all.select(java.util.Arrays.copyOfRange(order, 0, a)), all.select(java.util.Arrays.copyOfRange(order, a, b)),
                all.select(java.util.Arrays.copyOfRange(order, b, all.size())), notes);
    }
}
