package dev.lmuformer.model;

import dev.lmuformer.testing.Tolerances;
import dev.lmuformer.engine.Tensor;
import dev.lmuformer.io.Safetensors;
import dev.lmuformer.testing.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.lmuformer.testing.TensorAssert.assertTensorClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Spiking models, whole: evaluation logits and the streaming readout within {@link Tolerances#SPIKING_LOGITS} of the largest logit. */
class SpikingEvalTest {

    @ParameterizedTest
    @ValueSource(strings = {"full/slmu_rnn_ms_conv1d.safetensors", "full/slmu_rnn_conv1d.safetensors",
            "compact/slmu_rnn_ms_conv1d.dim32.safetensors", "compact/attn_ms_conv1d.dim32.safetensors", "psmnist/psmnist_slmu.safetensors"})
    void evalLogitsAndAllSeqMatchReference(String file) {
        Safetensors g = Golden.tensors(file);
        SequenceModel model = GoldenModels.build(g);
        assertEquals(Long.parseLong(g.metadata().get("parameters")), model.parameterCount(), "parameter count");
        Tensor x = g.tensor("input.x");
        int batch = x.dim(0), frames = x.dim(1);
        assertTensorClose(file + " eval logits", g.tensor("out.eval.logits").data, model.forward(x.data, batch, frames, false), Tolerances.SPIKING_LOGITS);
        if (g.has("out.eval.all_seq_logits")) {
            assertTensorClose(file + " all_seq", g.tensor("out.eval.all_seq_logits").data, model.allSeqLogits(x.data, batch, frames),
                    Tolerances.SPIKING_LOGITS);
        }
    }

    @Test
    void parameterCountsAtTheSpeechCommandsSetting() {
        assertEquals(1_689_894L, Models.create(ModelConfig.defaults("slmu_rnn_ms_conv1d")).parameterCount());
        assertEquals(1_689_382L, Models.create(ModelConfig.defaults("slmu_rnn_conv1d")).parameterCount());
        assertEquals(1_689_379L, Models.create(ModelConfig.defaults("attn_ms_conv1d")).parameterCount());
        assertEquals(166_092L, Models.create(ModelConfig.defaults("psmnist_slmu")).parameterCount());
    }
}
