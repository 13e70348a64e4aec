package dev.lmuformer.cli;

import dev.lmuformer.testing.Tolerances;
import dev.lmuformer.checkpoint.Checkpoint;
import dev.lmuformer.engine.Tensor;
import dev.lmuformer.io.Npy;
import dev.lmuformer.io.Safetensors;
import dev.lmuformer.model.ModelConfig;
import dev.lmuformer.model.Models;
import dev.lmuformer.model.SequenceModel;
import dev.lmuformer.testing.Golden;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static dev.lmuformer.testing.TensorAssert.assertTensorClose;
import static dev.lmuformer.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The commands end to end: predict parity on converted golden checkpoints, and one-line errors on bad input. */
class CliTest {
    @TempDir
    Path dir;


    /** A project checkpoint from a golden file's {@code state.*} and metadata. */
    static Path checkpointFrom(Safetensors golden, Path file) {
        Map<String, String> meta = golden.metadata();
        Map<String, Object> cfg = new LinkedHashMap<>(meta);
        if (meta.containsKey("hidden")) cfg.put("hidden_size", meta.get("hidden"));
        if (meta.containsKey("memory")) cfg.put("memory_size", meta.get("memory"));
        SequenceModel model = Models.create(ModelConfig.fromMap(meta.get("model"), cfg));
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (String name : golden.names()) if (name.startsWith("state.")) state.put(name.substring(6), golden.tensor(name));
        model.state().load(state);
        Checkpoint.save(file, model, Map.of());
        return file;
    }

    @ParameterizedTest
    @ValueSource(strings = {"full/lmu_rnn_conv1d.safetensors", "compact/lmu_rnn_conv1d.dim32.safetensors",
            "full/slmu_rnn_ms_conv1d.safetensors", "compact/attn_ms_conv1d.dim32.safetensors"})
    void predictReproducesReferenceLogits(String file) {
        double tol = file.contains("lmu_rnn_conv1d") && !file.contains("slmu") ? Tolerances.REAL_LOGITS : Tolerances.SPIKING_LOGITS;
        Safetensors g = Golden.tensors(file);
        Path ckpt = checkpointFrom(g, dir.resolve("model.safetensors"));
        Path x = dir.resolve("x.npy");
        Npy.write(x, g.tensor("input.x"));
        CliRun r = run("predict", "--checkpoint", ckpt.toString(), "--features", x.toString(), "--output", dir.resolve("y.npy").toString());
        assertEquals(0, r.code(), r.err());
        Tensor y = Npy.read(dir.resolve("y.npy"));
        assertTrue(y.hasShape(2, 35), y.shapeString());
        assertTensorClose("predict logits", g.tensor("out.eval.logits").data, y.data, tol);
        r = run("predict", "--checkpoint", ckpt.toString(), "--features", x.toString(), "--all-seq", "--output", dir.resolve("s.npy").toString());
        assertEquals(0, r.code(), r.err());
        Tensor s = Npy.read(dir.resolve("s.npy"));
        assertTrue(s.hasShape(128, 2, 35), s.shapeString());
        assertTensorClose("predict all_seq", g.tensor("out.eval.all_seq_logits").data, s.data, tol);
        CliRun info = run("info", "--checkpoint", ckpt.toString());
        assertEquals(0, info.code(), info.err());
        assertTrue(info.out().contains(String.format("%,d", Long.parseLong(g.metadata().get("parameters")))), info.out());
    }

    @Test
    void parameterCountsOfTheSpeechCommandsAndPsmnistModels() {
        assertEquals(1_621_796L, Models.create(ModelConfig.defaults("lmu_rnn_conv1d")).parameterCount());
        assertEquals(166_798L, Models.create(ModelConfig.defaults("psmnist_lmu")).parameterCount());
        assertEquals(1_689_894L, Models.create(ModelConfig.defaults("slmu_rnn_ms_conv1d")).parameterCount());
    }

    private static void assertOneLineError(CliRun r, String... fragments) {
        assertNotEquals(0, r.code(), "exit code");
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line expected, got: " + err);
        assertFalse(err.contains("at dev.lmuformer"), "no stack trace expected: " + err);
        assertTrue(err.startsWith("lmuformer: "), err);
        for (String f : fragments) assertTrue(err.contains(f), "error should mention '" + f + "': " + err);
    }

    private Path smallCheckpoint() {
        SequenceModel m = Models.create(ModelConfig.fromMap("lmu_rnn_conv1d", Map.of("embed_dims", 8, "in_channels", 4, "num_classes", 3, "seq_len", 6)));
        Path p = dir.resolve("small.safetensors");
        Checkpoint.save(p, m, Map.of());
        return p;
    }

    @Test
    void wrongShapedInputIsAOneLineError() {
        Path ckpt = smallCheckpoint();
        Path x = dir.resolve("bad.npy");
        Npy.write(x, new Tensor(2, 6, 5)); // 5 features, the model wants 4
        assertOneLineError(run("predict", "--checkpoint", ckpt.toString(), "--features", x.toString(), "--output", dir.resolve("o.npy").toString()),
                "5 features", "expects 4");
        Npy.write(x, new Tensor(2, 2, 6, 4));
        assertOneLineError(run("predict", "--checkpoint", ckpt.toString(), "--features", x.toString(), "--output", dir.resolve("o.npy").toString()),
                "[B, N, F]");
        assertFalse(dir.resolve("o.npy").toFile().exists(), "no output written on error");
    }

    @Test
    void missingOrMisshapedTensorsAndUnknownArchAreOneLineErrors() throws Exception {
        Path ckpt = smallCheckpoint();
        Safetensors st = Safetensors.read(ckpt);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (String n : st.names()) tensors.put(n, st.tensor(n));
        Map<String, Tensor> missing = new LinkedHashMap<>(tensors);
        missing.remove("head.weight");
        Path p1 = dir.resolve("missing.safetensors");
        Safetensors.write(p1, missing, st.metadata());
        assertOneLineError(run("info", "--checkpoint", p1.toString()), "head.weight", "lacks");
        Map<String, Tensor> misshaped = new LinkedHashMap<>(tensors);
        misshaped.put("head.bias", new Tensor(4));
        Path p2 = dir.resolve("misshaped.safetensors");
        Safetensors.write(p2, misshaped, st.metadata());
        assertOneLineError(run("info", "--checkpoint", p2.toString()), "head.bias", "[4]", "[3]");
        Map<String, String> meta = new LinkedHashMap<>(st.metadata());
        meta.put("arch", "transformer_xl");
        Path p3 = dir.resolve("arch.safetensors");
        Safetensors.write(p3, tensors, meta);
        assertOneLineError(run("info", "--checkpoint", p3.toString()), "unknown arch 'transformer_xl'");
        Path p4 = dir.resolve("garbage.safetensors");
        java.nio.file.Files.write(p4, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        assertOneLineError(run("info", "--checkpoint", p4.toString()), "garbage.safetensors");
        assertOneLineError(run("info", "--checkpoint", dir.resolve("absent.safetensors").toString()), "absent.safetensors");
    }

    @Test
    void everySubcommandAnswersHelpAndVersion() {
        // every command path, nested ones (download speechcommands) included
        java.util.List<String[]> paths = new java.util.ArrayList<>();
        java.util.ArrayDeque<java.util.Map.Entry<String[], CommandLine>> todo = new java.util.ArrayDeque<>();
        Main.commandLine().getSubcommands().forEach((n, c) -> todo.add(java.util.Map.entry(new String[] {n}, c)));
        while (!todo.isEmpty()) {
            var e = todo.poll();
            paths.add(e.getKey());
            e.getValue().getSubcommands().forEach((n, c) -> {
                String[] p = java.util.Arrays.copyOf(e.getKey(), e.getKey().length + 1);
                p[p.length - 1] = n;
                todo.add(java.util.Map.entry(p, c));
            });
        }
        assertTrue(paths.size() >= 15, paths.size() + " commands");
        assertTrue(paths.stream().anyMatch(p -> String.join(" ", p).equals("download speechcommands")), "download speechcommands is a command");
        for (String[] path : paths) {
            String name = String.join(" ", path);
            for (String help : new String[] {"--help", "-h"}) {
                // picocli reports a description it cannot format (a lone '%') on System.err, not the command's writer
                java.io.PrintStream systemErr = System.err;
                java.io.ByteArrayOutputStream warnings = new java.io.ByteArrayOutputStream();
                CliRun r;
                try {
                    System.setErr(new java.io.PrintStream(warnings, true, java.nio.charset.StandardCharsets.UTF_8));
                    r = run(with(path, help));
                } finally {
                    System.setErr(systemErr);
                }
                assertEquals(0, r.code(), name + " " + help + ": " + r.err());
                assertTrue(r.out().startsWith("Usage: lmuformer " + name), name + " " + help + " prints its usage: " + r.out());
                assertTrue(r.err().isEmpty(), name + " " + help + " writes nothing to stderr: " + r.err());
                assertEquals("", warnings.toString(java.nio.charset.StandardCharsets.UTF_8), name + " " + help + ": every description formats");
            }
            CliRun v = run(with(path, "--version"));
            assertEquals(0, v.code(), name + " --version: " + v.err());
            assertEquals("lmuformer 0.1.0", v.out().strip(), name + " --version");
        }
        CliRun root = run("--version");
        assertEquals(0, root.code());
        assertEquals("lmuformer 0.1.0", root.out().strip());
    }

    private static String[] with(String[] path, String option) {
        String[] args = java.util.Arrays.copyOf(path, path.length + 1);
        args[path.length] = option;
        return args;
    }

    @Test
    void benchPrintsJson() {
        CliRun r = run("bench", "--model", "lmu_rnn_conv1d", "--mode", "train", "--batch", "2", "--dim", "16", "--frames", "8",
                "--warmup", "1", "--iterations", "2", "--threads", "1", "--json");
        assertEquals(0, r.code(), r.err());
        for (String key : new String[] {"\"model\"", "\"mode\"", "\"batch\"", "\"threads\"", "\"samples_per_s\""}) {
            assertTrue(r.out().contains(key), r.out());
        }
        assertOneLineError(run("bench", "--mode", "fly"), "--mode");
    }

    @Test
    void benchRefusesAnOptionOfAnotherMode() {
        assertOneLineError(run("bench", "--mode", "eval", "--clients", "5"), "--clients", "serve", "not eval");
        assertOneLineError(run("bench", "--mode", "train", "--streams", "8"), "--streams", "stream", "not train");
        assertOneLineError(run("bench", "--mode", "stream", "--batch", "8"), "--batch", "not stream");
        assertOneLineError(run("bench", "--mode", "serve", "--data", "data/keywords"), "--data", "loader", "not serve");
        assertOneLineError(run("bench", "--mode", "loader", "--data", "x", "--model", "lmu_rnn_conv1d"), "--model", "not loader");
    }

    @Test
    void benchInFreshJvmsReportsTheSpreadPerThreadCount() throws Exception {
        CliRun r = run("bench", "--model", "lmu_rnn_conv1d", "--mode", "eval", "--batch", "2", "--dim", "16", "--frames", "8",
                "--warmup", "0", "--iterations", "1", "--jvms", "2", "--sweep-threads=1,2", "--json");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> m = com.fasterxml.jackson.jr.ob.JSON.std.mapFrom(r.out());
        java.util.List<?> runs = (java.util.List<?>) m.get("runs");
        assertEquals(4, runs.size(), "two JVMs for each of two thread counts");
        assertEquals(java.util.List.of(1, 1, 2, 2), runs.stream().map(run -> ((Map<?, ?>) run).get("threads")).toList(),
                "each child runs the thread count it was given");
        java.util.List<?> rows = (java.util.List<?>) m.get("by_threads");
        for (Object o : rows) {
            Map<?, ?> row = (Map<?, ?>) o;
            double min = ((Number) row.get("samples_per_s_min")).doubleValue();
            double max = ((Number) row.get("samples_per_s_max")).doubleValue();
            assertTrue(min > 0 && min <= max, row.toString());
            assertEquals(min / max, ((Number) row.get("slowest_over_fastest")).doubleValue(), 1e-12);
        }
        assertEquals(1.0, ((Number) ((Map<?, ?>) rows.get(0)).get("speedup_over_first")).doubleValue(), 0);
        assertEquals(java.util.List.of("--model", "x", "--batch=3"),
                BenchCommand.withoutOptions(java.util.List.of("--jvms", "5", "--model", "x", "--json", "--threads=2", "--batch=3"), "--jvms", "--threads",
                        "--json"));
        assertOneLineError(run("bench", "--mode", "stream", "--jvms", "2"), "--jvms");
        assertOneLineError(run("bench", "--mode", "train", "--sweep-threads", "1,0"), "--sweep-threads");
        assertOneLineError(run("bench", "--mode", "train", "--jvms", "0"), "--jvms");
    }

    @Test
    void streamBenchOfTheSpikingModelTimesThreeVariants() throws Exception {
        CliRun r = run("bench", "--model", "slmu_rnn_ms_conv1d", "--mode", "stream", "--dim", "16", "--frames", "8",
                "--seconds", "0.05", "--threads", "1", "--json");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> m = com.fasterxml.jackson.jr.ob.JSON.std.mapFrom(r.out());
        assertEquals(5, ((Number) m.get("look_ahead_frames")).intValue());
        double rate = ((Number) m.get("firing_rate")).doubleValue();
        assertTrue(rate > 0 && rate < 1, "calibrated batch norms make neurons fire: " + rate);
        java.util.List<?> rows = (java.util.List<?>) m.get("results");
        assertEquals(java.util.List.of("spike accumulation", "dense", "lmu_rnn_conv1d"),
                rows.stream().map(row -> ((Map<?, ?>) row).get("variant")).toList());
        for (Object row : rows) assertTrue(((Number) ((Map<?, ?>) row).get("median_ms_per_frame")).doubleValue() > 0, row.toString());
        assertOneLineError(run("bench", "--model", "attn_ms_conv1d", "--mode", "stream", "--dim", "16"), "all frames");
        assertOneLineError(run("bench", "--model", "psmnist_slmu", "--mode", "stream", "--streams", "4"), "--streams");
    }
}
