package dev.lmuformer.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static dev.lmuformer.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** train --task for the Long Range Arena tasks and sMNIST on tiny files in each real layout, one short epoch each; the listops command. */
class LraCommandsTest {
    @TempDir
    Path dir;


    /** A byte string whose class shows in its words. */
    private static String review(Random rnd, int label) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0, n = 2 + rnd.nextInt(6); i < n; i++) sb.append(label == 1 ? "good " : "poor ").append(rnd.nextInt(100)).append(' ');
        return sb.toString().trim();
    }

    private static void lines(Path file, int count, Random rnd, boolean pairs) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < count; i++) {
            int label = i % 2;
            if (pairs) sb.append(label).append("\tP").append(i).append("\tQ").append(i).append('\t').append(review(rnd, label)).append('\t').append(review(rnd,
                    label));
            else sb.append(label).append('\t').append(review(rnd, label));
            sb.append('\n');
        }
        Files.writeString(file, sb.toString());
    }

    private static byte[] cifar(int records, Random rnd) {
        byte[] bin = new byte[records * 3073];
        for (int r = 0; r < records; r++) {
            bin[r * 3073] = (byte) (r % 10);
            for (int p = 1; p < 3073; p++) bin[r * 3073 + p] = (byte) (r * 20 + rnd.nextInt(30));
        }
        return bin;
    }

    /** Writes a tiny data set of {@code task} in its real layout; returns the folder. */
    private Path data(String task) throws IOException {
        Path d = Files.createDirectories(dir.resolve("data-" + task));
        Random rnd = new Random(task.hashCode());
        switch (task) {
            case "listops" -> {
                CliRun r = run("listops", "--out", d.toString(), "--train", "40", "--val", "10", "--test", "10", "--max-depth", "3",
                        "--max-args", "4", "--min-length", "5", "--max-length", "60");
                assertEquals(0, r.code(), r.err());
                assertTrue(r.out().contains("basic_test.tsv (10 expressions)"), r.out());
            }
            case "text" -> {
                lines(d.resolve("imdb.train.tsv"), 16, rnd, false);
                lines(d.resolve("imdb.test.tsv"), 6, rnd, false);
            }
            case "retrieval" -> {
                lines(d.resolve("new_aan_pairs.train.tsv"), 12, rnd, true);
                lines(d.resolve("new_aan_pairs.eval.tsv"), 4, rnd, true);
                lines(d.resolve("new_aan_pairs.test.tsv"), 4, rnd, true);
            }
            case "image" -> {
                Files.write(d.resolve("data_batch_1.bin"), cifar(12, rnd));
                Files.write(d.resolve("test_batch.bin"), cifar(4, rnd));
            }
            case "pathfinder" -> {
                StringBuilder meta = new StringBuilder();
                for (int i = 0; i < 10; i++) {
                    BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
                    for (int p = 0; p < 64; p++) img.getRaster().setSample(p % 8, p / 8, 0, (i % 2) * 120 + rnd.nextInt(100));
                    Files.createDirectories(d.resolve("imgs/0"));
                    ImageIO.write(img, "png", d.resolve("imgs/0/sample_" + i + ".png").toFile());
                    meta.append("imgs/0 sample_").append(i).append(".png 0 ").append(i % 2).append(" 3 7\n");
                }
                Files.createDirectories(d.resolve("metadata"));
                Files.writeString(d.resolve("metadata/0.npy"), meta.toString());
            }
            case "smnist", "psmnist" -> {
                TinyMnist.write(d, "train", 20, 1, false);
                TinyMnist.write(d, "t10k", 10, 2, false);
            }
            default -> throw new IllegalArgumentException(task);
        }
        return d;
    }

    @ParameterizedTest(name = "train --task {0}")
    @ValueSource(strings = {"listops", "text", "retrieval", "image", "pathfinder", "smnist", "psmnist"})
    void eachTaskTrainsOneEpochAndReports(String task) throws IOException {
        Path out = dir.resolve("run-" + task);
        boolean lra = !task.endsWith("mnist");
        Path data = data(task);
        List<String> args = new java.util.ArrayList<>(List.of("train", "--task", task, "--data", data.toString(), "--out", out.toString(),
                "--epochs", "1", "--set", "batch_size=8"));
        if (lra) args.addAll(List.of("--set", "dim=8", "--set", "layer=1"));
        CliRun r = run(args.toArray(new String[0]));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("epoch 1/1: ") && r.err().contains("test: accuracy"), r.err());
        if (lra) assertTrue(r.err().contains(task + ": ") && r.err().contains("majority class"), r.err());
        List<String> log = Files.readAllLines(out.resolve("log.csv"));
        assertEquals(2, log.size(), "header and one epoch: " + log);
        CliRun info = run("info", "--checkpoint", out.resolve("best.safetensors").toString());
        assertEquals(0, info.code(), info.err());
        assertTrue(info.out().contains("meta task    " + task), info.out());
        if (task.equals("retrieval")) assertTrue(info.out().contains("towers       2"), info.out());
        if (task.equals("smnist")) assertTrue(!info.out().contains("permutation"), "pixels in order: " + info.out());
        String reported = r.err().substring(r.err().lastIndexOf("test: "));
        CliRun eval = run("eval", "--checkpoint", out.resolve("best.safetensors").toString(), "--data", data.toString());
        assertEquals(0, eval.code(), eval.err());
        assertEquals(reported.strip(), eval.out().strip(), "eval of the best checkpoint gives the test metrics train reported");
    }

    @Test
    void aMalformedLineStopsTrainingWithOneLineNamingIt() throws IOException {
        Path d = data("text");
        Files.writeString(d.resolve("imdb.test.tsv"), "1\tfine\nno label here\n");
        CliRun r = run("train", "--task", "text", "--data", d.toString(), "--out", dir.resolve("bad").toString(), "--epochs", "1");
        assertNotEquals(0, r.code());
        assertTrue(r.err().strip().startsWith("lmuformer: ") && r.err().contains("imdb.test.tsv:2: expected 'label<TAB>text'")
                && !r.err().strip().contains("\n"), r.err());
        CliRun unknown = run("train", "--task", "mnist", "--out", dir.resolve("x").toString());
        assertNotEquals(0, unknown.code());
        assertTrue(unknown.err().contains("listops") && unknown.err().contains("pathfinder"), unknown.err());
        CliRun wrongModel = run("train", "--task", "listops", "--data", data("listops").toString(), "--set", "model=lmu_rnn_conv1d",
                "--out", dir.resolve("y").toString());
        assertTrue(wrongModel.err().contains("needs model lra_lmu"), wrongModel.err());
    }
}
