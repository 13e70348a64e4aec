package dev.lmuformer.data.speech;

import dev.lmuformer.data.Split;
import dev.lmuformer.testing.TinySpeechCommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The split logic of the reference (REFERENCE.md §5) and the bundled label list and keyword set. */
class SpeechCommandsTest {
    @TempDir
    Path root;

    @Test
    void labelsAreTheReferenceOrder() {
        Labels l = Labels.speechCommands();
        assertEquals(35, l.size());
        assertEquals("backward", l.name(0));
        assertEquals("yes", l.name(28));
        assertEquals("one", l.name(34));
        assertEquals(22, l.indexOf("no"));
        assertEquals(-1, l.indexOf("_background_noise_"));
        assertThrows(IllegalArgumentException.class, () -> Labels.parseCsv("index,mid,display_name\n1,/m/x,\"a\"\n", "t"));
    }

    @Test
    void splitsFollowTheListsAndExcludeBackgroundNoise() throws IOException {
        for (String rel : List.of("yes/a_nohash_0.wav", "yes/b_nohash_0.wav", "yes/c_nohash_1.wav", "no/a_nohash_0.wav",
                "no/d_nohash_0.wav", "up/e_nohash_0.wav", "_background_noise_/white_noise.wav", ".cache/x.wav")) {
            TinySpeechCommands.writeWav(root.resolve(rel), 400, 16000, rel.hashCode());
        }
        Files.writeString(root.resolve("yes/README.txt"), "not a clip");
        // CRLF, a blank line, a Windows separator, and one clip on both lists (the reference keeps it in both).
        Files.writeString(root.resolve("validation_list.txt"), "yes/b_nohash_0.wav\r\n\r\nno\\d_nohash_0.wav\r\n");
        Files.writeString(root.resolve("testing_list.txt"), "up/e_nohash_0.wav\nno/d_nohash_0.wav\n");

        SpeechCommands ds = SpeechCommands.open(root);
        assertEquals(List.of("no/a_nohash_0.wav:22", "yes/a_nohash_0.wav:28", "yes/c_nohash_1.wav:28"), names(ds.examples(Split.TRAIN)));
        assertEquals(List.of("yes/b_nohash_0.wav:28", "no/d_nohash_0.wav:22"), names(ds.examples(Split.VALIDATION)));
        assertEquals(List.of("up/e_nohash_0.wav:29", "no/d_nohash_0.wav:22"), names(ds.examples(Split.TEST)));
        assertEquals(List.of(root.resolve("_background_noise_/white_noise.wav")), ds.backgroundNoise());
    }

    @Test
    void badTreesFailWithTheReason() throws IOException {
        TinySpeechCommands.create(root, List.of("yes", "no"), 3);
        Files.writeString(root.resolve("testing_list.txt"), "no/missing.wav\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SpeechCommands.open(root));
        assertTrue(e.getMessage().contains("'no/missing.wav' does not exist"), e.getMessage());
        Files.writeString(root.resolve("testing_list.txt"), "");
        Files.createDirectories(root.resolve("maybe"));
        e = assertThrows(IllegalArgumentException.class, () -> SpeechCommands.open(root));
        assertTrue(e.getMessage().contains("not one of the 35 labels"), e.getMessage());
        Files.delete(root.resolve("maybe"));
        Files.delete(root.resolve("validation_list.txt"));
        e = assertThrows(IllegalArgumentException.class, () -> SpeechCommands.open(root));
        assertTrue(e.getMessage().contains("no validation_list.txt"), e.getMessage());
    }

    @Test
    void bundledKeywordSetHasDisjointSpeakersAndEveryWord() {
        Path dir = Paths.get("../data/keywords");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(dir), "skipped: ../data/keywords not found");
        SpeechCommands ds = SpeechCommands.open(dir);
        Map<Split, Set<String>> speakers = new HashMap<>();
        for (Split s : Split.values()) {
            int[] perLabel = new int[35];
            Set<String> who = new HashSet<>();
            for (Example e : ds.examples(s)) {
                perLabel[e.label()]++;
                who.add(e.file().getFileName().toString().split("_nohash_")[0]);
            }
            for (int c = 0; c < 35; c++) assertEquals(perLabel[0], perLabel[c], s + ": every word equally often");
            assertTrue(perLabel[0] > 0, s + " is empty");
            speakers.put(s, who);
        }
        assertEquals(350, ds.examples(Split.TRAIN).size());
        for (Split a : Split.values()) {
            for (Split b : Split.values()) {
                if (a.compareTo(b) < 0) {
                    Set<String> both = new HashSet<>(speakers.get(a));
                    both.retainAll(speakers.get(b));
                    assertTrue(both.isEmpty(), a + " and " + b + " share speakers " + both);
                }
            }
        }
        assertEquals(4, ds.backgroundNoise().size());
    }

    private List<String> names(List<Example> examples) {
        return examples.stream().map(e -> root.relativize(e.file()).toString().replace('\\', '/') + ":" + e.label()).toList();
    }
}
