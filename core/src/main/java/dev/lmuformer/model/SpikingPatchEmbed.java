package dev.lmuformer.model;

import dev.lmuformer.nn.BatchNorm1d;
import dev.lmuformer.nn.Conv1d;
import dev.lmuformer.nn.Lif;

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
final class SpikingPatchEmbed extends Op.Composite {
    private static final String[] SUFFIX = {"", "1", "2", "3"};
    final Conv1d[] convs = new Conv1d[4];
    final BatchNorm1d[] norms = new BatchNorm1d[4];
    final Lif[] lifs = new Lif[4];
    final Conv1d rpeConv;
    final BatchNorm1d rpeBn;
    final Lif rpeLif;
    private final Op body;

    SpikingPatchEmbed(String prefix, int features, int width, boolean membraneShortcut) {
        List<Op> steps = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            convs[i] = new Conv1d(prefix + ".proj_conv" + SUFFIX[i], i == 0 ? features : width, width, 3, false);
            norms[i] = new BatchNorm1d(prefix + ".proj_bn" + SUFFIX[i], width);
            lifs[i] = new Lif(1.0);
        }
        for (int i = 0; i < 4; i++) {
            steps.add(Op.conv(convs[i]));
            if (i < 3 || !membraneShortcut) steps.add(neuron(prefix, i, width));
        }
        rpeConv = new Conv1d(prefix + ".rpe_conv", width, width, 3, false);
        Op branch;
        if (membraneShortcut) {
            rpeBn = null;
            rpeLif = null;
            branch = Op.seq(neuron(prefix, 3, width), Op.conv(rpeConv));
        } else {
            rpeBn = new BatchNorm1d(prefix + ".rpe_bn", width);
            rpeLif = new Lif(1.0);
            branch = Op.seq(Op.conv(rpeConv), Op.norm(rpeBn), Op.lif(prefix + ".rpe_lif", rpeLif, width));
        }
        steps.add(Op.residual(prefix + ".rpe_residual", branch));
        body = Op.seq(steps);
    }

    /** {@code proj_bn{i} → proj_lif{i}}. */
    private Op neuron(String prefix, int i, int width) {
        return Op.seq(Op.norm(norms[i]), Op.lif(prefix + ".proj_lif" + SUFFIX[i], lifs[i], width));
    }

    @Override
    Op body() {
        return body;
    }
}
