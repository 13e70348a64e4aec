package dev.lmuformer.model;

import dev.lmuformer.nn.BatchNorm1d;
import dev.lmuformer.nn.Lif;
import dev.lmuformer.nn.Ops;

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
    final List<Block<Sublayer, SpikingMlp>> blocks = new ArrayList<>();
    final BatchNorm1d headBn;
    final Lif headLif;
    final FrameMeanHead head;
    private final int width;
    private float[] dA; // (B, N, C)
    private float[] dB; // (B, N, C)
    private float[] dHead; // (B, N, C)
    private int batch;
    private int frames;

    /** A model of the given variant and sizes; weights start at zero. */
    public SpikingLmuFormer(ModelConfig config, Variant variant) {
        super(config);
        this.variant = variant;
        this.width = config.embedDims();
        patchEmbed = new SpikingPatchEmbed("patch_embed", config.inChannels(), width, variant.shortcut);
        patchEmbed.register(state);
        for (int i = 0; i < config.depths(); i++) {
            String p = "block." + i;
            Sublayer attn;
            if (variant.attention) {
                SpikingSelfAttention a = new SpikingSelfAttention(p + ".attn", width, config.numHeads());
                a.register(state);
                attn = a;
            } else {
                SpikingLmuMixer m = new SpikingLmuMixer(p + ".attn", width, config.theta(), config.seqLen(), variant.shortcut);
                m.register(state, p + ".attn");
                attn = m;
            }
            SpikingMlp mlp = new SpikingMlp(p + ".mlp", width, width * config.mlpRatios(), variant.shortcut);
            mlp.register(state);
            blocks.add(new Block<>(attn, mlp, width));
        }
        if (variant.shortcut) {
            headBn = new BatchNorm1d("head_bn", width);
            headLif = new Lif(1.0);
            state.norm(headBn);
        } else {
            headBn = null;
            headLif = null;
        }
        head = new FrameMeanHead("head", width, config.numClasses(), null);
        state.params(head.parameters());
    }

    @Override
    public String arch() {
        return variant.arch;
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
        for (Block<Sublayer, SpikingMlp> b : blocks) h = b.forward(h, batch, frames, training);
        if (headBn != null) h = headLif.forward(headBn.forward(h, batch * frames, training), batch, frames, width);
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
        dA = Ops.ensure(dA, n);
        dB = Ops.ensure(dB, n);
        if (headBn != null) {
            dHead = Ops.zeroed(dHead, n);
            head.backward(dLogits, dHead);
            float[] dPre = Ops.zeroed(dB, n);
            headLif.backward(dHead, dPre);
            java.util.Arrays.fill(dA, 0, n, 0f);
            headBn.backward(dPre, dA);
        } else {
            java.util.Arrays.fill(dA, 0, n, 0f);
            head.backward(dLogits, dA);
        }
        patchEmbed.backward(Block.backwardAll(blocks, dA, dB));
    }

    /** Every neuron layer in forward order, for firing rates. */
    public List<Lif> neurons() {
        List<Lif> n = new ArrayList<>(patchEmbed.neurons());
        for (Block<Sublayer, SpikingMlp> b : blocks) {
            if (b.attn instanceof SpikingLmuMixer) n.addAll(((SpikingLmuMixer) b.attn).neurons());
            if (b.attn instanceof SpikingSelfAttention) n.addAll(((SpikingSelfAttention) b.attn).neurons());
            n.addAll(b.mlp.neurons());
        }
        if (headLif != null) n.add(headLif);
        return n;
    }
}
