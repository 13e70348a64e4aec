package dev.lmuformer.model;

import dev.lmuformer.nn.Dropout;
import dev.lmuformer.nn.FrameBuild;
import dev.lmuformer.nn.FrameLayer;
import dev.lmuformer.nn.Lif;
import dev.lmuformer.nn.Ops;

import java.util.ArrayList;
import java.util.List;

/**
 * What every model holds: its configuration and its state_dict, whose keys are the reference's;
 * and, for a model composed as {@code body → readout} ({@link #compose}), everything derived from
 * that one composition: forward, backward, the state_dict, the profiler's steps and the per-frame form.
 */
abstract class ModelBase implements SequenceModel {
    final ModelConfig config;
    final StateDict state = new StateDict();
    private Op body;
    private Readout readout;
    private float[] features;  // (B, N, C) the body's output of the last forward
    private float[] dFeatures; // (B, N, C)
    private int rows;

    ModelBase(ModelConfig config) {
        this.config = config;
    }

    /** Sets the model's composition and registers its tensors in composition order. */
    final void compose(Op body, Readout readout) {
        this.body = body;
        this.readout = readout;
        body.register(state);
        readout.register(state);
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public StateDict state() {
        return state;
    }

    @Override
    public int numClasses() {
        return config.numClasses();
    }

    @Override
    public float[] forward(float[] x, int batch, int frames, boolean training) {
        return readout.forward(features(x, batch, frames, training), batch, frames, training);
    }

    @Override
    public float[] allSeqLogits(float[] x, int batch, int frames) {
        return readout.allSeq(features(x, batch, frames, false), batch, frames);
    }

    private float[] features(float[] x, int batch, int frames, boolean training) {
        rows = batch * frames;
        features = body.forward(x, batch, frames, training);
        return features;
    }

    /** The input is data: no input gradient. */
    @Override
    public void backward(float[] dLogits) {
        dFeatures = Ops.zeroed(dFeatures, rows * body.outWidth());
        readout.backward(dLogits, dFeatures);
        body.backward(dFeatures, null, true);
    }

    @Override
    public List<ForwardStep> steps() {
        return Structure.of(s -> Signal.real(inputFeatures()), body, readout::describe);
    }

    @Override
    public List<Dropout> dropouts() {
        return readout == null ? List.of() : readout.dropouts();
    }

    @Override
    public Frames frames(boolean accumulate) {
        if (body == null) return SequenceModel.super.frames(accumulate);
        FrameBuild build = new FrameBuild(accumulate);
        Op.Framed f = body.frames(build, Signal.real(inputFeatures()));
        FrameLayer[] layers = {f.layer(), readout.frames(build, f.out())};
        int delays = build.delays(); // the look-ahead
        return new Frames(new Op.SeqFrames(layers, new int[] {delays, delays}, new int[] {build.scratch(), build.scratch()}), build);
    }

    /** The features the readout read in the last forward, {@code [B, N, C]}. */
    float[] features() {
        return features;
    }

    /** Every neuron layer in forward order. */
    List<Lif> allNeurons() {
        List<Lif> n = new ArrayList<>();
        body.neurons(n);
        return n;
    }
}
