package dev.lmuformer.train;

import dev.lmuformer.testing.Fuzz;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded mutants of small YAML configurations, valid ones in the reference's {@code gsc.yml} style
 * and hostile ones (tags naming Java classes, alias bombs, aliased keys, deep nesting, recursive
 * and merged nodes, sets, binaries, timestamps, several documents): YAML syntax broken by inserted
 * quotes, brackets, indentation and separators, extreme numbers, and one mutant in four corrupted
 * as bytes (invalid UTF-8, control characters). Each either sets a configuration whose keys rebuild
 * it, or raises {@link IllegalArgumentException} naming the file.
 */
class TrainConfigFuzzTest {
    private static final int CASES = 10_000;
    private static final String GSC = """
            ### model params
            model: slmu_rnn_ms_conv1d
            annotaiton: annotaitons for slmu_rnn_ms_conv1d
            dim: 256
            num_heads: 16
            layer: 1
            gpu_id: '1'
            n_class: 35
            mixup: 0.6
            noise: True
            dataset_mean: -6.845978
            data_train: ../data/speech_commands/data/datafiles/speechcommand_train_data.json
            lr: 2.5e-3
            loss: BCE
            lrscheduler_decay: 0.85
            seed: 7
            init: pytorch
            """;
    private static final String LISTOPS = "# ListOps\nmodel: lra_lmu\ndim: 64\nseq_len: 2000\ntheta: 2000\nn_class: 10\n"
            + "batch_size: 32\nbackground_share: 0.25\nbackground_context: false\nfreqm: 0\n";
    /** A merge key and flow style: valid YAML that sets dim, layer and model. */
    private static final String MERGED = "base: &b {dim: 8, layer: 2}\n<<: *b\nmodel: \"x\"\n";
    /** Documents a safe loader must refuse quickly, without constructing anything but maps, lists and scalars. */
    private static final List<String> HOSTILE = List.of(
            "model: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL [\"http://localhost/\"]]]]\n",
            "dim: !!java.io.File \"/tmp\"\n",
            billionLaughs(),
            aliasChain("dim: *x24\n"),
            aliasChain("? *x24\n: 1\n"),
            "a: &a [*a]\ndim: *a\n",
            "model: " + "[".repeat(200) + "]".repeat(200) + "\n",
            "model: !!set {a, b}\ndim: !!binary aGVsbG8=\nseed: !!timestamp 2001-12-14\n",
            "dim: 8\n---\ndim: 9\n");

    @TempDir
    Path dir;

    /** Nine levels of nine aliases each: 9^9 strings if expanded. */
    private static String billionLaughs() {
        StringBuilder b = new StringBuilder("l0: &l0 [lol]\n");
        for (int level = 1; level <= 9; level++) {
            b.append('l').append(level).append(": &l").append(level).append(" [");
            for (int k = 0; k < 9; k++) b.append(k == 0 ? "" : ", ").append("*l").append(level - 1);
            b.append("]\n");
        }
        return b.append("model: *l9\n").toString();
    }

    /** 24 lists of two aliases to the one before: 2^24 leaves if expanded, within 50 aliases. */
    private static String aliasChain(String use) {
        StringBuilder b = new StringBuilder("x0: &x0 [a]\n");
        for (int level = 1; level <= 24; level++) b.append("x").append(level).append(": &x").append(level)
                .append(" [*x").append(level - 1).append(", *x").append(level - 1).append("]\n");
        return b.append(use).toString();
    }

    @Test
    void hostileDocumentsAreRefusedQuickly() {
        Path file = dir.resolve("hostile.yml");
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            for (String doc : HOSTILE) {
                Files.writeString(file, doc);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TrainConfig().apply(file), doc);
                checkRefusal(file, e);
            }
        });
    }

    @Test
    void mutatedConfigurationsApplyOrFailNamingTheFile() {
        Path file = dir.resolve("mutant.yml");
        String[] seeds = Stream.concat(Stream.of(GSC, LISTOPS, MERGED), HOSTILE.stream()).toArray(String[]::new);
        Fuzz.Mutator text = Fuzz.Mutator.textOf(seeds);
        Fuzz.Mutator mutants = rnd -> rnd.nextInt(4) > 0 ? text.next(rnd)
                : Fuzz.binary(seeds[rnd.nextInt(seeds.length)].getBytes(StandardCharsets.UTF_8), rnd, 0, 64);
        Fuzz.run("yaml config", CASES, 20260105L, Duration.ofSeconds(60), mutants, (input, i) -> {
            Files.write(file, input);
            TrainConfig c = new TrainConfig();
            try {
                c.apply(file);
            } catch (IllegalArgumentException e) {
                checkRefusal(file, e);
                throw e;
            }
            assertTrue(c.dim() > 0 && c.layer() > 0 && c.nClass() > 0 && c.theta() > 0 && c.mixup() >= 0 && c.mixup() <= 1);
            TrainConfig copy = new TrainConfig();
            c.keys().forEach((k, v) -> copy.set("keys", k, v));
            assertEquals(c.fingerprint(), copy.fingerprint());
        }, IllegalArgumentException.class);
    }

    /** The configuration's own refusal: exactly an IllegalArgumentException (no parser's subclass) that names the file. */
    private static void checkRefusal(Path file, IllegalArgumentException e) {
        assertEquals(IllegalArgumentException.class, e.getClass(), () -> "raised " + e);
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        Fuzz.checkMessage(file.toString(), e.getMessage());
    }

    @Test
    void theValidSeedsApply() throws IOException {
        Path file = dir.resolve("valid.yml");
        Files.writeString(file, GSC);
        TrainConfig c = new TrainConfig();
        c.apply(file);
        assertEquals(256, c.dim());
        Files.writeString(file, LISTOPS);
        c.apply(file);
        assertEquals(2000, c.seqLen());
        Files.writeString(file, MERGED);
        c.apply(file);
        assertEquals(8, c.dim());
        assertEquals(2, c.layer());
    }
}
