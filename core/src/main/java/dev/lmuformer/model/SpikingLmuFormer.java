package dev.lmuformer.model;

import dev.lmuformer.nn.BatchNorm1d;
import dev.lmuformer.nn.Lif;

import java.util.ArrayList;
import java.util.List;

/**
 * The spiking models of REFERENCE §4 over {@code [B, N, F]} input:
 * {@code patch_embed → block.0 … → (head_bn → LIF) → head → mean over frames}.
 * <ul>
 * <li>{@code slmu_rnn_ms_conv1d} — Spiking LMUFormer, the paper's headline model (membrane shortcuts);</li>
 * <li>{@code slmu_rnn_conv1d} — the variant without membrane shortcuts and without the head neuron;</li>
 * <li>{@code attn_ms_conv1d} — the spiking self-attention baseline (Spikformer-style).</li>
 * </ul>
 * Streaming (not the attention baseline, whose attention spans the sequence), the products run row
 * by row, and those over spikes may add only the weight rows of the inputs that fired.
 */
public final class SpikingLmuFormer extends ModelBase {
    /** The three spiking architectures. */
    public enum Variant {
        /** Spiking LMUFormer with membrane shortcuts. */
        SLMU_RNN_MS_CONV1D("slmu_rnn_ms_conv1d", true, false),
        /** Spiking LMUFormer without membrane shortcuts. */
        SLMU_RNN_CONV1D("slmu_rnn_conv1d", false, false),
        /** Spiking self-attention baseline. */
        ATTN_MS_CONV1D("attn_ms_conv1d", true, true);

        final String arch;
        final boolean shortcut;
        final boolean attention;

        Variant(String arch, boolean shortcut, boolean attention) {
            this.arch = arch;
            this.shortcut = shortcut;
            this.attention = attention;
        }

        /** The registry name. */
        public String arch() {
            return arch;
        }
    }

    private final Variant variant;
    final SpikingPatchEmbed patchEmbed;
    final List<Block<Op, SpikingMlp>> blocks = new ArrayList<>();
    final BatchNorm1d headBn;
    final Lif headLif;
    final FrameMeanHead head;

    /** A model of the given variant and sizes; weights start at zero. */
    public SpikingLmuFormer(ModelConfig.Keyword config, Variant variant) {
        super(config);
        this.variant = variant;
        int width = config.embedDims();
        patchEmbed = new SpikingPatchEmbed("patch_embed", config.inChannels(), width, variant.shortcut);
        List<Op> body = new ArrayList<>();
        body.add(patchEmbed);
        for (int i = 0; i < config.depths(); i++) {
            String p = "block." + i;
            Op attn = variant.attention
                    ? new SpikingSelfAttention(p + ".attn", width, config.numHeads())
                    : new SpikingLmuMixer(p + ".attn", width, config.theta(), config.seqLen(), variant.shortcut);
            blocks.add(new Block<>(p, attn, new SpikingMlp(p + ".mlp", width, width * config.mlpRatios(), variant.shortcut)));
        }
        body.addAll(blocks);
        if (variant.shortcut) {
            headBn = new BatchNorm1d("head_bn", width);
            headLif = new Lif(1.0);
            body.add(Op.norm(headBn));
            body.add(Op.lif("head_lif", headLif, width));
        } else {
            headBn = null;
            headLif = null;
        }
        head = new FrameMeanHead("head", width, config.numClasses(), null, true);
        compose(Op.seq(body), head);
    }

    @Override
    public String arch() {
        return variant.arch;
    }

    @Override
    public ModelConfig.Keyword config() {
        return (ModelConfig.Keyword) config;
    }

    @Override
    public int inputFeatures() {
        return config().inChannels();
    }

    /** Every neuron layer in forward order, for firing rates. */
    public List<Lif> neurons() {
        return allNeurons();
    }
}
