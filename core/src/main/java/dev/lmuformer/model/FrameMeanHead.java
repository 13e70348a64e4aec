package dev.lmuformer.model;

import dev.lmuformer.nn.Dropout;
import dev.lmuformer.nn.FeatureMean;
import dev.lmuformer.nn.FrameBuild;
import dev.lmuformer.nn.FrameGroup;
import dev.lmuformer.nn.FrameLayer;
import dev.lmuformer.nn.Linear;
import dev.lmuformer.nn.MeanPool;
import dev.lmuformer.nn.Ops;

import java.util.Arrays;
import java.util.List;

/**
 * The readout: the mean of the features over frames, optional dropout, then a Linear head.
 * The reference applies the head at every frame and then averages; the head is linear, so
 * averaging first gives the same logits with N times less work. Streaming, each stream keeps the
 * running mean ({@link FeatureMean}), over every frame or, where the model allows it, a window.
 */
final class FrameMeanHead implements Readout {
    final Linear head;
    private final MeanPool pool;
    private final Dropout dropout;
    private final boolean windowed;
    private final int width;
    private final int classes;
    private float[] running; // (N, B, C)
    private float[] dPooled; // (B, C)
    private float[] dDropped; // (B, C)
    private int batch;

    /**
     * @param dropout  before the head in training, or null
     * @param windowed whether a stream may average only its last frames ({@code stream.StreamingModel.open(int)})
     */
    FrameMeanHead(String name, int width, int classes, Dropout dropout, boolean windowed) {
        this.head = new Linear(name, width, classes, true);
        this.pool = new MeanPool(width);
        this.width = width;
        this.classes = classes;
        this.dropout = dropout;
        this.windowed = windowed;
    }

    @Override
    public float[] forward(float[] features, int batch, int frames, boolean training) {
        this.batch = batch;
        float[] pooled = pool.forward(features, batch, frames, null);
        float[] in = dropout == null ? pooled : dropout.forward(pooled, batch * width, training);
        return Arrays.copyOf(head.forward(in, batch), batch * classes);
    }

    @Override
    public float[] allSeq(float[] features, int batch, int frames) {
        running = Ops.ensure(running, frames * batch * width);
        pool.running(features, batch, frames, null, running);
        return Arrays.copyOf(head.forward(running, frames * batch), frames * batch * classes);
    }

    @Override
    public void backward(float[] dLogits, float[] dFeatures) {
        dPooled = Ops.zeroed(dPooled, batch * width);
        if (dropout == null) {
            head.backward(dLogits, dPooled);
        } else {
            dDropped = Ops.zeroed(dDropped, batch * width);
            head.backward(dLogits, dDropped);
            dropout.backward(dDropped, dPooled);
        }
        pool.backward(dPooled, dFeatures);
    }

    @Override
    public void register(StateDict state) {
        state.params(head.parameters());
    }

    @Override
    public void describe(Structure s, Signal x) {
        s.meanHead(head, x);
    }

    @Override
    public FrameLayer frames(FrameBuild build, Signal x) {
        FrameLayer product = head.frames(build, false); // it reads a mean
        int slot = build.state(window -> {
            if (window != 0 && !windowed) throw new IllegalArgumentException("the psMNIST models have no windowed readout, got window " + window);
            return new FeatureMean(width, window);
        });
        int pooled = build.scratch();
        return new FrameLayer() {
            @Override
            public int in() {
                return width;
            }

            @Override
            public int out() {
                return classes;
            }

            @Override
            public void step(FrameGroup g, float[] features, float[] logits) {
                float[] mean = g.scratch(pooled, width);
                for (int r = 0; r < g.rows(); r++) ((FeatureMean) g.state(r, slot)).add(features, r * width, mean, r * width);
                product.step(g, mean, logits);
            }
        };
    }

    @Override
    public List<Dropout> dropouts() {
        return dropout == null ? List.of() : List.of(dropout);
    }

    Dropout dropout() {
        return dropout;
    }
}
