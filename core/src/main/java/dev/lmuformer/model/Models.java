package dev.lmuformer.model;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The model registry: reference names to constructors. */
public final class Models {
    private static final Map<String, Function<ModelConfig, SequenceModel>> REGISTRY = Map.of(
            LmuRnnConv1d.ARCH, LmuRnnConv1d::new,
            PsmnistLmu.ARCH, PsmnistLmu::new,
            SpikingLmuFormer.Variant.SLMU_RNN_MS_CONV1D.arch(), c -> new SpikingLmuFormer(c, SpikingLmuFormer.Variant.SLMU_RNN_MS_CONV1D),
            SpikingLmuFormer.Variant.SLMU_RNN_CONV1D.arch(), c -> new SpikingLmuFormer(c, SpikingLmuFormer.Variant.SLMU_RNN_CONV1D),
            SpikingLmuFormer.Variant.ATTN_MS_CONV1D.arch(), c -> new SpikingLmuFormer(c, SpikingLmuFormer.Variant.ATTN_MS_CONV1D),
            PsmnistSlmu.ARCH, PsmnistSlmu::new,
            LraLmu.ARCH, LraLmu::new);

    private Models() {
    }

    /** Registered architecture names, sorted. */
    public static List<String> names() {
        return REGISTRY.keySet().stream().sorted().toList();
    }

    /** Builds a model; unknown names raise {@link IllegalArgumentException} listing the known ones. */
    public static SequenceModel create(ModelConfig config) {
        Function<ModelConfig, SequenceModel> f = REGISTRY.get(config.arch());
        if (f == null) throw new IllegalArgumentException("unknown architecture '" + config.arch() + "' (known: " + String.join(", ", names()) + ")");
        return f.apply(config);
    }
}
