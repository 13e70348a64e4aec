package dev.lmuformer.checkpoint;

import dev.lmuformer.io.FormatException;
import dev.lmuformer.io.Safetensors;
import dev.lmuformer.io.StoredTensor;
import dev.lmuformer.model.ModelConfig;
import dev.lmuformer.model.Models;
import dev.lmuformer.model.SequenceModel;
import dev.lmuformer.testing.Fuzz;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A checkpoint's metadata drives what is built before any weight is read: 10,000 mutants of small
 * saved keyword, psMNIST and Long Range Arena checkpoints whose {@code config} has a value set to
 * an extreme (sizes of 0, −1, 20,000, 2^31−1, 10^9, fractions, strings, null), whose config JSON is
 * mutated as text, whose {@code arch} is another model's or garbage, or one of whose tensors is
 * dropped or renamed. Each either loads to a model whose every weight came from the file (the LMU's
 * A, B and H may be recomputed), or raises
 * {@link FormatException}; sizes that would build a model far larger than the file's weights are
 * refused before allocating (the test runs in the suite's ordinary heap).
 */
class CheckpointFuzzTest {
    private static final int CASES = 10_000;
    private static final Pattern VALUE = Pattern.compile(":(-?[0-9.eE+]+|\"[^\"]*\"|null|true|false)");
    private static final Pattern DERIVED = Pattern.compile("\\.(A|B|H)$");
    private static final String[] EXTREMES = {"0", "-1", "1", "2", "3", "20000", "2147483647", "-2147483648", "1000000000", "1e300", "0.5",
        "\"64\"", "\"x\"", "null", "true", "[]", "{}"};

    @TempDir
    Path dir;

    private record Seed(Map<String, StoredTensor> tensors, Map<String, String> metadata) {
    }

    @Test
    void mutatedMetadataLoadsOrRaisesFormatException() {
        List<Seed> seeds = List.of(seed("lmu_rnn_conv1d", Map.of("embed_dims", 16, "in_channels", 8, "num_classes", 3, "seq_len", 8, "theta", 8)),
                seed("slmu_rnn_ms_conv1d", Map.of("embed_dims", 16, "in_channels", 8, "num_classes", 3, "seq_len", 8, "theta", 8)),
                seed("psmnist_lmu", Map.of("hidden_size", 8, "memory_size", 6, "seq_len", 16, "theta", 16)),
                seed("lra_lmu", Map.of("embed_dims", 8, "vocab_size", 20, "num_classes", 4, "seq_len", 12, "theta", 12)));
        Path f = dir.resolve("mutant.safetensors");
        Fuzz.run("checkpoint metadata", CASES, 20261207L, Duration.ofSeconds(180), rnd -> mutant(seeds.get(rnd.nextInt(seeds.size())), rnd),
                (bytes, i) -> {
                    Files.write(f, bytes);
                    Checkpoint.Loaded loaded = Checkpoint.load(f);
                    Map<String, StoredTensor> stored = Checkpoint.read(f).tensors();
                    for (String name : loaded.model().state().tensors().keySet()) {
                        assertTrue(stored.containsKey(name) || DERIVED.matcher(name).find(), name + " is not in the file"); // A, B, H: recomputed
                    }
                }, FormatException.class);
    }

    @Test
    void aConfigFarLargerThanItsWeightsIsRefusedBeforeAllocating() throws IOException {
        Seed s = seed("lmu_rnn_conv1d", Map.of("embed_dims", 16, "in_channels", 8, "num_classes", 3, "seq_len", 8, "theta", 8));
        Map<String, String> meta = new LinkedHashMap<>(s.metadata());
        meta.put(Checkpoint.CONFIG, meta.get(Checkpoint.CONFIG).replace("\"embed_dims\":16", "\"embed_dims\":20000"));
        Path f = dir.resolve("huge.safetensors");
        Safetensors.writeStored(f, s.tensors(), meta);
        FormatException e = assertThrows(FormatException.class, () -> Checkpoint.load(f));
        assertTrue(e.getMessage().contains("does not fit its tensors"), e.getMessage());
    }

    private Seed seed(String arch, Map<String, Object> sizes) {
        SequenceModel model = Models.create(ModelConfig.fromMap(arch, sizes));
        Path p = dir.resolve(arch + ".safetensors");
        Checkpoint.save(p, model, Map.of("labels", "a,b,c"));
        Checkpoint.Stored st = Checkpoint.read(p);
        return new Seed(st.tensors(), st.metadata());
    }

    private byte[] mutant(Seed s, SplittableRandom rnd) {
        Map<String, String> meta = new LinkedHashMap<>(s.metadata());
        Map<String, StoredTensor> tensors = new LinkedHashMap<>(s.tensors());
        String config = meta.get(Checkpoint.CONFIG);
        switch (rnd.nextInt(4)) {
            case 0, 1 -> meta.put(Checkpoint.CONFIG, valueChanged(config, rnd));
            case 2 -> {
                if (rnd.nextBoolean()) meta.put(Checkpoint.CONFIG, new String(Fuzz.text(config, rnd), StandardCharsets.UTF_8));
                else meta.put(Checkpoint.ARCH, rnd.nextInt(4) == 0 ? "x" : Models.names().get(rnd.nextInt(Models.names().size())));
            }
            default -> {
                List<String> names = new ArrayList<>(tensors.keySet());
                String name = names.get(rnd.nextInt(names.size()));
                StoredTensor t = tensors.remove(name);
                if (rnd.nextBoolean()) tensors.put(name + "x", t);
            }
        }
        Path p = dir.resolve("seed-out.safetensors");
        Safetensors.writeStored(p, tensors, meta);
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code json} with one or two of its values replaced by extremes. */
    private static String valueChanged(String json, SplittableRandom rnd) {
        for (int k = 1 + rnd.nextInt(2); k > 0; k--) {
            List<int[]> values = new ArrayList<>();
            for (Matcher m = VALUE.matcher(json); m.find(); ) values.add(new int[] {m.start(1), m.end(1)});
            if (values.isEmpty()) return json;
            int[] v = values.get(rnd.nextInt(values.size()));
            json = json.substring(0, v[0]) + EXTREMES[rnd.nextInt(EXTREMES.length)] + json.substring(v[1]);
        }
        return json;
    }
}
