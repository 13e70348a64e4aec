package dev.lmuformer.model;

import dev.lmuformer.nn.BatchNorm1d;
import dev.lmuformer.nn.Conv1d;
import dev.lmuformer.nn.Lif;
import dev.lmuformer.nn.Ops;

import java.util.ArrayList;
import java.util.List;

/**
 * The spiking patch embedding (REFERENCE §4). Four k=3 convolutions (F→C, then C→C, no bias),
 * each but the last followed by BN and LIF, giving y; then a relative-position branch.
 * <ul>
 * <li>with membrane shortcuts ({@code slmu_rnn_ms_conv1d}, {@code attn_ms_conv1d}):
 *     {@code y = conv3(…)}, {@code out = y + rpe_conv(LIF(bn3(y)))} — real-valued;</li>
 * <li>without ({@code slmu_rnn_conv1d}): {@code y = LIF(bn3(conv3(…)))},
 *     {@code out = y + LIF(rpe_bn(rpe_conv(y)))}.</li>
 * </ul>
 */
final class SpikingPatchEmbed {
    final Conv1d[] convs = new Conv1d[4];
    final BatchNorm1d[] norms = new BatchNorm1d[4];
    final Lif[] lifs = new Lif[4];
    final Conv1d rpeConv;
    final BatchNorm1d rpeBn;
    final Lif rpeLif;
    private final boolean shortcut;
    private final int width;
    private final Op.Seq trunk;
    private final Op.Seq branch;
    private float[] out; // (B, N, C)
    private float[] dTrunk; // (B, N, C)
    private int rows;

    SpikingPatchEmbed(String prefix, int features, int width, boolean membraneShortcut) {
        this.shortcut = membraneShortcut;
        this.width = width;
        String[] suffix = {"", "1", "2", "3"};
        List<Op> steps = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            convs[i] = new Conv1d(prefix + ".proj_conv" + suffix[i], i == 0 ? features : width, width, 3, false);
            norms[i] = new BatchNorm1d(prefix + ".proj_bn" + suffix[i], width);
            lifs[i] = new Lif(1.0);
            steps.add(Op.conv(convs[i]));
            if (i < 3 || !membraneShortcut) {
                steps.add(Op.norm(norms[i]));
                steps.add(Op.lif(lifs[i], width));
            }
        }
        rpeConv = new Conv1d(prefix + ".rpe_conv", width, width, 3, false);
        if (membraneShortcut) {
            rpeBn = null;
            rpeLif = null;
            branch = new Op.Seq(Op.norm(norms[3]), Op.lif(lifs[3], width), Op.conv(rpeConv));
        } else {
            rpeBn = new BatchNorm1d(prefix + ".rpe_bn", width);
            rpeLif = new Lif(1.0);
            branch = new Op.Seq(Op.conv(rpeConv), Op.norm(rpeBn), Op.lif(rpeLif, width));
        }
        trunk = new Op.Seq(steps.toArray(new Op[0]));
    }

    float[] forward(float[] x, int batch, int frames, boolean training) {
        rows = batch * frames;
        float[] y = trunk.forward(x, batch, frames, training);
        out = Ops.ensure(out, rows * width);
        Ops.add(y, branch.forward(y, batch, frames, training), out, rows * width);
        return out;
    }

    /** Adds parameter gradients for dOut (the input is data: no input gradient). */
    void backward(float[] dOut) {
        int n = rows * width;
        dTrunk = Ops.ensure(dTrunk, n);
        System.arraycopy(dOut, 0, dTrunk, 0, n);
        branch.backward(dOut, dTrunk);
        trunk.backward(dTrunk, null);
    }

    /** Neurons in order. */
    List<Lif> neurons() {
        List<Lif> n = new ArrayList<>(List.of(lifs));
        if (rpeLif != null) n.add(rpeLif);
        return n;
    }

    /** Registers parameters and buffers in the reference's order. */
    void register(StateDict state) {
        for (int i = 0; i < 4; i++) state.params(convs[i].parameters()).norm(norms[i]);
        state.params(rpeConv.parameters());
        if (rpeBn != null) state.norm(rpeBn);
    }

    boolean hasShortcut() {
        return shortcut;
    }
}
