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
    public LmuRnnConv1d(ModelConfig.Keyword config) {
        super(config);
        int width = config.embedDims();
        patchEmbed = new ConvPatchEmbed("patch_embed", config.inChannels(), width);
        for (int i = 0; i < config.depths(); i++) blocks.add(block(i, width, config.mlpRatios(), config.theta(), config.seqLen()));
        head = new FrameMeanHead("head", width, config.numClasses(), null, true);
        List<Op> body = new ArrayList<>();
        body.add(patchEmbed);
        body.addAll(blocks);
        compose(Op.seq(body), head);
    }

    /** {@code block.i}: an LMU mixer of window θ over N frames and an MLP of {@code mlpRatio} × the width. */
    static Block<LmuMixer, ConvMlp> block(int i, int width, int mlpRatio, double theta, int seqLen) {
        String p = "block." + i;
        return new Block<>(p, new LmuMixer(p + ".attn", width, theta, seqLen), new ConvMlp(p + ".mlp", width, width * mlpRatio));
    }

    @Override
    public String arch() {
        return ARCH;
    }

    @Override
    public ModelConfig.Keyword config() {
        return (ModelConfig.Keyword) config;
    }

    @Override
    public int inputFeatures() {
        return config().inChannels();
    }
}
