package dev.lmuformer.model;

/** Test access to what a model's readout read: the body's output of its last forward. */
public final class ModelFeatures {
    private ModelFeatures() {
    }

    /** The features of {@code model}'s last forward, {@code [B, N, C]}. */
    public static float[] lastFeatures(SequenceModel model) {
        return ((ModelBase) model).features();
    }
}
