package dev.lmuformer.model;

import dev.lmuformer.testing.Tolerances;
import dev.lmuformer.engine.Tensor;
import dev.lmuformer.io.Safetensors;
import dev.lmuformer.testing.Golden;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.lmuformer.testing.TensorAssert.assertTensorClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Evaluation-mode parity with the reference: logits and the streaming readout. */
class LmuRnnConv1dEvalTest {

    @ParameterizedTest
    @ValueSource(strings = {"full/lmu_rnn_conv1d.safetensors", "compact/lmu_rnn_conv1d.dim32.safetensors", "psmnist/psmnist_lmu.safetensors"})
    void evalLogitsAndAllSeqMatchReference(String file) {
        Safetensors g = Golden.tensors(file);
        SequenceModel model = GoldenModels.build(g);
        assertEquals(Long.parseLong(g.metadata().get("parameters")), model.parameterCount(), "parameter count");
        Tensor x = g.tensor("input.x");
        int batch = x.dim(0), frames = x.dim(1);
        assertTensorClose(file + " eval logits", g.tensor("out.eval.logits").data, model.forward(x.data, batch, frames, false), Tolerances.REAL_LOGITS);
        if (g.has("out.eval.all_seq_logits")) {
            assertTensorClose(file + " all_seq", g.tensor("out.eval.all_seq_logits").data, model.allSeqLogits(x.data, batch, frames), Tolerances.REAL_LOGITS);
        }
    }
}
