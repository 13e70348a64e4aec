package dev.lmuformer.model;

import dev.lmuformer.nn.Parameter;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * PyTorch's default initialisation, seeded: Conv1d and Linear weights and biases uniform in
 * ±1/√fan_in (kaiming_uniform with a = √5), batch norm γ = 1 and β = 0 as constructed.
 */
public final class Init {
    private Init() {
    }

    /** Initialises every weight and bias of a model from {@code seed}. */
    public static void pytorchDefault(SequenceModel model, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, Integer> fanIn = new HashMap<>();
        for (Parameter p : model.state().parameters()) {
            int[] s = p.shape();
            if (s.length >= 2 && p.name().endsWith(".weight")) {
                int fan = 1;
                for (int i = 1; i < s.length; i++) fan *= s[i];
                fanIn.put(p.name().substring(0, p.name().length() - ".weight".length()), fan);
            }
        }
        for (Parameter p : model.state().parameters()) {
            String prefix = p.name().substring(0, p.name().lastIndexOf('.'));
            Integer fan = fanIn.get(prefix);
            if (fan == null) continue; // batch-norm γ and β keep 1 and 0
            double bound = 1 / Math.sqrt(fan);
            for (int i = 0; i < p.data.length; i++) p.data[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
        }
    }
}
