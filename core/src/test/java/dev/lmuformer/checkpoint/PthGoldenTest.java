package dev.lmuformer.checkpoint;

import dev.lmuformer.io.ComplexPairs;
import dev.lmuformer.io.PthReader;
import dev.lmuformer.engine.Tensor;
import dev.lmuformer.io.Safetensors;
import dev.lmuformer.io.StoredTensor;
import dev.lmuformer.model.ModelConfig;
import dev.lmuformer.model.SequenceModel;
import dev.lmuformer.testing.Golden;
import dev.lmuformer.testing.TensorAssert;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.Map;

import static dev.lmuformer.testing.TensorAssert.assertTensorClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reference trainer's DataParallel .pth files load as they are and reproduce the golden logits. */
class PthGoldenTest {
    @ParameterizedTest
    @CsvSource({
            "full/lmu_rnn_conv1d.dataparallel.pth, full/lmu_rnn_conv1d.safetensors, 1e-4",
            "full/slmu_rnn_ms_conv1d.dataparallel.pth, full/slmu_rnn_ms_conv1d.safetensors, 1e-3",
            "compact/lmu_rnn_conv1d.dim32.dataparallel.pth, compact/lmu_rnn_conv1d.dim32.safetensors, 1e-4",
            "compact/slmu_rnn_ms_conv1d.dim32.dataparallel.pth, compact/slmu_rnn_ms_conv1d.dim32.safetensors, 1e-3"})
    void pthReproducesGoldenLogits(String pth, String golden, double tol) {
        Path file = Golden.file(pth);
        Safetensors g = Golden.tensors(golden);
        Checkpoint.Loaded loaded = Checkpoint.load(file);
        SequenceModel model = loaded.model();
        ModelConfig.Keyword config = (ModelConfig.Keyword) model.config();
        Map<String, String> meta = g.metadata();
        assertEquals(meta.get("model"), model.arch());
        assertEquals(Integer.parseInt(meta.get("embed_dims")), config.embedDims());
        assertEquals(Integer.parseInt(meta.get("num_classes")), config.numClasses());
        assertEquals(Integer.parseInt(meta.get("in_channels")), config.inChannels());
        assertEquals(Integer.parseInt(meta.get("seq_len")), config.seqLen());
        assertTrue(loaded.metadata().get(Checkpoint.INFERRED).contains("theta 128"), loaded.metadata().get(Checkpoint.INFERRED));

        Tensor x = g.tensor("input.x");
        int batch = x.dim(0), frames = x.dim(1);
        float[] logits = model.forward(x.data, batch, frames, false);
        float[] allSeq = model.allSeqLogits(x.data, batch, frames);
        System.out.printf("%s: eval logits rel err %.3g, all_seq rel err %.3g%n", pth,
                TensorAssert.relError(g.tensor("out.eval.logits").data, logits),
                TensorAssert.relError(g.tensor("out.eval.all_seq_logits").data, allSeq));
        assertTensorClose(pth + " eval logits", g.tensor("out.eval.logits").data, logits, tol);
        assertTensorClose(pth + " all_seq", g.tensor("out.eval.all_seq_logits").data, allSeq, tol);
    }

    @ParameterizedTest
    @CsvSource({"full/lmu_rnn_conv1d.dataparallel.pth, full/lmu_rnn_conv1d.safetensors",
            "compact/slmu_rnn_ms_conv1d.dim32.dataparallel.pth, compact/slmu_rnn_ms_conv1d.dim32.safetensors"})
    void pthTensorsEqualTheGoldenStateBitForBit(String pth, String golden) {
        Map<String, StoredTensor> tensors = ComplexPairs.split(PthReader.read(Golden.file(pth)));
        Safetensors g = Golden.tensors(golden);
        long stateTensors = g.names().stream().filter(n -> n.startsWith("state.")).count();
        assertEquals(stateTensors, tensors.size());
        for (Map.Entry<String, StoredTensor> e : tensors.entrySet()) {
            StoredTensor want = g.stored("state." + e.getKey());
            assertArrayEquals(want.shape(), e.getValue().shape(), e.getKey());
            assertArrayEquals(want.toTensor().data, e.getValue().toTensor().data, e.getKey());
        }
        assertEquals("I64", PthReader.read(Golden.file(pth)).get("block.0.mlp.fc1_bn.num_batches_tracked").dtype().name());
    }
}
