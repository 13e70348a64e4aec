package dev.lmuformer.cli;

import dev.lmuformer.engine.Tensor;
import dev.lmuformer.io.Npy;
import dev.lmuformer.io.Safetensors;
import dev.lmuformer.testing.Golden;
import dev.lmuformer.testing.TinySpeechCommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static dev.lmuformer.testing.TensorAssert.assertTensorClose;
import static dev.lmuformer.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The data commands: features against the golden model inputs, stats, and the loader benchmark. */
class DataCommandsTest {
    @TempDir
    Path dir;


    @Test
    void featuresReproduceTheGoldenModelInputsAndFilterbanks() throws IOException {
        Safetensors golden = Golden.tensors("fbank.safetensors");
        List<Path> wavs;
        try (Stream<Path> s = Files.list(Golden.file("wav"))) {
            wavs = s.filter(p -> p.toString().endsWith(".wav")).sorted().toList();
        }
        assertEquals(5, wavs.size());
        for (Path wav : wavs) {
            String name = wav.getFileName().toString();
            Path x = dir.resolve(name + ".npy");
            CliRun r = run("features", "--input", wav.toString(), "--output", x.toString());
            assertEquals(0, r.code(), r.err());
            Tensor input = Npy.read(x);
            assertTrue(input.hasShape(128, 128), input.shapeString());
            assertTensorClose(name + " model input", golden.tensor(name + ".model_input").data, input.data, 1e-4);
            r = run("features", "--input", wav.toString(), "--output", x.toString(), "--raw");
            assertEquals(0, r.code(), r.err());
            Tensor fb = Npy.read(x);
            Tensor expected = golden.tensor(name + ".fbank");
            assertTrue(fb.hasShape(expected.shape()), fb.shapeString());
            assertTensorClose(name + " fbank", expected.data, fb.data, 1e-3);
        }
    }

    @Test
    void featuresResampleToSixteenKilohertzButRawKeepsTheFileRate() {
        Path wav = dir.resolve("8k.wav");
        TinySpeechCommands.writeWav(wav, 8000, 8000, 3); // 1 s at 8 kHz
        CliRun r = run("features", "--input", wav.toString(), "--output", dir.resolve("x.npy").toString());
        assertEquals(0, r.code(), r.err());
        Tensor x = Npy.read(dir.resolve("x.npy"));
        assertTrue(x.hasShape(128, 128), x.shapeString());
        // 1 s at 16 kHz has 98 frames: rows 98.. are padding, a normalised 0.
        float pad = (float) (6.845978 / (2 * 5.5654526));
        assertTrue(x.data[97 * 128] != pad && x.data[98 * 128] == pad, "98 frames of signal after resampling");
        r = run("features", "--input", wav.toString(), "--output", dir.resolve("raw.npy").toString(), "--raw");
        assertEquals(0, r.code(), r.err());
        assertTrue(Npy.read(dir.resolve("raw.npy")).hasShape(98, 128), "1 s at 8 kHz: 98 frames of 200 samples every 80");
        r = run("features", "--input", dir.resolve("missing.wav").toString(), "--output", dir.resolve("y.npy").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("lmuformer: ") && r.err().strip().lines().count() == 1, r.err());
    }

    @Test
    void statsAndLoaderBenchOnATinyTree() {
        Path root = TinySpeechCommands.create(dir.resolve("sc"), List.of("yes", "no", "up"), 4);
        CliRun r = run("stats", "--data", root.toString(), "--threads", "2", "--json");
        assertEquals(0, r.code(), r.err());
        for (String key : List.of("\"split\":\"train\"", "\"clips\":6", "\"values\":98304", "\"mean\":", "\"std\":")) {
            assertTrue(r.out().contains(key), r.out());
        }
        r = run("stats", "--data", root.toString(), "--split", "holdout");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("unknown split 'holdout'"), r.err());
        r = run("bench", "--mode", "loader", "--data", root.toString(), "--batch", "4", "--warmup", "1", "--iterations", "3", "--threads", "2", "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"examples_per_s\":") && r.out().contains("\"cpu_ms_per_example\":") && r.out().contains("\"train_clips\":6"), r.out());
        r = run("bench", "--mode", "loader");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--data"), r.err());
    }
}
