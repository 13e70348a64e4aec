package dev.lmuformer.model;

import dev.lmuformer.engine.Tensor;
import dev.lmuformer.io.Safetensors;

import java.util.LinkedHashMap;
import java.util.Map;

/** Builds models from golden files: architecture from {@code __metadata__}, weights from {@code state.*}. */
public final class GoldenModels {
    private GoldenModels() {
    }

    /** The model a golden file describes, with its {@code state.*} weights loaded. */
    public static SequenceModel build(Safetensors golden) {
        Map<String, String> meta = golden.metadata();
        String arch = meta.get("model");
        Map<String, Object> cfg = new LinkedHashMap<>(meta);
        if (meta.containsKey("hidden")) cfg.put("hidden_size", meta.get("hidden"));
        if (meta.containsKey("memory")) cfg.put("memory_size", meta.get("memory"));
        SequenceModel model = Models.create(ModelConfig.fromMap(arch, cfg));
        model.state().load(stateTensors(golden));
        return model;
    }

    /** The {@code state.*} tensors with the prefix removed. */
    static Map<String, Tensor> stateTensors(Safetensors golden) {
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (String name : golden.names()) {
            if (name.startsWith("state.")) state.put(name.substring("state.".length()), golden.tensor(name));
        }
        return state;
    }

    /** Transposes a channels-first [B, C, N] golden activation to channels-last [B, N, C]. */
    static float[] channelsLast(Tensor t) {
        int b = t.dim(0), c = t.dim(1), n = t.dim(2);
        float[] out = new float[t.size()];
        for (int i = 0; i < b; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int k = 0; k < n; k++) out[(i * n + k) * c + ch] = t.data[(i * c + ch) * n + k];
            }
        }
        return out;
    }

    /** Transposes a time-first [N, C, B] golden activation (the reference's neuron layout) to [B, N, C]. */
    static float[] fromTimeFirst(Tensor t) {
        int n = t.dim(0), c = t.dim(1), b = t.dim(2);
        float[] out = new float[t.size()];
        for (int k = 0; k < n; k++) {
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < b; i++) out[(i * n + k) * c + ch] = t.data[(k * c + ch) * b + i];
            }
        }
        return out;
    }
}
