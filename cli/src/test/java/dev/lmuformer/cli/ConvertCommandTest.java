package dev.lmuformer.cli;

import dev.lmuformer.engine.Tensor;
import dev.lmuformer.io.Npy;
import dev.lmuformer.io.Safetensors;
import dev.lmuformer.testing.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.lmuformer.testing.TensorAssert.assertTensorClose;
import static dev.lmuformer.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code predict} and {@code info} on the reference's .pth files, and {@code convert} both ways. */
class ConvertCommandTest {
    @TempDir
    Path dir;


    @ParameterizedTest
    @CsvSource({"full/lmu_rnn_conv1d.dataparallel.pth, full/lmu_rnn_conv1d.safetensors, 1e-4",
            "compact/slmu_rnn_ms_conv1d.dim32.dataparallel.pth, compact/slmu_rnn_ms_conv1d.dim32.safetensors, 1e-3"})
    void predictOnPthAndOnItsConversionReproducesReferenceLogits(String pth, String golden, double tol) {
        Path file = Golden.file(pth);
        Safetensors g = Golden.tensors(golden);
        Path x = dir.resolve("x.npy");
        Npy.write(x, g.tensor("input.x"));
        Path converted = dir.resolve("model.safetensors");
        CliRun c = run("convert", "--input", file.toString(), "--output", converted.toString());
        assertEquals(0, c.code(), c.err());
        for (Path ckpt : new Path[] {file, converted}) {
            CliRun r = run("predict", "--checkpoint", ckpt.toString(), "--features", x.toString(), "--output", dir.resolve("y.npy").toString());
            assertEquals(0, r.code(), r.err());
            assertTensorClose(ckpt + " logits", g.tensor("out.eval.logits").data, Npy.read(dir.resolve("y.npy")).data, tol);
        }
        CliRun r = run("predict", "--checkpoint", file.toString(), "--features", x.toString(), "--all-seq", "--output", dir.resolve("s.npy").toString());
        assertEquals(0, r.code(), r.err());
        Tensor s = Npy.read(dir.resolve("s.npy"));
        assertTensorClose(pth + " all_seq", g.tensor("out.eval.all_seq_logits").data, s.data, tol);
    }

    @Test
    void infoSaysWhatItInferred() {
        Path file = Golden.file("compact/lmu_rnn_conv1d.dim32.dataparallel.pth");
        CliRun r = run("info", "--checkpoint", file.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("arch         lmu_rnn_conv1d"), r.out());
        assertTrue(r.out().contains("embed_dims   32"), r.out());
        assertTrue(r.out().contains("inferred     no metadata; inferred arch lmu_rnn_conv1d from keys patch_embed.conv_layers.*"), r.out());
        assertTrue(r.out().contains("theta 128 and num_heads 16 (defaults: not recoverable from the weights)"), r.out());
        Path converted = dir.resolve("m.safetensors");
        assertEquals(0, run("convert", "--input", file.toString(), "--output", converted.toString()).code());
        assertFalse(run("info", "--checkpoint", converted.toString()).out().contains("inferred"), "a converted file has explicit metadata");
    }

    @Test
    void brokenInputIsAOneLineError() throws Exception {
        Path bad = dir.resolve("bad.pth");
        Files.write(bad, new byte[] {'P', 'K', 3, 4, 1, 2, 3});
        CliRun r = run("convert", "--input", bad.toString(), "--output", dir.resolve("o.safetensors").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("lmuformer: " + bad + ": broken zip container"), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertFalse(Files.exists(dir.resolve("o.safetensors")));
    }
}
