package dev.lmuformer.checkpoint;

import dev.lmuformer.engine.Tensor;
import dev.lmuformer.io.ComplexPairs;
import dev.lmuformer.io.Excerpt;
import dev.lmuformer.io.FormatException;
import dev.lmuformer.io.PthFormatException;
import dev.lmuformer.io.PthReader;
import dev.lmuformer.io.PthWriter;
import dev.lmuformer.io.Safetensors;
import dev.lmuformer.io.StoredTensor;
import dev.lmuformer.model.ModelConfig;
import dev.lmuformer.model.Models;
import dev.lmuformer.model.SequenceModel;
import dev.lmuformer.model.StateDict;
import com.fasterxml.jackson.jr.ob.JSON;


import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Checkpoints. The project's format is a safetensors file whose tensor names are the reference
 * state_dict keys and whose {@code __metadata__} holds {@code arch} (the registry name) and
 * {@code config} (a JSON object with the reference's argument names). Other metadata (labels,
 * normalisation, sample rate) is carried through untouched. PyTorch {@code .pth} state_dicts are
 * read as well, their architecture inferred from the tensors ({@link ArchInference}).
 */
public final class Checkpoint {
    /** Metadata key of the architecture name. */
    public static final String ARCH = "arch";
    /** Metadata key of the JSON config. */
    public static final String CONFIG = "config";

    private Checkpoint() {
    }

    /** Metadata key, set only when the file had no {@code arch}: how the config was inferred from the tensors. */
    public static final String INFERRED = "inferred";

    /** A loaded model and the file's metadata. */
    public record Loaded(SequenceModel model, Map<String, String> metadata) {
    }

    /**
     * A checkpoint's tensors exactly as stored (names without {@code module.}) and its metadata;
     * for a file without {@code arch}, the metadata holds the inferred {@code arch}, {@code config}
     * and {@link #INFERRED}.
     */
    public record Stored(Map<String, StoredTensor> tensors, Map<String, String> metadata) {
    }

    /**
     * Reads a checkpoint and builds its model: the project's safetensors format, or a
     * {@code torch.save} state_dict ({@code .pth}, recognised by its content).
     *
     * @throws FormatException naming the file and the problem: unreadable file, missing or unknown
     *                         {@code arch}, malformed config, missing or mis-shaped tensors
     *                         ({@link PthFormatException} for a {@code .pth})
     */
    public static Loaded load(Path file) {
        Stored stored = read(file);
        return new Loaded(build(file, stored), stored.metadata());
    }

    /** Reads a checkpoint's tensors and metadata without building the model. */
    public static Stored read(Path file) {
        if (isPth(file)) {
            Map<String, StoredTensor> tensors = PthReader.read(file);
            return new Stored(tensors, inferredMetadata(file, tensors, Map.of()));
        }
        Safetensors st = Safetensors.read(file);
        Map<String, StoredTensor> tensors = new LinkedHashMap<>();
        for (String name : st.names()) tensors.put(name, st.stored(name));
        Map<String, String> meta = st.metadata().containsKey(ARCH) ? st.metadata() : inferredMetadata(file, tensors, st.metadata());
        return new Stored(tensors, meta);
    }

    /**
     * Converts between the formats, choosing the output's by its extension ({@code .pth} /
     * {@code .pt}: a {@code torch.save} zip; otherwise safetensors). Every tensor keeps its bits;
     * only other floating types become float32 in a {@code .pth}. The model is built first, so a
     * checkpoint that does not fit its architecture is refused.
     */
    public static void convert(Path input, Path output) {
        convert(input, output, false);
    }

    /**
     * As {@link #convert(Path, Path)}; with {@code half}, a small safetensors file for shipping:
     * every floating tensor of two or more dimensions (weights, kernels, embeddings) in half
     * precision, vectors (biases, batch-norm parameters and statistics) kept in float32, and the
     * LMU's derived buffers (A, B, H), which loading recomputes, left out. A width-256
     * {@code lmu_rnn_conv1d} takes 3.3 MB so (6.9 MB in float32).
     *
     * @throws IllegalArgumentException when {@code half} is asked of a {@code .pth} output
     */
    public static void convert(Path input, Path output, boolean half) {
        if (half && isPthName(output)) throw new IllegalArgumentException(output + ": half precision is written as safetensors only");
        Stored stored = read(input);
        SequenceModel model = build(input, stored);
        if (half) {
            Map<String, StateDict.Entry> entries = model.state().entries();
            Map<String, StoredTensor> out = new LinkedHashMap<>();
            stored.tensors().forEach((name, t) -> {
                StateDict.Entry e = entries.get(name);
                if (e == null || e.optional()) return; // derived or ignorable: recomputed on load
                out.put(name, t.shape().length >= 2 && t.dtype().isFloat() ? t.toF16() : t.toF32());
            });
            Map<String, String> meta = new LinkedHashMap<>(stored.metadata());
            meta.remove(INFERRED);
            meta.put(CONFIG, configJson(output, model));
            Safetensors.writeStored(output, out, meta);
            return;
        }
        if (isPthName(output)) {
            Map<String, StoredTensor> out = new LinkedHashMap<>();
            ComplexPairs.join(stored.tensors()).forEach((k, v) -> out.put(k, v.toF32()));
            PthWriter.write(output, out);
        } else {
            Map<String, String> meta = new LinkedHashMap<>(stored.metadata());
            meta.remove(INFERRED);
            meta.put(CONFIG, configJson(output, model));
            Safetensors.writeStored(output, ComplexPairs.split(stored.tensors()), meta);
        }
    }

    /**
     * Adds {@code entries} to a safetensors checkpoint's metadata in place (atomically), every tensor
     * keeping its bits and type (a half-precision file stays one) — how an operating point chosen for
     * a model travels with it.
     *
     * @throws IllegalArgumentException for a {@code .pth}, which has no metadata, or an entry naming {@code arch} or {@code config}
     */
    public static void withMetadata(Path file, Map<String, String> entries) {
        if (isPth(file)) throw new IllegalArgumentException(file + ": a PyTorch checkpoint has no metadata; convert it to safetensors first");
        for (String k : entries.keySet()) {
            if (k.equals(ARCH) || k.equals(CONFIG)) throw new IllegalArgumentException("the '" + k + "' metadata describes the model and is not set so");
        }
        Safetensors st = Safetensors.read(file);
        Map<String, StoredTensor> tensors = new LinkedHashMap<>();
        for (String name : st.names()) tensors.put(name, st.stored(name));
        Map<String, String> meta = new LinkedHashMap<>(st.metadata());
        meta.putAll(entries);
        Safetensors.writeStored(file, tensors, meta);
    }

    /** True for output names that mean a {@code torch.save} file. */
    public static boolean isPthName(Path file) {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        return name.endsWith(".pth") || name.endsWith(".pt");
    }

    private static boolean isPth(Path file) {
        byte[] head = new byte[4];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, 4);
        } catch (IOException e) {
            throw new FormatException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        return n == 4 && PthReader.recognises(head);
    }

    private static Map<String, int[]> shapes(Map<String, StoredTensor> tensors) {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        tensors.forEach((k, v) -> shapes.put(k, v.shape()));
        return shapes;
    }

    private static Map<String, String> inferredMetadata(Path file, Map<String, StoredTensor> tensors, Map<String, String> carried) {
        Map<String, int[]> shapes = shapes(tensors);
        ArchInference.Inferred inferred;
        try {
            inferred = ArchInference.infer(shapes);
        } catch (IllegalArgumentException e) {
            throw error(file, "no 'arch' in the file and none can be inferred: " + e.getMessage(), e);
        }
        Map<String, String> meta = new LinkedHashMap<>(carried);
        meta.put(ARCH, inferred.config().arch());
        meta.put(CONFIG, configJson(file, inferred.config()));
        meta.put(INFERRED, inferred.explanation());
        return meta;
    }

    private static SequenceModel build(Path file, Stored stored) {
        Map<String, String> meta = stored.metadata();
        String arch = meta.get(ARCH); // never null: read() infers it when the file has none
        if (!Models.names().contains(arch)) {
            throw new FormatException(file + ": unknown arch " + Excerpt.of(arch) + " (known: " + String.join(", ", Models.names()) + ")");
        }
        String keysOf = ArchInference.archOf(shapes(stored.tensors()));
        if (!arch.equals(keysOf)) { // before building: a wrong arch would build (and for psMNIST's defaults, compute) a whole other model
            throw new FormatException(file + ": the metadata says arch " + arch + " but the tensors are "
                    + (keysOf == null ? "no known architecture's" : "a " + keysOf + "'s"));
        }
        ModelConfig config;
        try {
            Map<String, Object> values = meta.containsKey(CONFIG) ? JSON.std.mapFrom(meta.get(CONFIG)) : Map.of();
            config = ModelConfig.fromMap(arch, values);
        } catch (IOException | IllegalArgumentException e) {
            throw new FormatException(file + ": malformed config in metadata (" + Excerpt.ofMessage(e.getMessage()) + ")", e);
        }
        try {
            config.checkFits(stored.tensors().values().stream().mapToLong(StoredTensor::numel).sum());
        } catch (IllegalArgumentException e) {
            throw new FormatException(file + ": the config in its metadata does not fit its tensors (" + e.getMessage() + ")", e);
        }
        SequenceModel model;
        try {
            model = Models.create(config);
        } catch (IllegalArgumentException e) { // sizes valid one by one that the architecture cannot combine
            throw new FormatException(file + ": the config in its metadata does not describe a " + arch + " (" + e.getMessage() + ")", e);
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        ComplexPairs.split(stored.tensors()).forEach((name, t) -> tensors.put(name, t.toTensor()));
        Set<String> known = model.state().tensors().keySet();
        for (String name : tensors.keySet()) { // named here, quoted as an excerpt: the file's names may hold anything
            if (!known.contains(name) && !StateDict.ignorable(name)) {
                throw error(file, "checkpoint has unexpected tensor " + Excerpt.of(name) + " for this architecture", null);
            }
        }
        try {
            model.state().load(tensors);
        } catch (IllegalArgumentException e) {
            throw error(file, e.getMessage(), e);
        }
        return model;
    }

    /** A {@link PthFormatException} for {@code .pth} files, else a {@link FormatException}. */
    private static FormatException error(Path file, String problem, Exception cause) {
        String message = file + ": " + problem;
        return isPth(file) ? new PthFormatException(message, cause) : new FormatException(message, cause);
    }

    private static String configJson(Path file, ModelConfig config) {
        try {
            return JSON.std.asString(config.toMap());
        } catch (IOException e) {
            throw new FormatException(file + ": cannot encode config (" + e.getMessage() + ")", e);
        }
    }

    private static String configJson(Path file, SequenceModel model) {
        return configJson(file, model.config());
    }

    /** Writes a model atomically, with {@code arch}, {@code config} and any extra metadata. */
    public static void save(Path file, SequenceModel model, Map<String, String> extraMetadata) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(ARCH, model.arch());
        meta.put(CONFIG, configJson(file, model));
        if (extraMetadata != null) {
            extraMetadata.forEach((k, v) -> {
                if (!k.equals(ARCH) && !k.equals(CONFIG)) meta.put(k, v);
            });
        }
        Safetensors.write(file, model.state().tensors(), meta);
    }
}
