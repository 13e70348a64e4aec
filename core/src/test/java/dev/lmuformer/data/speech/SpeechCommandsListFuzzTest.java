package dev.lmuformer.data.speech;

import dev.lmuformer.data.Split;
import dev.lmuformer.testing.Fuzz;
import dev.lmuformer.testing.TinySpeechCommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded mutants of the list files of a tiny Speech Commands tree (the tree itself stays valid):
 * text mutants of valid and hostile lists (paths with {@code ..} and {@code .}, absolute paths,
 * unknown words, missing and non-WAV files, duplicates, blank lines, CRLF, a byte order mark,
 * Windows separators) and, one in four, byte-level corruptions (invalid UTF-8, control bytes).
 * Each either opens with every listed clip a WAV file directly in its label's folder, or raises
 * {@link IllegalArgumentException}, the exception {@link SpeechCommands#open} fails with.
 */
class SpeechCommandsListFuzzTest {
    private static final int CASES = 10_000;

    @TempDir
    Path root;

    private List<String> lists() {
        return List.of("yes/s0_nohash_0.wav\nno/s0_nohash_0.wav\n",
                "yes/s2_nohash_0.wav\r\n\r\nno\\s1_nohash_0.wav\r\nyes/s2_nohash_0.wav\r\n",
                "\uFEFFno/s2_nohash_0.wav\n  \nyes/s1_nohash_0.wav",
                "yes/../no/s0_nohash_0.wav\nyes/./s1_nohash_0.wav\n",
                root.toAbsolutePath() + "/yes/s0_nohash_0.wav\n/yes/s0_nohash_0.wav\n",
                "maybe/s0_nohash_0.wav\nyes/missing.wav\nyes/\nyes\n_background_noise_/white_noise.wav\n");
    }

    @Test
    void hostileEntriesAreRefused() throws IOException {
        TinySpeechCommands.create(root, List.of("yes", "no"), 3);
        for (String entry : List.of("yes/../no/s0_nohash_0.wav", "yes/./s1_nohash_0.wav", root.toAbsolutePath() + "/yes/s0_nohash_0.wav",
                "yes/s0_nohash_0.wav/", "no/s0_nohash_0.wav\0", "yes/missing.wav", "maybe/s0_nohash_0.wav")) {
            Files.writeString(root.resolve(SpeechCommands.TESTING_LIST), entry + "\n");
            checkRefusal(assertThrows(IllegalArgumentException.class, () -> SpeechCommands.open(root), entry));
        }
    }

    @Test
    void mutatedListsOpenConsistentlyOrFail() throws IOException {
        TinySpeechCommands.create(root, List.of("yes", "no"), 3);
        Path validation = root.resolve(SpeechCommands.VALIDATION_LIST), testing = root.resolve(SpeechCommands.TESTING_LIST);
        byte[] validList = Files.readAllBytes(validation);
        String[] seeds = lists().toArray(new String[0]);
        Fuzz.Mutator text = Fuzz.Mutator.textOf(seeds);
        Fuzz.Mutator mutants = rnd -> rnd.nextInt(4) > 0 ? text.next(rnd)
                : Fuzz.binary(seeds[rnd.nextInt(seeds.length)].getBytes(StandardCharsets.UTF_8), rnd, 0, 24);
        Fuzz.run("speech commands lists", CASES, 20260104L, Duration.ofSeconds(60), mutants, (input, i) -> {
            boolean mutateTesting = i % 2 == 0;
            Files.write(mutateTesting ? testing : validation, input);
            Files.write(mutateTesting ? validation : testing, validList);
            SpeechCommands ds;
            try {
                ds = SpeechCommands.open(root);
            } catch (IllegalArgumentException e) {
                checkRefusal(e);
                throw e;
            }
            check(ds);
        }, IllegalArgumentException.class);
    }

    /** The dataset's own refusal: exactly an IllegalArgumentException (no path parser's subclass) that names the list. */
    private void checkRefusal(IllegalArgumentException e) {
        assertEquals(IllegalArgumentException.class, e.getClass(), () -> "raised " + e);
        assertTrue(e.getMessage().startsWith(root.toString()), e.getMessage());
        Fuzz.checkMessage("refusal", e.getMessage());
    }

    /** Every listed clip is a WAV file in its label's folder, and train is every other clip. */
    private void check(SpeechCommands ds) {
        Set<Path> heldOut = new HashSet<>();
        for (Split split : List.of(Split.VALIDATION, Split.TEST)) {
            for (Example e : ds.examples(split)) {
                Path folder = e.file().getParent();
                assertEquals(root, folder.getParent(), e.file().toString());
                assertEquals(ds.labels().name(e.label()), folder.getFileName().toString());
                assertTrue(e.file().getFileName().toString().endsWith(".wav") && Files.isRegularFile(e.file()), e.file().toString());
                heldOut.add(e.file());
            }
        }
        assertEquals(6 - heldOut.size(), ds.examples(Split.TRAIN).size());
    }
}
