package dev.lmuformer.model;

import dev.lmuformer.nn.Dropout;
import dev.lmuformer.nn.Linear;
import dev.lmuformer.nn.MeanPool;
import dev.lmuformer.nn.Parameter;

import java.util.List;

/**
 * The readout: the mean of the features over frames, optional dropout, then a Linear head.
 * The reference applies the head at every frame and then averages; the head is linear, so
 * averaging first gives the same logits with N times less work.
 */
final class FrameMeanHead {
    final Linear head;
    private final MeanPool pool;
    private final Dropout dropout;
    private final int width;
    private final int classes;
    private float[] running; // (N, B, C)
    private float[] dPooled; // (B, C)
    private float[] dDropped; // (B, C)
    private int batch;
    private int frames;

    FrameMeanHead(String name, int width, int classes, Dropout dropout) {
        this.head = new Linear(name, width, classes, true);
        this.pool = new MeanPool(width);
        this.width = width;
        this.classes = classes;
        this.dropout = dropout;
    }

    /** features [B, N, C] → logits [B, classes]. */
    float[] forward(float[] features, int batch, int frames, boolean training) {
        this.batch = batch;
        this.frames = frames;
        float[] pooled = pool.forward(features, batch, frames, null);
        float[] in = dropout == null ? pooled : dropout.forward(pooled, batch * width, training);
        return java.util.Arrays.copyOf(head.forward(in, batch), batch * classes);
    }

    /** Streaming readout [N, B, classes] from features [B, N, C]. */
    float[] allSeq(float[] features, int batch, int frames) {
        running = dev.lmuformer.nn.Ops.ensure(running, frames * batch * width);
        pool.running(features, batch, frames, null, running);
        return java.util.Arrays.copyOf(head.forward(running, frames * batch), frames * batch * classes);
    }

    /** dLogits [B, classes] → adds the head's parameter gradients, and the features' gradient into dFeatures [B, N, C]. */
    void backward(float[] dLogits, float[] dFeatures) {
        dPooled = dev.lmuformer.nn.Ops.zeroed(dPooled, batch * width);
        if (dropout == null) {
            head.backward(dLogits, dPooled);
        } else {
            dDropped = dev.lmuformer.nn.Ops.zeroed(dDropped, batch * width);
            head.backward(dLogits, dDropped);
            dropout.backward(dDropped, dPooled);
        }
        pool.backward(dPooled, dFeatures);
    }

    List<Parameter> parameters() {
        return head.parameters();
    }

    int classes() {
        return classes;
    }

    Dropout dropout() {
        return dropout;
    }
}
