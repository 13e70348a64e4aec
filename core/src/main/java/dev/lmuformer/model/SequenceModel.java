package dev.lmuformer.model;

import dev.lmuformer.nn.FrameBuild;
import dev.lmuformer.nn.FrameLayer;
import dev.lmuformer.nn.Parameter;

import java.util.List;

/**
 * A sequence classifier: input {@code [B, N, F]} (frames × features, row-major) → logits
 * {@code [B, classes]}. Models keep what backward needs from the last forward, so one model
 * instance serves one training or evaluation loop at a time.
 */
public interface SequenceModel {

    /** The registry name ({@code lmu_rnn_conv1d} ...). */
    String arch();

    /** Architecture and sizes. */
    ModelConfig config();

    /** Named parameters and buffers, as the reference's state_dict. */
    StateDict state();

    /** Features per frame the model expects. */
    int inputFeatures();

    /** Number of classes. */
    int numClasses();

    /**
     * Logits {@code [B, classes]} for x {@code [B, N, F]}. Training mode uses batch statistics
     * (and updates the running ones) and dropout; evaluation uses running statistics.
     */
    float[] forward(float[] x, int batch, int frames, boolean training);

    /**
     * The streaming readout in evaluation mode (REFERENCE §4 "all_seq"): {@code logit_t = head(mean_{j≤t} feature_j)},
     * shape {@code [N, B, classes]}.
     */
    float[] allSeqLogits(float[] x, int batch, int frames);

    /**
     * The steps of the forward pass in order, with their sizes and what each reads, for cost
     * accounting ({@code dev.lmuformer.profile}). Read-only; describes, computes nothing.
     */
    List<ForwardStep> steps();

    /**
     * The per-frame (streaming) form of the model in evaluation mode, its weights and running
     * statistics copied: one frame of features in, that frame's streaming-readout logits out once its
     * look-ahead ({@link dev.lmuformer.nn.FrameBuild#delays()} frames) has arrived. What each stream
     * carries is declared in the build; {@code dev.lmuformer.stream.ModelStream} runs it.
     *
     * @param accumulate row-by-row products over spikes add only the weight rows of the inputs that fired
     * @throws IllegalArgumentException for a model that cannot stream, saying why
     */
    default Frames frames(boolean accumulate) {
        throw new IllegalArgumentException("streaming is not available for '" + arch() + "'");
    }

    /**
     * A model's per-frame form and the build that numbered its per-stream states and scratch buffers.
     *
     * @param layer the whole model, one frame at a time
     * @param build what the layer's streams and threads need
     */
    record Frames(FrameLayer layer, FrameBuild build) {
    }

    /** The dropout layers, in forward order (their masks are part of a resumable training state); none by default. */
    default List<dev.lmuformer.nn.Dropout> dropouts() {
        return List.of();
    }

    /** Adds the parameter gradients of the last (training) forward, given dLoss/dLogits {@code [B, classes]}. */
    void backward(float[] dLogits);

    /** Sets every parameter gradient to zero. */
    default void zeroGrad() {
        for (Parameter p : state().parameters()) p.zeroGrad();
    }

    /** Trainable values. */
    default long parameterCount() {
        return state().parameterCount();
    }
}
