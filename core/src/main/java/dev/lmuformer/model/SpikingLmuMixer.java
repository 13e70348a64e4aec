package dev.lmuformer.model;

import dev.lmuformer.nn.BatchNorm1d;
import dev.lmuformer.nn.Conv1d;
import dev.lmuformer.nn.Lif;
import dev.lmuformer.nn.SpikingLmuCell;

/**
 * The spiking token mixer ({@code block.k.attn}, REFERENCE §4), memory size 2C:
 * with membrane shortcuts {@code prev_bn → LIF(0.5) → cell → proj_conv → proj_bn};
 * without, {@code cell → proj_conv → proj_bn → LIF}.
 */
final class SpikingLmuMixer extends Op.Composite {
    final BatchNorm1d prevBn;
    final Lif prevLif;
    final SpikingLmuCell lmu;
    final Conv1d projConv;
    final BatchNorm1d projBn;
    final Lif projLif;
    private final Op body;

    SpikingLmuMixer(String prefix, int width, double theta, int seqLen, boolean membraneShortcut) {
        lmu = new SpikingLmuCell(prefix + ".lmu", width, width, 2 * width, theta, seqLen, true, true);
        projConv = new Conv1d(prefix + ".proj_conv", width, width, 1, true);
        projBn = new BatchNorm1d(prefix + ".proj_bn", width);
        Op cell = Op.spikingCell(prefix + ".lmu", lmu, width);
        if (membraneShortcut) {
            prevBn = new BatchNorm1d(prefix + ".prev_bn", width);
            prevLif = new Lif(0.5);
            projLif = null;
            body = Op.seq(Op.norm(prevBn), Op.lif(prefix + ".prev_lif", prevLif, width), cell, Op.conv(projConv), Op.norm(projBn));
        } else {
            prevBn = null;
            prevLif = null;
            projLif = new Lif(1.0);
            body = Op.seq(cell, Op.conv(projConv), Op.norm(projBn), Op.lif(prefix + ".proj_lif", projLif, width));
        }
    }

    @Override
    Op body() {
        return body;
    }
}
