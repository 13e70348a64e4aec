package dev.lmuformer.data.lra;

import dev.lmuformer.data.Batch;
import dev.lmuformer.data.mnist.Idx;
import dev.lmuformer.io.FormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each Long Range Arena reader on a tiny file in the real layout, and its error on a malformed one. */
class LraReadersTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    /** The message of the FormatException thrown by {@code r}, checked to name the place. */
    private static String error(Runnable r, String place) {
        FormatException e = assertThrows(FormatException.class, r::run);
        assertTrue(e.getMessage().contains(place), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void listOpsReadsTheLraTsvAndDropsParentheses() throws IOException {
        Path f = write("basic_train.tsv", "Source\tTarget\n"
                + "( ( ( [MAX 2 ) 9 ) ] )\t9\n"
                + "( ( ( ( [MED 1 ) ( ( ( [SM 4 ) 8 ) ] ) ) 7 ) ] )\t2\n\n");
        TokenSet s = ListOps.read(f, 2000);
        assertEquals(2, s.size());
        assertArrayEquals(new byte[] {11, 2, 9, 14}, s.first()[0], "[MAX 2 9 ]");
        assertArrayEquals(new byte[] {12, 1, 13, 4, 8, 14, 7, 14}, s.first()[1]);
        assertArrayEquals(new int[] {9, 2}, s.labels());
        assertEquals(ListOps.VOCABULARY, s.vocabulary());
        assertEquals(9, ListOps.evaluate(s.first()[0]));
        assertEquals(2, ListOps.evaluate(s.first()[1]), "median of 1, 2, 7");
        TokenSet cut = ListOps.read(f, 5);
        assertEquals(5, cut.first()[1].length);
        assertEquals(1, cut.truncated());

        Path bad = write("bad.tsv", "Source\tTarget\n( [MIN 1 2 ] )\t1\n( [MIN 1 2 ] ) 1\n");
        error(() -> ListOps.read(bad, 2000), "bad.tsv:3: expected 'Source<TAB>Target'");
        Path token = write("token.tsv", "[MIN 1 [FIRST 2 ] ]\t1\n");
        assertTrue(error(() -> ListOps.read(token, 2000), "token.tsv:1:").contains("'[FIRST'"));
        Path label = write("label.tsv", "[MIN 1 2 ]\t10\n");
        error(() -> ListOps.read(label, 2000), "label.tsv:1: label '10'");
    }

    @Test
    void listOpsValues() {
        assertEquals(5, ListOps.evaluate(ListOps.symbols("[MED 7 1 4 9 ]")), "an even count: the mean of 4 and 7, rounded down");
        assertEquals(3, ListOps.evaluate(ListOps.symbols("[SM 9 9 5 ]")));
        assertEquals(0, ListOps.evaluate(ListOps.symbols("[MIN [MAX 0 3 ] 0 [SM 1 ] ]")));
        assertThrows(IllegalArgumentException.class, () -> ListOps.evaluate(ListOps.symbols("[MIN 1 2")));
        assertThrows(IllegalArgumentException.class, () -> ListOps.evaluate(ListOps.symbols("[MIN 1 ] 2")));
    }

    @Test
    void generatedListOpsIsWellFormedWithinBoundsAndReproducible() throws IOException {
        ListOpsGenerator g = new ListOpsGenerator(5, 6, 20, 120, 3);
        for (int i = 0; i < 200; i++) {
            ListOpsGenerator.Example e = g.next();
            byte[] symbols = ListOps.symbols(e.source());
            assertTrue(symbols.length >= 20 && symbols.length <= 120, "length " + symbols.length);
            assertEquals(e.value(), ListOps.evaluate(symbols), e.source());
            assertTrue(e.source().startsWith("( ( ") && e.source().endsWith(" ] )"), e.source());
        }
        Path a = dir.resolve("a.tsv"), b = dir.resolve("b.tsv");
        new ListOpsGenerator(5, 6, 20, 120, 9).write(a, 50);
        new ListOpsGenerator(5, 6, 20, 120, 9).write(b, 50);
        assertEquals(Files.readString(a), Files.readString(b), "same seed, same file");
        TokenSet s = ListOps.read(a, 2000);
        assertEquals(50, s.size());
        for (int i = 0; i < s.size(); i++) assertEquals(s.labels()[i], ListOps.evaluate(s.first()[i]));
        assertThrows(IllegalStateException.class, () -> new ListOpsGenerator(1, 2, 10, 20, 1).next(), "depth 1 makes only 4 symbols");
    }

    @Test
    void textIsReadAsBytes() throws IOException {
        Path f = write("imdb.train.tsv", "label\ttext\n1\tGreat film\twith a tab\n0\tnaïve <br />plot\n");
        TokenSet s = ByteText.readLabelled(f, 4000);
        assertArrayEquals(new int[] {1, 0}, s.labels());
        assertEquals("Great film\twith a tab", new String(s.first()[0], StandardCharsets.UTF_8));
        assertEquals("naïve <br />plot".getBytes(StandardCharsets.UTF_8).length, s.first()[1].length, "UTF-8 bytes, not characters");
        assertEquals((byte) 0xc3, s.first()[1][2]);
        assertNull(s.second());
        assertEquals(4, ByteText.readLabelled(f, 4).first()[1].length);
        Path noTab = write("t.tsv", "1\tok\njust text without a label\n"), three = write("u.tsv", "2\tthree classes?\n");
        error(() -> ByteText.readLabelled(noTab, 4000), "t.tsv:2: expected 'label<TAB>text'");
        error(() -> ByteText.readLabelled(three, 4000), "u.tsv:1: label '2'");
    }

    @Test
    void retrievalPairsHaveTwoDocuments() throws IOException {
        Path f = write("new_aan_pairs.train.tsv", "1\tP01-1\tW02-2\tfirst abstract\tsecond one\n0.0\tA\tB\tx\ty\r\n");
        TokenSet s = ByteText.readPairs(f, 4000);
        assertTrue(s.paired());
        assertArrayEquals(new int[] {1, 0}, s.labels());
        assertEquals("second one", new String(s.second()[0], StandardCharsets.UTF_8));
        assertEquals("y", new String(s.second()[1], StandardCharsets.UTF_8), "carriage return dropped");
        assertEquals(2, ByteText.readPairs(f, 5).truncated(), "both documents of the first pair and none of the second");
        Path four = write("p.tsv", "1\tA\tB\tx\ty\n1\tA\tB\tonly one text\n"), word = write("q.tsv", "yes\tA\tB\tx\ty\n");
        error(() -> ByteText.readPairs(four, 4000), "p.tsv:2: expected 5 tab-separated fields");
        error(() -> ByteText.readPairs(word, 4000), "q.tsv:1: label 'yes' is not a number");
    }

    @Test
    void cifarRecordsBecomeGreySequences() throws IOException {
        byte[] bin = new byte[2 * 3073];
        bin[0] = 3;
        bin[1] = (byte) 255; // pixel 0: red 255, green 0, blue 0
        bin[1 + 1024 + 1] = (byte) 200; // pixel 1: green 200
        bin[1 + 2048 + 2] = (byte) 100; // pixel 2: blue 100
        bin[3073] = 9;
        java.util.Arrays.fill(bin, 3074, 3073 * 2, (byte) 255); // a white image
        Path f = dir.resolve("data_batch_1.bin");
        Files.write(f, bin);
        TokenSet s = Cifar10.read(List.of(f));
        assertArrayEquals(new int[] {3, 9}, s.labels());
        assertEquals(1024, s.first()[0].length);
        assertEquals(76, s.first()[0][0] & 0xff, "0.299 · 255");
        assertEquals(117, s.first()[0][1] & 0xff, "0.587 · 200");
        assertEquals(11, s.first()[0][2] & 0xff, "0.114 · 100");
        assertEquals(255, s.first()[1][500] & 0xff);
        Path cut = dir.resolve("cut.bin");
        Files.write(cut, java.util.Arrays.copyOf(bin, 3073 + 10));
        error(() -> Cifar10.read(List.of(cut)), "cut.bin: 3083 bytes is not a whole number of 3073-byte");
        bin[3073] = 10;
        Files.write(f, bin);
        error(() -> Cifar10.read(List.of(f)), "data_batch_1.bin: record 2 has label 10");
    }

    private static void png(Path file, int size, int level) throws IOException {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < size; y++) for (int x = 0; x < size; x++) img.getRaster().setSample(x, y, 0, (level + x + 3 * y) & 0xff);
        Files.createDirectories(file.getParent());
        ImageIO.write(img, "png", file.toFile());
    }

    @Test
    void pathfinderReadsMetadataAndImages() throws IOException {
        png(dir.resolve("imgs/0/sample_0.png"), 4, 10);
        png(dir.resolve("imgs/0/sample_1.png"), 4, 200);
        Files.createFile(dir.resolve("imgs/0/sample_2.png")); // the release has a few empty files
        png(dir.resolve("imgs/1/sample_0.png"), 4, 0);
        write("metadata/1.npy", "imgs/1 sample_0.png 0 0 3 7\n");
        write("metadata/0.npy", "imgs/0 sample_0.png 0 1 3 7\nimgs/0 sample_1.png 0 0 3 7\nimgs/0 sample_2.png 0 1 3 7\n");
        List<String> notes = new java.util.ArrayList<>();
        TokenSet s = Pathfinder.read(dir, notes::add);
        assertArrayEquals(new int[] {1, 0, 0}, s.labels(), "metadata files in numeric order, the empty image skipped");
        assertEquals(16, s.first()[0].length);
        assertEquals(10 + 1 + 3 * 2, s.first()[0][1 + 4 * 2] & 0xff, "grey level at x 1, y 2, row-major");
        assertEquals(200, s.first()[1][0] & 0xff);
        assertTrue(notes.get(0).contains("skipped 1 empty image"), notes.toString());

        write("metadata/2.npy", "imgs/1 sample_0.png 0\n");
        error(() -> Pathfinder.read(dir, n -> { }), "2.npy:1: expected 'folder file _ label'");
        write("metadata/2.npy", "imgs/1 missing.png 0 1\n");
        error(() -> Pathfinder.read(dir, n -> { }), "2.npy:1: image");
        png(dir.resolve("imgs/1/big.png"), 8, 0);
        write("metadata/2.npy", "imgs/1 big.png 0 1\n");
        error(() -> Pathfinder.read(dir, n -> { }), "is 8×8, the first image 4×4");
    }

    @Test
    void mnistIdxFilesForSequentialMnist() throws IOException {
        byte[] labels = {0, 0, 8, 1, 0, 0, 0, 2, 7, 3}; // magic (ubyte, 1 dimension), count 2, labels 7 and 3
        Path f = dir.resolve("t10k-labels-idx1-ubyte");
        Files.write(f, labels);
        Idx idx = Idx.read(f);
        assertEquals(2, idx.count());
        assertArrayEquals(new byte[] {7, 3}, idx.data());
        Files.write(f, java.util.Arrays.copyOf(labels, 9));
        error(() -> Idx.read(f), "t10k-labels-idx1-ubyte: IDX header says 2 values but the file has 1 (truncated?)");
        Files.write(f, new byte[] {0, 0, 0x0d, 1, 0, 0, 0, 0});
        error(() -> Idx.read(f), "IDX type 0xd is not unsigned bytes");
    }

    @Test
    void tasksSplitTheirFiles() throws IOException {
        byte[] bin = new byte[20 * 3073];
        for (int r = 0; r < 20; r++) bin[r * 3073] = (byte) (r % 10);
        Path cifar = Files.createDirectories(dir.resolve("cifar/cifar-10-batches-bin"));
        Files.write(cifar.resolve("data_batch_1.bin"), bin);
        Files.write(cifar.resolve("test_batch.bin"), java.util.Arrays.copyOf(bin, 3 * 3073));
        LraTask.Splits image = LraTask.IMAGE.read(dir.resolve("cifar"), 1024);
        assertEquals(18, image.train().size());
        assertEquals(2, image.validation().size(), "the last tenth of the training records");
        assertEquals(8, image.validation().labels()[0]);
        assertEquals(3, image.test().size());
        assertTrue(image.notes().get(0).contains("1 of the 5"), image.notes().toString());

        Path text = Files.createDirectories(dir.resolve("text"));
        Files.writeString(text.resolve("imdb.train.tsv"), "1\tgood\n0\tbad\n");
        Files.writeString(text.resolve("imdb.test.tsv"), "1\tfine\n");
        LraTask.Splits t = LraTask.TEXT.read(text, 4000);
        assertEquals(t.test(), t.validation());
        assertTrue(t.notes().get(0).contains("imdb.eval.tsv"), t.notes().toString());

        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> LraTask.LISTOPS.read(text, 2000));
        assertTrue(missing.getMessage().contains("basic_train.tsv not found") && missing.getMessage().contains("basic_val.tsv"), missing.getMessage());
        assertEquals(LraTask.RETRIEVAL, LraTask.byId("retrieval"));
    }

    @Test
    void batchesPadEachSequenceToTheLongestInTheBatch() {
        TokenSet pairs = new TokenSet(new byte[][] {{0, 1, 2}, {5}}, new byte[][] {{7}, {8, 9, 10, 11}}, new int[] {1, 0}, 2, 257, 0);
        Batch b = new TokenBatches(pairs, 2, false, 1).epoch(0).next();
        assertArrayEquals(new int[] {2, 8, 1}, b.inputs().shape(), "two documents of 4 frames each");
        assertArrayEquals(new float[] {1, 2, 3, 0, 8, 0, 0, 0, 6, 0, 0, 0, 9, 10, 11, 12}, b.inputs().data, "token = symbol + 1, 0 pads");
        assertArrayEquals(new float[] {0, 1, 1, 0}, b.targets().data);
        TokenSet one = pairs.select(new int[] {1});
        assertEquals(1, one.size());
        assertEquals(0.5, pairs.share(pairs.majorityLabel()));
    }

    @Test
    void aBatchByIndexIsTheIteratorsBatch() {
        byte[][] docs = new byte[11][];
        int[] labels = new int[11];
        for (int i = 0; i < docs.length; i++) {
            docs[i] = new byte[] {(byte) i, (byte) (2 * i)};
            labels[i] = i % 2;
        }
        TokenBatches batches = new TokenBatches(new TokenSet(docs, null, labels, 2, 257, 0), 3, true, 7);
        for (int epoch = 0; epoch < 3; epoch++) {
            java.util.Iterator<Batch> it = batches.epoch(epoch);
            for (int index = 0; index < batches.batchesPerEpoch(); index++) {
                Batch expected = it.next();
                Batch got = batches.batch(epoch, index);
                assertArrayEquals(expected.inputs().data, got.inputs().data, "epoch " + epoch + " batch " + index);
                assertArrayEquals(expected.targets().data, got.targets().data);
            }
        }
    }
}
