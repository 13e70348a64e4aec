package dev.lmuformer.model;

import dev.lmuformer.nn.Dropout;
import dev.lmuformer.nn.Linear;
import dev.lmuformer.nn.Parameter;

import java.util.List;

/**
 * The readout: the mean of the features over frames, optional dropout, then a Linear head.
 * The reference applies the head at every frame and then averages; the head is linear, so
 * averaging first gives the same logits with N times less work.
 */
final class FrameMeanHead {
    final Linear head;
    private final Dropout dropout;
    private final int width;
    private final int classes;
    private float[] pooled; // (B, C)
    private float[] dPooled; // (B, C)
    private int batch;
    private int frames;

    FrameMeanHead(String name, int width, int classes, Dropout dropout) {
        this.head = new Linear(name, width, classes, true);
        this.width = width;
        this.classes = classes;
        this.dropout = dropout;
    }

    /** features [B, N, C] → logits [B, classes]. */
    float[] forward(float[] features, int batch, int frames, boolean training) {
        this.batch = batch;
        this.frames = frames;
        pooled = dev.lmuformer.nn.Ops.zeroed(pooled, batch * width);
        for (int b = 0; b < batch; b++) {
            double[] sum = new double[width];
            for (int t = 0; t < frames; t++) {
                int o = (b * frames + t) * width;
                for (int c = 0; c < width; c++) sum[c] += features[o + c];
            }
            for (int c = 0; c < width; c++) pooled[b * width + c] = (float) (sum[c] / frames);
        }
        float[] in = dropout == null ? pooled : dropout.forward(pooled, batch * width, training);
        return java.util.Arrays.copyOf(head.forward(in, batch), batch * classes);
    }

    /** Streaming readout [N, B, classes] from features [B, N, C]. */
    float[] allSeq(float[] features, int batch, int frames) {
        float[] running = new float[frames * batch * width]; // (N, B, C)
        for (int b = 0; b < batch; b++) {
            double[] sum = new double[width];
            for (int t = 0; t < frames; t++) {
                int o = (b * frames + t) * width;
                int r = (t * batch + b) * width;
                for (int c = 0; c < width; c++) {
                    sum[c] += features[o + c];
                    running[r + c] = (float) (sum[c] / (t + 1));
                }
            }
        }
        return java.util.Arrays.copyOf(head.forward(running, frames * batch), frames * batch * classes);
    }

    /** dLogits [B, classes] → adds head gradients, writes dFeatures [B, N, C] (overwritten). */
    void backward(float[] dLogits, float[] dFeatures) {
        dPooled = dev.lmuformer.nn.Ops.zeroed(dPooled, batch * width);
        if (dropout == null) {
            head.backward(dLogits, dPooled);
        } else {
            float[] dDropped = new float[batch * width];
            head.backward(dLogits, dDropped);
            dropout.backward(dDropped, dPooled);
        }
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < frames; t++) {
                int o = (b * frames + t) * width;
                for (int c = 0; c < width; c++) dFeatures[o + c] = dPooled[b * width + c] / frames;
            }
        }
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
