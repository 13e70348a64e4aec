package dev.lmuformer.checkpoint;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.lmuformer.engine.Tensor;
import dev.lmuformer.io.FormatException;
import dev.lmuformer.io.Safetensors;
import dev.lmuformer.model.ModelConfig;
import dev.lmuformer.model.Models;
import dev.lmuformer.model.SequenceModel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The project's checkpoint format: a safetensors file whose tensor names are the reference
 * state_dict keys and whose {@code __metadata__} holds {@code arch} (the registry name) and
 * {@code config} (a JSON object with the reference's argument names). Other metadata (labels,
 * normalisation, sample rate) is carried through untouched.
 */
public final class Checkpoint {
    /** Metadata key of the architecture name. */
    public static final String ARCH = "arch";
    /** Metadata key of the JSON config. */
    public static final String CONFIG = "config";

    private Checkpoint() {
    }

    /** A loaded model and the file's metadata. */
    public record Loaded(SequenceModel model, Map<String, String> metadata) {
    }

    /**
     * Reads a checkpoint and builds its model.
     *
     * @throws FormatException naming the file and the problem: unreadable file, missing or unknown
     *                         {@code arch}, malformed config, missing or mis-shaped tensors
     */
    public static Loaded load(Path file) {
        Safetensors st = Safetensors.read(file);
        Map<String, String> meta = st.metadata();
        String arch = meta.get(ARCH);
        if (arch == null) throw new FormatException(file + ": no 'arch' in the checkpoint metadata (known: " + String.join(", ", Models.names()) + ")");
        if (!Models.names().contains(arch)) {
            throw new FormatException(file + ": unknown arch '" + arch + "' (known: " + String.join(", ", Models.names()) + ")");
        }
        ModelConfig config;
        try {
            Map<String, Object> values = meta.containsKey(CONFIG) ? JSON.std.mapFrom(meta.get(CONFIG)) : Map.of();
            config = ModelConfig.fromMap(arch, values);
        } catch (IOException | IllegalArgumentException e) {
            throw new FormatException(file + ": malformed config in metadata (" + e.getMessage() + ")", e);
        }
        SequenceModel model = Models.create(config);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (String name : st.names()) tensors.put(name, st.tensor(name));
        try {
            model.state().load(tensors);
        } catch (IllegalArgumentException e) {
            throw new FormatException(file + ": " + e.getMessage(), e);
        }
        return new Loaded(model, meta);
    }

    /** Writes a model atomically, with {@code arch}, {@code config} and any extra metadata. */
    public static void save(Path file, SequenceModel model, Map<String, String> extraMetadata) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(ARCH, model.arch());
        try {
            meta.put(CONFIG, JSON.std.asString(model.config().toMap()));
        } catch (IOException e) {
            throw new FormatException(file + ": cannot encode config (" + e.getMessage() + ")", e);
        }
        if (extraMetadata != null) {
            extraMetadata.forEach((k, v) -> {
                if (!k.equals(ARCH) && !k.equals(CONFIG)) meta.put(k, v);
            });
        }
        Safetensors.write(file, model.state().tensors(), meta);
    }
}
