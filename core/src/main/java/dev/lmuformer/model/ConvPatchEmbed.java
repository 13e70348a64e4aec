package dev.lmuformer.model;

import dev.lmuformer.nn.BatchNorm1d;
import dev.lmuformer.nn.Conv1d;
import dev.lmuformer.nn.Relu;

import java.util.ArrayList;
import java.util.List;

/**
 * LMUFormer's patch embedding (REFERENCE §4, lmu_rnn_conv1d): four stages
 * {@code conv_layers.i = Conv1d(k3, no bias) → ReLU → BatchNorm} (F→C, then C→C), then a
 * relative position branch {@code x + rpe_conv(x)}. Channels-last: [B, N, F] → [B, N, C].
 *
 * <p>Compared with a float64 computation of the same training step, the weight gradients of the
 * stages below a ReLU whose input lay within float32 rounding of zero differ by up to a few 1e-3
 * (relative L2): that input took the other side in float64, and the gradient below a kink moves
 * by that element's whole gradient. It is not the convolutions' rounding (under 1e-6 once the
 * side is taken, see {@code engine.Winograd}) and no summation order removes it; the reference
 * in float32 meets the same kinks.
 */
final class ConvPatchEmbed extends Op.Composite {
    private static final int STAGES = 4;
    final Conv1d[] convs = new Conv1d[STAGES];
    final Relu[] relus = new Relu[STAGES];
    final BatchNorm1d[] norms = new BatchNorm1d[STAGES];
    final Conv1d rpe;
    private final Op body;

    ConvPatchEmbed(String prefix, int features, int width) {
        List<Op> steps = new ArrayList<>();
        for (int i = 0; i < STAGES; i++) {
            String p = prefix + ".conv_layers." + i;
            convs[i] = new Conv1d(p + ".0", i == 0 ? features : width, width, 3, false);
            relus[i] = new Relu();
            norms[i] = new BatchNorm1d(p + ".3", width);
            steps.add(Op.conv(convs[i]));
            steps.add(Op.relu(p + ".1", relus[i], width));
            steps.add(Op.norm(norms[i]));
        }
        rpe = new Conv1d(prefix + ".rpe_conv", width, width, 3, false);
        steps.add(Op.residual(prefix + ".rpe_residual", Op.conv(rpe)));
        body = Op.seq(steps);
    }

    @Override
    Op body() {
        return body;
    }
}
