package dev.lmuformer.model;

import dev.lmuformer.nn.Dropout;
import dev.lmuformer.nn.FrameBuild;
import dev.lmuformer.nn.FrameLayer;
import dev.lmuformer.nn.FrameState;
import dev.lmuformer.nn.Linear;
import dev.lmuformer.nn.Ops;

import java.util.Arrays;
import java.util.List;

/** The readout of {@code psmnist_slmu}: the features of the last frame, dropout, then a Linear head. */
final class LastFrameHead implements Readout {
    final Linear head;
    private final Dropout dropout;
    private final int width;
    private final int classes;
    private float[] last;  // (B, C) the features of the last frame
    private float[] dLast; // (B, C)
    private float[] dIn;   // (B, C)
    private int batch;
    private int frames;

    LastFrameHead(String name, int width, int classes, Dropout dropout) {
        this.head = new Linear(name, width, classes, true);
        this.dropout = dropout;
        this.width = width;
        this.classes = classes;
    }

    @Override
    public float[] forward(float[] features, int batch, int frames, boolean training) {
        this.batch = batch;
        this.frames = frames;
        last = Ops.ensure(last, batch * width);
        for (int b = 0; b < batch; b++) System.arraycopy(features, ((b + 1) * frames - 1) * width, last, b * width, width);
        return Arrays.copyOf(head.forward(dropout.forward(last, batch * width, training), batch), batch * classes);
    }

    /** {@code head(x_t)} at every frame: the readout had the sequence ended there. */
    @Override
    public float[] allSeq(float[] features, int batch, int frames) {
        float[] byFrame = new float[frames * batch * width]; // (N, B, C)
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < frames; t++) System.arraycopy(features, (b * frames + t) * width, byFrame, (t * batch + b) * width, width);
        }
        return Arrays.copyOf(head.forward(byFrame, frames * batch), frames * batch * classes);
    }

    @Override
    public void backward(float[] dLogits, float[] dFeatures) {
        dIn = Ops.zeroed(dIn, batch * width);
        head.backward(dLogits, dIn);
        dLast = Ops.zeroed(dLast, batch * width);
        dropout.backward(dIn, dLast);
        for (int b = 0; b < batch; b++) {
            int o = ((b + 1) * frames - 1) * width;
            for (int c = 0; c < width; c++) dFeatures[o + c] += dLast[b * width + c];
        }
    }

    @Override
    public void register(StateDict state) {
        state.params(head.parameters());
    }

    @Override
    public void describe(Structure s, Signal x) {
        s.head(head, x);
    }

    @Override
    public FrameLayer frames(FrameBuild build, Signal x) {
        build.state(window -> {
            if (window != 0) throw new IllegalArgumentException("the psMNIST models have no windowed readout, got window " + window);
            return () -> { };
        });
        return head.frames(build, x.spiking());
    }

    @Override
    public List<Dropout> dropouts() {
        return List.of(dropout);
    }

    Dropout dropout() {
        return dropout;
    }
}
