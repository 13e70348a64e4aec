package dev.lmuformer.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.lmuformer.checkpoint.Checkpoint;
import dev.lmuformer.io.Npy;
import dev.lmuformer.io.Safetensors;
import dev.lmuformer.model.Init;
import dev.lmuformer.model.ModelConfig;
import dev.lmuformer.model.Models;
import dev.lmuformer.model.SequenceModel;
import dev.lmuformer.testing.Golden;
import dev.lmuformer.testing.TinySpeechCommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.lmuformer.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code lmuformer profile}: JSON on a golden checkpoint and input, text on a dataset, one-line errors. */
class ProfileCommandTest {
    @TempDir
    Path dir;


    @Test
    @SuppressWarnings("unchecked")
    void jsonProfileOfTheCompactSpikingModel() throws Exception {
        Safetensors g = Golden.tensors("compact/slmu_rnn_ms_conv1d.dim32.safetensors");
        Path ckpt = CliTest.checkpointFrom(g, dir.resolve("model.safetensors"));
        Path x = dir.resolve("x.npy");
        Npy.write(x, g.tensor("input.x"));
        CliRun r = run("profile", "--checkpoint", ckpt.toString(), "--features", x.toString(), "--e-mac", "3", "--e-ac", "1", "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.out().strip().lines().count(), "one JSON object");
        Map<String, Object> m = JSON.std.mapFrom(r.out());
        assertEquals("slmu_rnn_ms_conv1d", m.get("arch"));
        assertEquals(2, ((Number) m.get("sequences")).intValue());
        assertEquals(128, ((Number) m.get("frames")).intValue());
        Map<String, Object> params = (Map<String, Object>) m.get("parameters");
        assertEquals(Long.parseLong(g.metadata().get("parameters")), ((Number) params.get("trainable")).longValue());
        List<Map<String, Object>> neurons = (List<Map<String, Object>>) m.get("neurons");
        assertEquals(11, neurons.size());
        for (Map<String, Object> n : neurons) assertNotNull(n.get("firingRate"), n.toString());
        Map<String, Object> parallel = (Map<String, Object>) m.get("parallel");
        double macs = ((Number) parallel.get("macs")).doubleValue(), acs = ((Number) parallel.get("acs")).doubleValue();
        assertEquals(2 * macs, ((Number) parallel.get("flops")).doubleValue(), 1e-6);
        Map<String, Object> energy = (Map<String, Object>) m.get("energy");
        assertEquals((3 * macs + acs) * 1e-6, ((Number) energy.get("perInferenceUj")).doubleValue(), 1e-9);
        assertTrue(energy.get("assumptions").toString().startsWith("Estimate"));
        Map<String, Object> streaming = (Map<String, Object>) m.get("streaming");
        assertEquals(true, streaming.get("causal"));
        assertEquals(5, ((Number) streaming.get("lookAheadFrames")).intValue());
        assertEquals(50.0, ((Number) streaming.get("lookAheadMs")).doubleValue());
    }

    @Test
    void textProfileOnADataset() {
        Path data = TinySpeechCommands.create(dir.resolve("sc"), List.of("yes", "no", "up"), 3);
        SequenceModel model = Models.create(ModelConfig.fromMap("attn_ms_conv1d", Map.of("embed_dims", 16, "num_heads", 4)));
        Init.pytorchDefault(model, 5);
        Path ckpt = dir.resolve("attn.safetensors");
        Checkpoint.save(ckpt, model, Map.of());
        CliRun r = run("profile", "--checkpoint", ckpt.toString(), "--data", data.toString(), "--limit", "2", "--batch-stats", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("inputs: 2 test clips of " + data + " (training mode)"), r.out());
        assertTrue(r.out().contains(String.format("parameters: %,d trainable", model.parameterCount())), r.out());
        assertTrue(r.out().contains("block.0.attn.attention"), r.out());
        assertTrue(r.out().contains("not causal"), r.out());
        assertTrue(r.out().contains("energy (estimate, E_MAC 4.60 pJ, E_AC 0.90 pJ)"), r.out());
    }

    @Test
    void badArgumentsAreOneLineErrors() {
        SequenceModel model = Models.create(ModelConfig.fromMap("lmu_rnn_conv1d", Map.of("embed_dims", 8, "in_channels", 4, "num_classes", 3, "seq_len", 6)));
        Path ckpt = dir.resolve("small.safetensors");
        Checkpoint.save(ckpt, model, Map.of());
        Path x = dir.resolve("x.npy");
        Npy.write(x, new dev.lmuformer.engine.Tensor(2, 6, 5));
        assertOneLineError(run("profile"), "--checkpoint", "--model");
        assertOneLineError(run("profile", "--checkpoint", ckpt.toString(), "--features", x.toString()), "5 features", "expects 4");
        Npy.write(x, new dev.lmuformer.engine.Tensor(1, 7, 4));
        assertOneLineError(run("profile", "--checkpoint", ckpt.toString(), "--features", x.toString()), "7 frames", "seq_len 6");
        assertOneLineError(run("profile", "--checkpoint", ckpt.toString(), "--e-mac", "-1"), "E_MAC -1.0");
        assertOneLineError(run("profile", "--model", "gpt"), "unknown architecture 'gpt'");
        CliRun ok = run("profile", "--checkpoint", ckpt.toString());
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().contains("inputs: none"), ok.out());
    }

    private static void assertOneLineError(CliRun r, String... fragments) {
        assertEquals(1, r.code(), "exit code; " + r.err());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line expected, got: " + err);
        assertTrue(err.startsWith("lmuformer: "), err);
        for (String f : fragments) assertTrue(err.contains(f), "error should mention '" + f + "': " + err);
    }
}
