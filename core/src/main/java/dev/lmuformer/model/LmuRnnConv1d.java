package dev.lmuformer.model;

import java.util.ArrayList;
import java.util.List;

/**
 * LMUFormer, the non-spiking model ({@code lmu_rnn_conv1d}, REFERENCE §4):
 * {@code patch_embed → block.0 … block.{depth−1} → mean over frames → head}.
 * Activations are channels-last {@code [B, N, C]}; the input {@code [B, N, F]} needs no transpose.
 * Streaming, its products run packed over the streams of a group.
 */
public final class LmuRnnConv1d extends ModelBase {
    /** Registry name. */
    public static final String ARCH = "lmu_rnn_conv1d";

    final ConvPatchEmbed patchEmbed;
    final List<Block<LmuMixer, ConvMlp>> blocks = new ArrayList<>();
    final FrameMeanHead head;

    /** A model with the given sizes; weights start at zero (load a checkpoint or initialise). */
    public LmuRnnConv1d(ModelConfig config) {
        super(config);
        int width = config.embedDims();
        patchEmbed = new ConvPatchEmbed("patch_embed", config.inChannels(), width);
        for (int i = 0; i < config.depths(); i++) blocks.add(block(config, i));
        head = new FrameMeanHead("head", width, config.numClasses(), null, true);
        List<Op> body = new ArrayList<>();
        body.add(patchEmbed);
        body.addAll(blocks);
        compose(Op.seq(body), head);
    }

    /** {@code block.i} at the config's width, MLP ratio, θ and length. */
    static Block<LmuMixer, ConvMlp> block(ModelConfig config, int i) {
        String p = "block." + i;
        int width = config.embedDims();
        return new Block<>(p, new LmuMixer(p + ".attn", width, config.theta(), config.seqLen()), new ConvMlp(p + ".mlp", width, width * config.mlpRatios()));
    }

    @Override
    public String arch() {
        return ARCH;
    }

    @Override
    public int inputFeatures() {
        return config.inChannels();
    }

    /** The features (last block output) of the last forward, {@code [B, N, C]}. */
    public float[] lastFeatures() {
        return features();
    }
}
