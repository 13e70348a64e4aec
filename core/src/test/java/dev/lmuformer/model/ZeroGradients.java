package dev.lmuformer.model;

import java.util.List;
import java.util.Map;

/**
 * The gradients that are zero in exact arithmetic (golden README): a per-channel constant whose
 * every path to the loss passes through a training-mode batch norm. Checked as negligible.
 */
final class ZeroGradients {
    private static final Map<String, List<String>> SUFFIXES = Map.of(
            "lmu_rnn_conv1d", List.of(".attn.proj_conv.bias", ".mlp.fc1_conv.bias", ".mlp.fc2_conv.bias"),
            "psmnist_lmu", List.of("conv1.bias"),
            "slmu_rnn_ms_conv1d", List.of(".lmu.W_u.bias", ".lmu.W_h.bias", ".attn.proj_conv.bias", ".attn.proj_bn.bias",
                    ".mlp.fc1_conv.bias", ".mlp.fc2_conv.bias"),
            "slmu_rnn_conv1d", List.of(".lmu.W_u.bias", ".lmu.W_h.bias", ".attn.proj_conv.bias", ".mlp.fc1_conv.bias", ".mlp.fc2_conv.bias"),
            "attn_ms_conv1d", List.of(".attn.proj_conv.bias", ".attn.proj_bn.bias", ".mlp.fc1_conv.bias", ".mlp.fc2_conv.bias"));

    private ZeroGradients() {
    }

    static boolean isZeroByConstruction(String arch, String param) {
        for (String s : SUFFIXES.getOrDefault(arch, List.of())) if (param.endsWith(s)) return true;
        return false;
    }
}
