package dev.lmuformer.model;

import dev.lmuformer.nn.Embedding;
import dev.lmuformer.nn.Parameter;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * PyTorch's default initialisation, seeded: Conv1d and Linear weights and biases uniform in
 * ±1/√fan_in (kaiming_uniform with a = √5), batch norm γ = 1 and β = 0 as constructed, embedding
 * weights standard normal with the padding row zero.
 */
public final class Init {
    private Init() {
    }

    /** Initialises every weight and bias of a model from {@code seed}. */
    public static void pytorchDefault(SequenceModel model, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, Integer> fanIn = new HashMap<>();
        Map<Parameter, Embedding> embeddings = new IdentityHashMap<>();
        for (Embedding e : model.state().embeddings()) embeddings.put(e.weight, e);
        for (Parameter p : model.state().parameters()) {
            if (embeddings.containsKey(p)) continue;
            int[] s = p.shape();
            if (s.length >= 2 && p.name().endsWith(".weight")) {
                int fan = 1;
                for (int i = 1; i < s.length; i++) fan *= s[i];
                fanIn.put(p.name().substring(0, p.name().length() - ".weight".length()), fan);
            }
        }
        for (Parameter p : model.state().parameters()) {
            Embedding e = embeddings.get(p);
            if (e != null) {
                for (int i = 0; i < p.data.length; i++) p.data[i] = (float) rnd.nextGaussian();
                if (e.paddingIdx() >= 0) java.util.Arrays.fill(p.data, e.paddingIdx() * e.dim(), (e.paddingIdx() + 1) * e.dim(), 0f);
                continue;
            }
            String prefix = p.name().substring(0, p.name().lastIndexOf('.'));
            Integer fan = fanIn.get(prefix);
            if (fan == null) continue; // batch-norm γ and β keep 1 and 0
            double bound = 1 / Math.sqrt(fan);
            for (int i = 0; i < p.data.length; i++) p.data[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
        }
    }
}
