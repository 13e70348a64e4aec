package dev.lmuformer.data.speech;

import dev.lmuformer.data.Batch;
import dev.lmuformer.data.Split;
import dev.lmuformer.audio.AudioFormatException;
import dev.lmuformer.audio.ModelInput;
import dev.lmuformer.testing.TinySpeechCommands;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Batching, shuffling and determinism of the loader, independent of the thread count. */
class LoaderTest {
    @TempDir
    static Path root;
    static List<Example> train;

    @BeforeAll
    static void tree() {
        TinySpeechCommands.create(root, List.of("yes", "no", "up", "down", "left", "right", "on"), 4);
        train = SpeechCommands.open(root).examples(Split.TRAIN); // 14 clips
    }

    private static Loader loader(int threads, boolean shuffle) {
        return new Loader(train, new Pipeline(Augment.REFERENCE, ModelInput.DEFAULT, 35), 4, shuffle, 123, threads, 2);
    }

    private static List<Batch> epoch(Loader l, int e) {
        List<Batch> out = new ArrayList<>();
        for (Iterator<Batch> it = l.epoch(e); it.hasNext(); ) out.add(it.next());
        return out;
    }

    @Test
    void sameSeedSameBatchesForAnyThreadCount() {
        try (Loader one = loader(1, true); Loader three = loader(3, true)) {
            for (int e = 0; e < 2; e++) {
                List<Batch> a = epoch(one, e);
                List<Batch> b = epoch(three, e);
                assertEquals(4, a.size());
                for (int i = 0; i < a.size(); i++) {
                    assertArrayEquals(a.get(i).indices(), b.get(i).indices());
                    assertArrayEquals(a.get(i).inputs().data, b.get(i).inputs().data, "epoch " + e + " batch " + i);
                    assertArrayEquals(a.get(i).targets().data, b.get(i).targets().data);
                    assertArrayEquals(a.get(i).inputs().data, three.batch(e, i).inputs().data, "random access equals iteration");
                }
            }
        }
    }

    @Test
    void everyEpochVisitsEveryExampleOnceInBatchesOfTheRightShape() {
        try (Loader l = loader(2, true)) {
            List<int[]> orders = new ArrayList<>();
            for (int e = 0; e < 3; e++) {
                List<Batch> batches = epoch(l, e);
                int[] seen = new int[0];
                for (int i = 0; i < batches.size(); i++) {
                    Batch b = batches.get(i);
                    int size = i < 3 ? 4 : 2;
                    assertTrue(b.inputs().hasShape(size, 128, 128), b.inputs().shapeString());
                    assertTrue(b.targets().hasShape(size, 35), b.targets().shapeString());
                    for (int r = 0; r < size; r++) {
                        double total = 0;
                        for (int c = 0; c < 35; c++) total += b.targets().data[r * 35 + c];
                        assertEquals(1.0, total, 1e-6, "target row sums to 1");
                    }
                    int[] joined = Arrays.copyOf(seen, seen.length + size);
                    System.arraycopy(b.indices(), 0, joined, seen.length, size);
                    seen = joined;
                }
                assertArrayEquals(l.order(e), seen, "batches follow the epoch's order");
                int[] sorted = seen.clone();
                Arrays.sort(sorted);
                for (int i = 0; i < sorted.length; i++) assertEquals(i, sorted[i], "a permutation of the examples");
                orders.add(seen);
            }
            assertFalse(Arrays.equals(orders.get(0), orders.get(1)), "epochs are shuffled differently");
        }
        try (Loader l = loader(2, false)) {
            int[] inOrder = new int[train.size()];
            for (int i = 0; i < inOrder.length; i++) inOrder[i] = i;
            assertArrayEquals(inOrder, l.order(5), "no shuffling: list order");
        }
    }

    @Test
    void aBrokenFileFailsTheBatchWithItsName() throws IOException {
        Path bad = root.resolve("bad.wav");
        Files.writeString(bad, "not a wav");
        List<Example> withBad = new ArrayList<>(train.subList(0, 3));
        withBad.add(new Example(bad, 0));
        try (Loader l = new Loader(withBad, new Pipeline(Augment.NONE, ModelInput.DEFAULT, 35), 4, false, 1, 2, 1)) {
            AudioFormatException e = assertThrows(AudioFormatException.class, () -> l.epoch(0).next());
            assertTrue(e.getMessage().contains("bad.wav"), e.getMessage());
        }
    }
}
