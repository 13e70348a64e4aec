package dev.lmuformer.model;

import dev.lmuformer.nn.BatchNorm1d;
import dev.lmuformer.nn.Conv1d;
import dev.lmuformer.nn.Lif;

import java.util.List;

/**
 * The spiking channel mixer ({@code block.k.mlp}, REFERENCE §4): with membrane shortcuts
 * {@code fc1_bn → LIF → fc1_conv → fc2_bn → LIF → fc2_conv}; without,
 * {@code fc1_conv → fc1_bn → LIF → fc2_conv → fc2_bn → LIF}.
 */
final class SpikingMlp implements Sublayer {
    final Conv1d fc1;
    final BatchNorm1d fc1Bn;
    final Lif fc1Lif = new Lif(1.0);
    final Conv1d fc2;
    final BatchNorm1d fc2Bn;
    final Lif fc2Lif = new Lif(1.0);
    private final boolean shortcut;
    private final Op.Seq seq;

    SpikingMlp(String prefix, int width, int hidden, boolean membraneShortcut) {
        this.shortcut = membraneShortcut;
        fc1 = new Conv1d(prefix + ".fc1_conv", width, hidden, 1, true);
        fc2 = new Conv1d(prefix + ".fc2_conv", hidden, width, 1, true);
        if (membraneShortcut) {
            fc1Bn = new BatchNorm1d(prefix + ".fc1_bn", width);
            fc2Bn = new BatchNorm1d(prefix + ".fc2_bn", hidden);
            seq = new Op.Seq(Op.norm(fc1Bn), Op.lif(fc1Lif, width), Op.conv(fc1), Op.norm(fc2Bn), Op.lif(fc2Lif, hidden), Op.conv(fc2));
        } else {
            fc1Bn = new BatchNorm1d(prefix + ".fc1_bn", hidden);
            fc2Bn = new BatchNorm1d(prefix + ".fc2_bn", width);
            seq = new Op.Seq(Op.conv(fc1), Op.norm(fc1Bn), Op.lif(fc1Lif, hidden), Op.conv(fc2), Op.norm(fc2Bn), Op.lif(fc2Lif, width));
        }
    }

    @Override
    public float[] forward(float[] x, int batch, int frames, boolean training) {
        return seq.forward(x, batch, frames, training);
    }

    @Override
    public void backward(float[] dy, float[] dx) {
        seq.backward(dy, dx);
    }

    List<Lif> neurons() {
        return List.of(fc1Lif, fc2Lif);
    }

    void register(StateDict state) {
        if (shortcut) {
            state.norm(fc1Bn).params(fc1.parameters()).norm(fc2Bn).params(fc2.parameters());
        } else {
            state.params(fc1.parameters()).norm(fc1Bn).params(fc2.parameters()).norm(fc2Bn);
        }
    }
}
