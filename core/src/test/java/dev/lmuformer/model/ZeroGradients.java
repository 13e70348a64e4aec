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
            "psmnist_lmu", List.of("conv1.bias"));

    private ZeroGradients() {
    }

    static boolean isZeroByConstruction(String arch, String param) {
        for (String s : SUFFIXES.getOrDefault(arch, List.of())) if (param.endsWith(s)) return true;
        return false;
    }
}
