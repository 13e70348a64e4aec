package dev.lmuformer.model;

import dev.lmuformer.nn.BatchNorm1d;
import dev.lmuformer.nn.Conv1d;
import dev.lmuformer.nn.Gelu;
import dev.lmuformer.nn.Relu;

/**
 * The channel mixer of an LMUFormer block ({@code block.k.mlp}):
 * fc1_conv (1×1, C→rC) → fc1_bn → GELU → fc2_conv (1×1, rC→C) → fc2_bn → ReLU. The reference names its
 * activations {@code fc1_lif} and {@code fc2_lif}.
 */
final class ConvMlp extends Op.Composite {
    final Conv1d fc1;
    final BatchNorm1d fc1Bn;
    final Gelu gelu = new Gelu();
    final Conv1d fc2;
    final BatchNorm1d fc2Bn;
    final Relu relu = new Relu();
    private final Op body;

    ConvMlp(String prefix, int width, int hidden) {
        fc1 = new Conv1d(prefix + ".fc1_conv", width, hidden, 1, true);
        fc1Bn = new BatchNorm1d(prefix + ".fc1_bn", hidden);
        fc2 = new Conv1d(prefix + ".fc2_conv", hidden, width, 1, true);
        fc2Bn = new BatchNorm1d(prefix + ".fc2_bn", width);
        body = Op.seq(Op.conv(fc1), Op.norm(fc1Bn), Op.gelu(prefix + ".fc1_lif", gelu, hidden),
                Op.conv(fc2), Op.norm(fc2Bn), Op.relu(prefix + ".fc2_lif", relu, width));
    }

    @Override
    Op body() {
        return body;
    }
}
