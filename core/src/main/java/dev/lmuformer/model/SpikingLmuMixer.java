package dev.lmuformer.model;

import dev.lmuformer.nn.BatchNorm1d;
import dev.lmuformer.nn.Conv1d;
import dev.lmuformer.nn.Lif;
import dev.lmuformer.nn.SpikingLmuCell;

import java.util.ArrayList;
import java.util.List;

/**
 * The spiking token mixer ({@code block.k.attn}, REFERENCE §4), memory size 2C:
 * with membrane shortcuts {@code prev_bn → LIF(0.5) → cell → proj_conv → proj_bn};
 * without, {@code cell → proj_conv → proj_bn → LIF}.
 */
final class SpikingLmuMixer implements Sublayer {
    final BatchNorm1d prevBn;
    final Lif prevLif;
    final SpikingLmuCell lmu;
    final Conv1d projConv;
    final BatchNorm1d projBn;
    final Lif projLif;
    private final Op.Seq seq;

    SpikingLmuMixer(String prefix, int width, double theta, int seqLen, boolean membraneShortcut) {
        lmu = new SpikingLmuCell(prefix + ".lmu", width, width, 2 * width, theta, seqLen, true, true);
        projConv = new Conv1d(prefix + ".proj_conv", width, width, 1, true);
        projBn = new BatchNorm1d(prefix + ".proj_bn", width);
        if (membraneShortcut) {
            prevBn = new BatchNorm1d(prefix + ".prev_bn", width);
            prevLif = new Lif(0.5);
            projLif = null;
            seq = new Op.Seq(Op.norm(prevBn), Op.lif(prevLif, width), Op.cell(lmu, width), Op.conv(projConv), Op.norm(projBn));
        } else {
            prevBn = null;
            prevLif = null;
            projLif = new Lif(1.0);
            seq = new Op.Seq(Op.cell(lmu, width), Op.conv(projConv), Op.norm(projBn), Op.lif(projLif, width));
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
        List<Lif> n = new ArrayList<>();
        if (prevLif != null) n.add(prevLif);
        n.addAll(lmu.neurons());
        if (projLif != null) n.add(projLif);
        return n;
    }

    void register(StateDict state, String prefix) {
        LmuRnnConv1d.registerBuffers(state, prefix + ".lmu", lmu.buffers());
        state.params(lmu.parameters()).norm(lmu.bnU).norm(lmu.bnM).norm(lmu.bnH);
        if (prevBn != null) state.norm(prevBn);
        state.params(projConv.parameters()).norm(projBn);
    }
}
