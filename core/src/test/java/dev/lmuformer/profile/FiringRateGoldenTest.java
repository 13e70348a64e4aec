package dev.lmuformer.profile;

import dev.lmuformer.engine.Tensor;
import dev.lmuformer.io.Safetensors;
import dev.lmuformer.model.ModelConfig;
import dev.lmuformer.model.Models;
import dev.lmuformer.model.SequenceModel;
import dev.lmuformer.testing.Golden;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Firing rates measured by the profiler on the golden input equal the mean of the reference's
 * spikes ({@code act.<neuron>.out}, training mode) for every neuron layer of the compact models.
 */
class FiringRateGoldenTest {
    @ParameterizedTest
    @ValueSource(strings = {"compact/slmu_rnn_ms_conv1d.dim32.safetensors", "compact/attn_ms_conv1d.dim32.safetensors"})
    void ratesMatchTheGoldenSpikes(String file) {
        Safetensors g = Golden.tensors(file);
        SequenceModel model = build(g);
        Tensor x = g.tensor("input.x");
        int batch = x.dim(0), frames = x.dim(1);
        Profile p = ModelProfiler.profile(model, x.data, batch, frames, batch, true, Energy.DEFAULT);
        TreeSet<String> goldenNeurons = new TreeSet<>();
        for (String name : g.names()) {
            if (name.matches("act\\..*(_lif\\d?|\\.lmu\\.f_[umh])\\.out")) goldenNeurons.add(name.substring(4, name.length() - 4));
        }
        TreeSet<String> measured = new TreeSet<>();
        for (NeuronRate n : p.neurons()) {
            measured.add(n.name());
            Tensor spikes = g.tensor("act." + n.name() + ".out");
            assertEquals((long) batch * frames * n.channels(), spikes.size(), n.name());
            double sum = 0;
            for (float s : spikes.data) sum += s;
            double expected = sum / spikes.size();
            assertNotNull(n.firingRate());
            assertTrue(expected > 0, n.name() + " fires in the golden run");
            assertEquals(expected, n.firingRate(), 1e-3 * expected, n.name());
        }
        assertEquals(goldenNeurons, measured, "every golden neuron layer is profiled, under the reference's name");
        // a layer reading one neuron's spikes reports that neuron's rate
        LayerCost fc2 = p.layers().stream().filter(c -> c.name().equals("block.0.mlp.fc2_conv")).findFirst().orElseThrow();
        NeuronRate fc2Lif = p.neurons().stream().filter(n -> n.name().equals("block.0.mlp.fc2_lif")).findFirst().orElseThrow();
        assertEquals(fc2Lif.firingRate(), fc2.inputRate(), 1e-12);
    }

    private static SequenceModel build(Safetensors golden) {
        Map<String, String> meta = golden.metadata();
        SequenceModel model = Models.create(ModelConfig.fromMap(meta.get("model"), new LinkedHashMap<>(meta)));
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (String name : golden.names()) if (name.startsWith("state.")) state.put(name.substring("state.".length()), golden.tensor(name));
        model.state().load(state);
        return model;
    }
}
