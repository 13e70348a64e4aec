package dev.lmuformer.model;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The model registry: reference names to their config family and constructor. */
public final class Models {
    /** The config record an architecture takes. */
    enum Family {
        KEYWORD(ModelConfig.Keyword.class), PSMNIST(ModelConfig.Psmnist.class), LRA(ModelConfig.Lra.class);

        final Class<? extends ModelConfig> type;

        Family(Class<? extends ModelConfig> type) {
            this.type = type;
        }
    }

    private record Entry(Family family, Function<ModelConfig, SequenceModel> create) {
    }

    private static final Map<String, Entry> REGISTRY = Map.of(
            LmuRnnConv1d.ARCH, new Entry(Family.KEYWORD, c -> new LmuRnnConv1d((ModelConfig.Keyword) c)),
            SpikingLmuFormer.Variant.SLMU_RNN_MS_CONV1D.arch(), spiking(SpikingLmuFormer.Variant.SLMU_RNN_MS_CONV1D),
            SpikingLmuFormer.Variant.SLMU_RNN_CONV1D.arch(), spiking(SpikingLmuFormer.Variant.SLMU_RNN_CONV1D),
            SpikingLmuFormer.Variant.ATTN_MS_CONV1D.arch(), spiking(SpikingLmuFormer.Variant.ATTN_MS_CONV1D),
            PsmnistLmu.ARCH, new Entry(Family.PSMNIST, c -> new PsmnistLmu((ModelConfig.Psmnist) c)),
            PsmnistSlmu.ARCH, new Entry(Family.PSMNIST, c -> new PsmnistSlmu((ModelConfig.Psmnist) c)),
            LraLmu.ARCH, new Entry(Family.LRA, c -> new LraLmu((ModelConfig.Lra) c)));

    private Models() {
    }

    private static Entry spiking(SpikingLmuFormer.Variant variant) {
        return new Entry(Family.KEYWORD, c -> new SpikingLmuFormer((ModelConfig.Keyword) c, variant));
    }

    /** Registered architecture names, sorted. */
    public static List<String> names() {
        return REGISTRY.keySet().stream().sorted().toList();
    }

    /** The family of an architecture; unknown names raise {@link IllegalArgumentException} listing the known ones. */
    static Family family(String arch) {
        return entry(arch).family();
    }

    private static Entry entry(String arch) {
        Entry e = REGISTRY.get(arch);
        if (e == null) throw new IllegalArgumentException("unknown architecture '" + arch + "' (known: " + String.join(", ", names()) + ")");
        return e;
    }

    /**
     * Builds a model; unknown names raise {@link IllegalArgumentException} listing the known ones, as
     * does a config of another family than the architecture's.
     */
    public static SequenceModel create(ModelConfig config) {
        Entry e = entry(config.arch());
        if (!e.family().type.isInstance(config)) {
            throw new IllegalArgumentException(config.arch() + " takes a ModelConfig." + e.family().type.getSimpleName() + ", got a "
                    + config.getClass().getSimpleName());
        }
        return e.create().apply(config);
    }
}
