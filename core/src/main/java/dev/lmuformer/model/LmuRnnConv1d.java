package dev.lmuformer.model;

import dev.lmuformer.nn.LmuCell;
import dev.lmuformer.nn.Ops;

import java.util.ArrayList;
import java.util.List;

/**
 * LMUFormer, the non-spiking model ({@code lmu_rnn_conv1d}, REFERENCE §4):
 * {@code patch_embed → block.0 … block.{depth−1} → mean over frames → head}.
 * Activations are channels-last {@code [B, N, C]}; the input {@code [B, N, F]} needs no transpose.
 */
public final class LmuRnnConv1d extends ModelBase {
    /** Registry name. */
    public static final String ARCH = "lmu_rnn_conv1d";

    final ConvPatchEmbed patchEmbed;
    final List<Block<LmuMixer, ConvMlp>> blocks = new ArrayList<>();
    final FrameMeanHead head;
    private final int width;
    private float[] features; // (B, N, C) the last block's output
    private float[] dA; // (B, N, C)
    private float[] dB; // (B, N, C)
    private int batch;
    private int frames;

    /** A model with the given sizes; weights start at zero (load a checkpoint or initialise). */
    public LmuRnnConv1d(ModelConfig config) {
        super(config);
        this.width = config.embedDims();
        patchEmbed = new ConvPatchEmbed("patch_embed", config.inChannels(), width);
        for (int i = 0; i < config.depths(); i++) blocks.add(block(config, i));
        head = new FrameMeanHead("head", width, config.numClasses(), null);
        for (int i = 0; i < patchEmbed.convs.length; i++) {
            state.params(patchEmbed.convs[i].parameters()).norm(patchEmbed.norms[i]);
        }
        state.params(patchEmbed.rpe.parameters());
        for (int i = 0; i < blocks.size(); i++) register(state, i, blocks.get(i));
        state.params(head.parameters());
    }

    /** {@code block.i} at the config's width, MLP ratio, θ and length. */
    static Block<LmuMixer, ConvMlp> block(ModelConfig config, int i) {
        String p = "block." + i;
        int width = config.embedDims();
        return new Block<>(new LmuMixer(p + ".attn", width, config.theta(), config.seqLen()),
                new ConvMlp(p + ".mlp", width, width * config.mlpRatios()), width);
    }

    /** Registers the tensors of {@code block.i} in reference order. */
    static void register(StateDict state, int i, Block<LmuMixer, ConvMlp> b) {
        registerCell(state, "block." + i + ".attn.lmu", b.attn.lmu);
        state.params(b.attn.projConv.parameters()).norm(b.attn.projBn);
        state.params(b.mlp.fc1.parameters()).norm(b.mlp.fc1Bn).params(b.mlp.fc2.parameters()).norm(b.mlp.fc2Bn);
    }

    /** Registers an LMU cell's buffers A, B, H and its parameters in reference order. */
    static void registerCell(StateDict state, String prefix, LmuCell cell) {
        registerBuffers(state, prefix, cell.buffers());
        state.params(cell.parameters());
    }

    /** Registers an LMU cell's buffers A, B, H (recomputed when a checkpoint omits them). */
    static void registerBuffers(StateDict state, String prefix, dev.lmuformer.nn.LmuBuffers buffers) {
        int d = buffers.memorySize();
        state.derivedBuffer(prefix + ".A", buffers.aBar(), d, d);
        state.derivedBuffer(prefix + ".B", buffers.bBar(), d, 1);
        state.derivedBuffer(prefix + ".H", buffers.impulseResponse(), d, buffers.length());
        state.onLoad(buffers::changed);
    }

    @Override
    public String arch() {
        return ARCH;
    }

    @Override
    public List<ForwardStep> steps() {
        return Structure.of(this);
    }

    @Override
    public int inputFeatures() {
        return config.inChannels();
    }

    private float[] features(float[] x, int batch, int frames, boolean training) {
        this.batch = batch;
        this.frames = frames;
        float[] h = patchEmbed.forward(x, batch, frames, training);
        for (Block<LmuMixer, ConvMlp> b : blocks) h = b.forward(h, batch, frames, training);
        features = h;
        return h;
    }

    @Override
    public float[] forward(float[] x, int batch, int frames, boolean training) {
        return head.forward(features(x, batch, frames, training), batch, frames, training);
    }

    @Override
    public float[] allSeqLogits(float[] x, int batch, int frames) {
        return head.allSeq(features(x, batch, frames, false), batch, frames);
    }

    @Override
    public void backward(float[] dLogits) {
        int n = batch * frames * width;
        dA = Ops.zeroed(dA, n);
        dB = Ops.ensure(dB, n);
        head.backward(dLogits, dA);
        patchEmbed.backward(Block.backwardAll(blocks, dA, dB));
    }

    /** The features (last block output) of the last forward, {@code [B, N, C]}. */
    public float[] lastFeatures() {
        return features;
    }
}
