package dev.lmuformer.model;

import dev.lmuformer.nn.BatchNorm1d;
import dev.lmuformer.nn.Conv1d;
import dev.lmuformer.nn.LmuCell;

/** The token mixer of an LMUFormer block ({@code block.k.attn}): LMU cell → proj_conv (1×1, bias) → proj_bn. */
final class LmuMixer extends Op.Composite {
    final LmuCell lmu;
    final Conv1d projConv;
    final BatchNorm1d projBn;
    private final Op body;

    LmuMixer(String prefix, int width, double theta, int seqLen) {
        lmu = new LmuCell(prefix + ".lmu", width, width, width, theta, seqLen);
        projConv = new Conv1d(prefix + ".proj_conv", width, width, 1, true);
        projBn = new BatchNorm1d(prefix + ".proj_bn", width);
        body = Op.seq(Op.cell(prefix + ".lmu", lmu), Op.conv(projConv), Op.norm(projBn));
    }

    @Override
    Op body() {
        return body;
    }
}
