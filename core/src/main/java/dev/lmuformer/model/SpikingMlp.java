package dev.lmuformer.model;

import dev.lmuformer.nn.BatchNorm1d;
import dev.lmuformer.nn.Conv1d;
import dev.lmuformer.nn.Lif;

/**
 * The spiking channel mixer ({@code block.k.mlp}, REFERENCE §4): with membrane shortcuts
 * {@code fc1_bn → LIF → fc1_conv → fc2_bn → LIF → fc2_conv}; without,
 * {@code fc1_conv → fc1_bn → LIF → fc2_conv → fc2_bn → LIF}.
 */
final class SpikingMlp extends Op.Composite {
    final Conv1d fc1;
    final BatchNorm1d fc1Bn;
    final Lif fc1Lif = new Lif(1.0);
    final Conv1d fc2;
    final BatchNorm1d fc2Bn;
    final Lif fc2Lif = new Lif(1.0);
    private final Op body;

    SpikingMlp(String prefix, int width, int hidden, boolean membraneShortcut) {
        fc1 = new Conv1d(prefix + ".fc1_conv", width, hidden, 1, true);
        fc2 = new Conv1d(prefix + ".fc2_conv", hidden, width, 1, true);
        if (membraneShortcut) {
            fc1Bn = new BatchNorm1d(prefix + ".fc1_bn", width);
            fc2Bn = new BatchNorm1d(prefix + ".fc2_bn", hidden);
            body = Op.seq(Op.norm(fc1Bn), Op.lif(prefix + ".fc1_lif", fc1Lif, width), Op.conv(fc1),
                    Op.norm(fc2Bn), Op.lif(prefix + ".fc2_lif", fc2Lif, hidden), Op.conv(fc2));
        } else {
            fc1Bn = new BatchNorm1d(prefix + ".fc1_bn", hidden);
            fc2Bn = new BatchNorm1d(prefix + ".fc2_bn", width);
            body = Op.seq(Op.conv(fc1), Op.norm(fc1Bn), Op.lif(prefix + ".fc1_lif", fc1Lif, hidden),
                    Op.conv(fc2), Op.norm(fc2Bn), Op.lif(prefix + ".fc2_lif", fc2Lif, width));
        }
    }

    @Override
    Op body() {
        return body;
    }
}
