package dev.lmuformer.model;

import dev.lmuformer.nn.Dropout;
import dev.lmuformer.nn.FrameBuild;
import dev.lmuformer.nn.FrameLayer;

import java.util.List;

/** The end of a composed model: features {@code [B, N, C]} to logits, in every form the model has. */
interface Readout {
    /** Logits {@code [B, classes]} for the features of a whole sequence. */
    float[] forward(float[] features, int batch, int frames, boolean training);

    /** The streaming readout in evaluation mode: the logits had the sequence ended at each frame, {@code [N, B, classes]}. */
    float[] allSeq(float[] features, int batch, int frames);

    /** Adds the parameter gradients of the last (training) forward, and the features' gradient into {@code dFeatures}. */
    void backward(float[] dLogits, float[] dFeatures);

    /** Registers the readout's tensors. */
    void register(StateDict state);

    /** Records the readout for the profiler. */
    void describe(Structure s, Signal x);

    /** The per-frame form for features {@code x}: one frame's features in, that frame's streaming-readout logits out. */
    FrameLayer frames(FrameBuild build, Signal x);

    /** The dropout layers, in order. */
    List<Dropout> dropouts();
}
