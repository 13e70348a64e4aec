package dev.lmuformer.model;

import dev.lmuformer.nn.Parameter;
import dev.lmuformer.train.TrainConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The initialisation training uses (REFERENCE §4, "Initialisation"): for the Speech Commands models
 * every Linear weight ~ trunc_normal(std 0.02) with zero biases, everything else PyTorch's default;
 * the psMNIST models PyTorch's default throughout.
 */
class InitTest {
    /** The relative tolerance of the measured standard deviations. */
    private static final double STD_TOLERANCE = 0.10;

    @ParameterizedTest
    @ValueSource(strings = {"lmu_rnn_conv1d", "slmu_rnn_ms_conv1d", "slmu_rnn_conv1d", "attn_ms_conv1d"})
    void keywordModelsStartAsTheReference(String arch) {
        TrainConfig config = new TrainConfig().set("model", arch);
        assertEquals(Init.Scheme.REFERENCE, config.init(), "training's default");
        SequenceModel model = Models.create(ModelConfig.fromMap(arch, config.modelConfig()));
        Init.initialise(model, config.init(), config.seed());
        Set<String> linears = linearPrefixes(model);
        assertTrue(linears.contains("head"), "the head is a Linear: " + linears);
        if (!arch.equals("attn_ms_conv1d")) assertTrue(linears.contains("block.0.attn.lmu.W_h"), "the LMU cell's W_h is a Linear: " + linears);
        int checked = 0;
        for (Parameter p : model.state().parameters()) {
            String prefix = p.name().substring(0, p.name().lastIndexOf('.'));
            boolean weight = p.name().endsWith(".weight");
            if (linears.contains(prefix)) {
                if (weight) {
                    double std = std(p.data);
                    assertEquals(Init.LINEAR_STD, std, STD_TOLERANCE * Init.LINEAR_STD, p.name() + ": std");
                    assertEquals(0, mean(p.data), 4 * Init.LINEAR_STD / Math.sqrt(p.size()), p.name() + ": mean");
                } else {
                    assertArrayEquals(new float[p.size()], p.data, p.name() + ": a Linear's bias starts at zero");
                }
                checked++;
            } else {
                assertPytorchDefault(model, p);
            }
        }
        // the head's weight and bias; the LMU models add W_u's and W_h's
        assertEquals(arch.equals("attn_ms_conv1d") ? 2 : 6, checked, "Linear parameters checked");
    }

    @ParameterizedTest
    @ValueSource(strings = {"lmu_rnn_conv1d", "slmu_rnn_ms_conv1d"})
    void thePytorchSchemeKeepsPytorchDefaultsEverywhere(String arch) {
        TrainConfig config = new TrainConfig().set("model", arch).set("init", "pytorch");
        assertEquals(Init.Scheme.PYTORCH_DEFAULT, config.init());
        SequenceModel model = Models.create(ModelConfig.fromMap(arch, config.modelConfig()));
        Init.initialise(model, config.init(), config.seed());
        for (Parameter p : model.state().parameters()) assertPytorchDefault(model, p);
        Parameter headBias = model.state().parameters().stream().filter(p -> p.name().equals("head.bias")).findFirst().orElseThrow();
        assertTrue(maxAbs(headBias.data) > 0, "PyTorch's default gives the head a non-zero bias");
    }

    @ParameterizedTest
    @ValueSource(strings = {"psmnist_lmu", "psmnist_slmu"})
    void psmnistModelsAreUnchanged(String arch) {
        TrainConfig config = TrainConfig.forTask("psmnist").set("model", arch);
        SequenceModel reference = Models.create(ModelConfig.fromMap(arch, config.modelConfig()));
        SequenceModel pytorch = Models.create(ModelConfig.fromMap(arch, config.modelConfig()));
        Init.initialise(reference, config.init(), 9);
        Init.pytorchDefault(pytorch, 9);
        Map<String, StateDict.Entry> a = reference.state().entries();
        Map<String, StateDict.Entry> b = pytorch.state().entries();
        for (String name : a.keySet()) assertArrayEquals(b.get(name).data(), a.get(name).data(), name);
        for (Parameter p : reference.state().parameters()) assertPytorchDefault(reference, p);
    }

    @Test
    void theSchemeIsAConfigurationKey() {
        TrainConfig reference = new TrainConfig();
        TrainConfig pytorch = new TrainConfig().set("init", "pytorch");
        assertFalse(reference.fingerprint().contains("init="), "runs started before the key resume as before");
        assertTrue(pytorch.fingerprint().endsWith(",init=pytorch"), pytorch.fingerprint());
        assertEquals("pytorch", pytorch.keys().get("init"));
        TrainConfig copy = new TrainConfig();
        for (Map.Entry<String, Object> e : pytorch.keys().entrySet()) copy.set(e.getKey(), e.getValue());
        assertEquals(pytorch.fingerprint(), copy.fingerprint());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TrainConfig().set("cfg.yml", "init", "xavier"));
        assertEquals("cfg.yml: key 'init' must be reference or pytorch, got 'xavier'", e.getMessage());
    }

    /** Conv1d: uniform in ±1/√fan_in with the uniform's spread; batch norm γ = 1, β = 0, running statistics 0 and 1. */
    private static void assertPytorchDefault(SequenceModel model, Parameter p) {
        String prefix = p.name().substring(0, p.name().lastIndexOf('.'));
        Parameter weight = model.state().parameters().stream().filter(q -> q.name().equals(prefix + ".weight")).findFirst().orElseThrow();
        if (weight.shape().length == 1) { // a batch norm
            float[] expected = new float[p.size()];
            if (p.name().endsWith(".weight")) java.util.Arrays.fill(expected, 1f);
            assertArrayEquals(expected, p.data, p.name());
            assertArrayEquals(new float[p.size()], model.state().entries().get(prefix + ".running_mean").data(), prefix + ".running_mean");
            return;
        }
        int[] s = weight.shape();
        int fan = 1;
        for (int i = 1; i < s.length; i++) fan *= s[i];
        double bound = 1 / Math.sqrt(fan);
        assertTrue(maxAbs(p.data) <= bound, p.name() + ": inside ±1/√fan_in");
        if (p.size() >= 100) assertEquals(bound / Math.sqrt(3), std(p.data), STD_TOLERANCE * bound / Math.sqrt(3), p.name() + ": std");
    }

    /** The prefixes of the Linear layers: the 2-D weights (Conv1d's are 3-D, batch norm's 1-D). */
    private static Set<String> linearPrefixes(SequenceModel model) {
        Set<String> out = new HashSet<>();
        for (Parameter p : model.state().parameters()) {
            if (p.name().endsWith(".weight") && p.shape().length == 2) out.add(p.name().substring(0, p.name().length() - ".weight".length()));
        }
        return out;
    }

    private static double mean(float[] a) {
        double s = 0;
        for (float v : a) s += v;
        return s / a.length;
    }

    private static double std(float[] a) {
        double m = mean(a), s = 0;
        for (float v : a) s += (v - m) * (v - m);
        return Math.sqrt(s / a.length);
    }

    private static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) m = Math.max(m, Math.abs(v));
        return m;
    }
}
