package dev.lmuformer.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.lmuformer.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** train, eval and the config: psMNIST on tiny IDX files, Speech Commands on the bundled set, bad configs. */
class TrainCommandsTest {
    @TempDir
    Path dir;


    @Test
    void psmnistTrainsOnIdxFilesAndReportsTestAccuracyPerEpoch() throws IOException {
        Path mnist = Files.createDirectories(dir.resolve("mnist"));
        TinyMnist.write(mnist, "train", 40, 1, true);
        TinyMnist.write(mnist, "t10k", 20, 2, false);
        Path out = dir.resolve("run");
        CliRun r = run("train", "--task", "psmnist", "--data", mnist.toString(), "--out", out.toString(), "--epochs", "2",
                "--set", "batch_size=20", "--set", "lr=0.01");
        assertEquals(0, r.code(), r.err());
        List<String> log = Files.readAllLines(out.resolve("log.csv"));
        assertEquals(3, log.size(), "header and one row per epoch: " + log);
        assertTrue(r.err().contains("epoch 2/2: "), r.err());
        assertTrue(r.err().contains("test: accuracy"), r.err());
        assertTrue(Files.exists(out.resolve("best.safetensors")));
        assertTrue(Files.exists(out.resolve("curves.png")));
        CliRun info = run("info", "--checkpoint", out.resolve("best.safetensors").toString());
        assertTrue(info.out().contains("psmnist_lmu") && info.out().contains("permutation"), info.out());
    }

    @Test
    void speechCommandsTrainThenEvalAllSeq() {
        Path out = dir.resolve("sc");
        CliRun r = run("train", "--data", "../data/keywords", "--out", out.toString(), "--epochs", "1", "--set", "model=lmu_rnn_conv1d",
                "--set", "dim=16", "--set", "batch_size=64");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("best epoch 1"), r.err());
        CliRun again = run("train", "--data", "../data/keywords", "--out", out.toString(), "--epochs", "1");
        assertNotEquals(0, again.code(), "refuses to overwrite a run without --resume");
        assertTrue(again.err().contains("--resume"), again.err());
        Path evalOut = dir.resolve("eval");
        CliRun e = run("eval", "--checkpoint", out.resolve("best.safetensors").toString(), "--data", "../data/keywords", "--all-seq",
                "--out", evalOut.toString());
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("test: accuracy"), e.out());
        assertTrue(e.out().contains("of the input saved"), e.out());
        assertTrue(Files.exists(evalOut.resolve("accuracy_per_frame.csv")));
        assertTrue(Files.exists(evalOut.resolve("accuracy_per_frame.png")));
    }

    @Test
    void configKeysAreCheckedAndIgnoredOnesWarned() throws IOException {
        Path bad = dir.resolve("bad.yml");
        Files.writeString(bad, "model: lmu_rnn_conv1d\nlr: fast\n");
        CliRun r = run("train", "--config", bad.toString(), "--out", dir.resolve("x").toString());
        assertNotEquals(0, r.code());
        assertTrue(r.err().strip().startsWith("lmuformer: ") && r.err().contains("'lr'") && !r.err().strip().contains("\n"), r.err());
        Path gsc = dir.resolve("gsc.yml");
        Files.writeString(gsc, "model: lmu_rnn_conv1d\ngpu_id: '1'\nfancy: 3\ndim: 16\nn_epochs: 1\nbatch_size: 128\n");
        CliRun ok = run("train", "--config", gsc.toString(), "--data", "../data/keywords", "--out", dir.resolve("y").toString());
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.err().contains("ignoring key 'gpu_id'"), ok.err());
        assertTrue(ok.err().contains("ignoring unknown key 'fancy'"), ok.err());
        assertFalse(ok.err().contains("Exception"), ok.err());
    }
}
