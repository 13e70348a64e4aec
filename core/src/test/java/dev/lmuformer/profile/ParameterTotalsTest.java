package dev.lmuformer.profile;

import dev.lmuformer.model.ModelConfig;
import dev.lmuformer.model.Models;
import dev.lmuformer.model.SequenceModel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The profile's parameter totals at the default sizes equal the models' published counts. */
class ParameterTotalsTest {
    @ParameterizedTest
    @CsvSource({"lmu_rnn_conv1d, 1621796", "slmu_rnn_ms_conv1d, 1689894", "slmu_rnn_conv1d, 1689382",
            "attn_ms_conv1d, 1689379", "psmnist_lmu, 166798", "psmnist_slmu, 166092"})
    void totalsEqualTheParameterCounts(String arch, long expected) {
        SequenceModel model = Models.create(ModelConfig.defaults(arch));
        Profile p = ModelProfiler.profile(model, model.config().seqLen(), Energy.DEFAULT);
        assertEquals(expected, p.trainable());
        assertEquals(model.state().parameterCount(), p.trainable());
        long modules = 0, buffers = 0;
        for (ModuleParameters m : p.modules()) {
            modules += m.trainable();
            buffers += m.buffers();
        }
        assertEquals(expected, modules, "per-module counts add up to the total");
        assertEquals(p.buffers(), buffers);
        assertEquals(4 * expected, p.footprint().weightBytes());
    }
}
