package dev.lmuformer.model;

import dev.lmuformer.nn.BatchNorm1d;
import dev.lmuformer.nn.Conv1d;
import dev.lmuformer.nn.Lif;
import dev.lmuformer.nn.LmuCell;
import dev.lmuformer.nn.Linear;
import dev.lmuformer.nn.SpikingLmuCell;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds the {@link ForwardStep} list of each model by following its forward pass, tracking what every
 * step reads ({@link Signal}). It mirrors the forward methods; it computes nothing.
 */
final class Structure {
    private final List<ForwardStep> steps = new ArrayList<>();

    private Structure() {
    }

    static List<ForwardStep> of(LmuRnnConv1d m) {
        Structure s = new Structure();
        ConvPatchEmbed pe = m.patchEmbed;
        Signal x = Signal.real(m.inputFeatures());
        for (int i = 0; i < pe.convs.length; i++) {
            x = s.conv(pe.convs[i], x);
            x = s.elementwise("patch_embed.conv_layers." + i + ".1", ForwardStep.Kind.RELU, x);
            x = s.norm(pe.norms[i], x);
        }
        x = s.residual("patch_embed.rpe_residual", x, s.conv(pe.rpe, x));
        s.meanHead(m.head, s.lmuBlocks(m.blocks, x));
        return s.steps;
    }

    static List<ForwardStep> of(LraLmu m) {
        Structure s = new Structure();
        var e = m.embedding;
        Signal x = s.record(new ForwardStep("embedding", ForwardStep.Kind.EMBEDDING, e.vocabulary(), e.dim(), 1, 1, List.of(Signal.real(1)), null));
        s.meanHead(m.head, s.lmuBlocks(m.blocks, x));
        return s.steps;
    }

    /** The LMUFormer blocks: LMU mixer → proj_conv → proj_bn, then the MLP, each with its residual sum. */
    private Signal lmuBlocks(List<Block<LmuMixer, ConvMlp>> blocks, Signal x) {
        for (int i = 0; i < blocks.size(); i++) {
            String p = "block." + i;
            Block<LmuMixer, ConvMlp> b = blocks.get(i);
            Signal a = cell(p + ".attn.lmu", b.attn.lmu, x);
            a = norm(b.attn.projBn, conv(b.attn.projConv, a));
            x = residual(p + ".attn_residual", x, a);
            Signal h = elementwise(p + ".mlp.fc1_lif", ForwardStep.Kind.GELU, norm(b.mlp.fc1Bn, conv(b.mlp.fc1, x)));
            h = elementwise(p + ".mlp.fc2_lif", ForwardStep.Kind.RELU, norm(b.mlp.fc2Bn, conv(b.mlp.fc2, h)));
            x = residual(p + ".mlp_residual", x, h);
        }
        return x;
    }

    static List<ForwardStep> of(SpikingLmuFormer m) {
        Structure s = new Structure();
        boolean shortcut = m.headBn != null;
        Signal x = s.patchEmbed(m.patchEmbed, Signal.real(m.inputFeatures()), shortcut);
        for (int i = 0; i < m.blocks.size(); i++) {
            String p = "block." + i;
            Block<Sublayer, SpikingMlp> b = m.blocks.get(i);
            Signal a = b.attn instanceof SpikingSelfAttention sa
                    ? s.attention(p + ".attn", sa, m.config().numHeads(), x)
                    : s.mixer(p + ".attn", (SpikingLmuMixer) b.attn, x);
            x = s.residual(p + ".attn_residual", x, a);
            x = s.residual(p + ".mlp_residual", x, s.mlp(p + ".mlp", b.mlp, x, shortcut));
        }
        if (m.headBn != null) x = s.lif("head_lif", m.headLif, s.norm(m.headBn, x));
        s.meanHead(m.head, x);
        return s.steps;
    }

    static List<ForwardStep> of(PsmnistLmu m) {
        Structure s = new Structure();
        Signal x = s.norm(m.bn1, s.conv(m.conv1, Signal.real(m.inputFeatures())));
        s.meanHead(m.classifier, s.cell("lmu_fft", m.lmu, x));
        return s.steps;
    }

    static List<ForwardStep> of(PsmnistSlmu m) {
        Structure s = new Structure();
        Signal h = s.spikingCell("lmu_fft", m.lmu, Signal.real(m.inputFeatures()));
        Linear c = m.classifier;
        s.record(new ForwardStep(name(c), ForwardStep.Kind.HEAD, c.inFeatures(), c.outFeatures(), 1, 1, List.of(h), null));
        return s.steps;
    }

    private Signal patchEmbed(SpikingPatchEmbed pe, Signal x, boolean shortcut) {
        String[] suffix = {"", "1", "2", "3"};
        for (int i = 0; i < 4; i++) {
            x = conv(pe.convs[i], x);
            if (i < 3 || !shortcut) x = lif("patch_embed.proj_lif" + suffix[i], pe.lifs[i], norm(pe.norms[i], x));
        }
        Signal branch = shortcut
                ? conv(pe.rpeConv, lif("patch_embed.proj_lif3", pe.lifs[3], norm(pe.norms[3], x)))
                : lif("patch_embed.rpe_lif", pe.rpeLif, norm(pe.rpeBn, conv(pe.rpeConv, x)));
        return residual("patch_embed.rpe_residual", x, branch);
    }

    private Signal mixer(String p, SpikingLmuMixer a, Signal x) {
        if (a.prevBn != null) x = lif(p + ".prev_lif", a.prevLif, norm(a.prevBn, x));
        Signal y = norm(a.projBn, conv(a.projConv, spikingCell(p + ".lmu", a.lmu, x)));
        return a.projLif == null ? y : lif(p + ".proj_lif", a.projLif, y);
    }

    private Signal attention(String p, SpikingSelfAttention a, int heads, Signal x) {
        Signal s = lif(p + ".pre_lif", a.preLif, norm(a.preBn, x));
        Signal q = lif(p + ".q_lif", a.qLif, norm(a.qBn, conv(a.qConv, s)));
        Signal k = lif(p + ".k_lif", a.kLif, norm(a.kBn, conv(a.kConv, s)));
        Signal v = lif(p + ".v_lif", a.vLif, norm(a.vBn, conv(a.vConv, s)));
        int width = q.width();
        record(new ForwardStep(p + ".attention", ForwardStep.Kind.ATTENTION, width, width, 1, heads, List.of(q, k, v), null));
        Signal y = lif(p + ".attn_lif", a.attnLif, Signal.real(width));
        return norm(a.projBn, conv(a.projConv, y));
    }

    private Signal mlp(String p, SpikingMlp m, Signal x, boolean shortcut) {
        if (shortcut) {
            Signal h = conv(m.fc1, lif(p + ".fc1_lif", m.fc1Lif, norm(m.fc1Bn, x)));
            return conv(m.fc2, lif(p + ".fc2_lif", m.fc2Lif, norm(m.fc2Bn, h)));
        }
        Signal h = lif(p + ".fc1_lif", m.fc1Lif, norm(m.fc1Bn, conv(m.fc1, x)));
        return lif(p + ".fc2_lif", m.fc2Lif, norm(m.fc2Bn, conv(m.fc2, h)));
    }

    /** The non-spiking cell: u = ReLU(W_u x), m = H * u, h = ReLU(W_h [m ; x]). */
    private Signal cell(String p, LmuCell c, Signal x) {
        Signal u = elementwise(p + ".f_u", ForwardStep.Kind.RELU, linear(c.wU, x));
        Signal m = memory(p + ".memory", c.memorySize(), u);
        return elementwise(p + ".f_h", ForwardStep.Kind.RELU, linear(c.wH, m, x));
    }

    /** The spiking cell: u = LIF(bn_u(W_u x)), m = H * u, m' = LIF(bn_m(m)), h = LIF(bn_h(W_h [m' ; x])). */
    private Signal spikingCell(String p, SpikingLmuCell c, Signal x) {
        Signal u = linear(c.wU, x);
        if (c.bnU != null) u = norm(c.bnU, u);
        u = lif(p + ".f_u", c.fU, u);
        Signal m = memory(p + ".memory", c.buffers().memorySize(), u);
        if (c.bnM != null) m = norm(c.bnM, m);
        if (c.fM != null) m = lif(p + ".f_m", c.fM, m);
        Signal h = linear(c.wH, m, x);
        if (c.bnH != null) h = norm(c.bnH, h);
        return lif(p + ".f_h", c.fH, h);
    }

    private void meanHead(FrameMeanHead head, Signal x) {
        meanHead(head.head, x);
    }

    /** The mean over frames, then the head (which may read more than the mean: the two-tower combination). */
    private void meanHead(Linear c, Signal x) {
        steps.add(new ForwardStep(name(c) + ".mean", ForwardStep.Kind.MEAN, x.width(), x.width(), 1, 1, List.of(x), null));
        record(new ForwardStep(name(c), ForwardStep.Kind.HEAD, c.inFeatures(), c.outFeatures(), 1, 1, List.of(Signal.real(c.inFeatures())), null));
    }

    private Signal conv(Conv1d c, Signal x) {
        String n = c.weight.name();
        return record(new ForwardStep(n.substring(0, n.length() - ".weight".length()), ForwardStep.Kind.CONV,
                c.inChannels(), c.outChannels(), c.kernelSize(), 1, List.of(x), null));
    }

    private Signal linear(Linear l, Signal... parts) {
        return record(new ForwardStep(name(l), ForwardStep.Kind.LINEAR, l.inFeatures(), l.outFeatures(), 1, 1, Arrays.asList(parts), null));
    }

    private Signal memory(String name, int d, Signal u) {
        return record(new ForwardStep(name, ForwardStep.Kind.LMU_MEMORY, 1, d, 1, 1, List.of(u), null));
    }

    private Signal norm(BatchNorm1d bn, Signal x) {
        return record(new ForwardStep(bn.prefix(), ForwardStep.Kind.NORM, bn.channels(), bn.channels(), 1, 1, List.of(x), null));
    }

    private Signal elementwise(String name, ForwardStep.Kind kind, Signal x) {
        return record(new ForwardStep(name, kind, x.width(), x.width(), 1, 1, List.of(x), null));
    }

    private Signal lif(String name, Lif lif, Signal x) {
        steps.add(new ForwardStep(name, ForwardStep.Kind.LIF, x.width(), x.width(), 1, 1, List.of(x), lif));
        return Signal.spikes(lif, x.width());
    }

    /** Records a residual sum {@code a + b}. */
    private Signal residual(String name, Signal a, Signal b) {
        steps.add(new ForwardStep(name, ForwardStep.Kind.ADD, a.width(), a.width(), 1, 1, List.of(a, b), null));
        return a.plus(b);
    }

    /** Records a step whose output is real-valued. */
    private Signal record(ForwardStep step) {
        steps.add(step);
        return Signal.real(step.out());
    }

    private static String name(Linear l) {
        String n = l.weight.name();
        return n.substring(0, n.length() - ".weight".length());
    }
}
