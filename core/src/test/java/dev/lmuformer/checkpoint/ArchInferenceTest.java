package dev.lmuformer.checkpoint;

import dev.lmuformer.model.ModelConfig;
import dev.lmuformer.model.Models;
import dev.lmuformer.model.StateDict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every architecture and its sizes are recovered from a bare state_dict's names and shapes. */
class ArchInferenceTest {
    private static Map<String, int[]> shapes(ModelConfig config) {
        Map<String, int[]> out = new LinkedHashMap<>();
        for (StateDict.Entry e : Models.create(config).state().entries().values()) out.put(e.name(), e.shape());
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"lmu_rnn_conv1d", "slmu_rnn_ms_conv1d", "slmu_rnn_conv1d", "attn_ms_conv1d"})
    void speechModelsAreRecognisedWithTheirSizes(String arch) {
        int seqLen = arch.equals("attn_ms_conv1d") ? 128 : 12; // the attention model has no H to read N from
        ModelConfig config = new ModelConfig.Keyword(arch, 16, 2, 3, 6, 5, 16, seqLen, 128);
        ArchInference.Inferred inferred = ArchInference.infer(shapes(config));
        assertEquals(config, inferred.config());
        assertTrue(inferred.explanation().contains("arch " + arch + " from keys"), inferred.explanation());
        assertTrue(inferred.explanation().contains("depths 2 from block.0 … block.1"), inferred.explanation());
    }

    @ParameterizedTest
    @ValueSource(strings = {"psmnist_lmu", "psmnist_slmu"})
    void psmnistModelsAreRecognisedWithTheirSizes(String arch) {
        ModelConfig config = new ModelConfig.Psmnist(arch, 10, 12, 20, 784, 7);
        ArchInference.Inferred inferred = ArchInference.infer(shapes(config));
        assertEquals(config, inferred.config());
        assertTrue(inferred.explanation().contains("memory_size 12"), inferred.explanation());
        assertTrue(inferred.explanation().contains("theta 784 (default"), inferred.explanation());
    }

    @Test
    void unknownKeysAndImpossibleSizesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ArchInference.infer(Map.of("encoder.weight", new int[] {3, 4})));
        assertTrue(e.getMessage().contains("no known architecture has these tensors (first: 'encoder.weight')"), e.getMessage());
        Map<String, int[]> s = shapes(new ModelConfig.Keyword("lmu_rnn_conv1d", 16, 1, 3, 6, 5, 16, 12, 128));
        s.put("head.weight", new int[] {5, 100_000});
        e = assertThrows(IllegalArgumentException.class, () -> ArchInference.infer(s));
        assertTrue(e.getMessage().contains("no multiple of embed_dims 100000"), e.getMessage());
        s.put("block.0.mlp.fc1_conv.weight", new int[] {200_000, 16, 1});
        e = assertThrows(IllegalArgumentException.class, () -> ArchInference.infer(s));
        assertTrue(e.getMessage().contains("but the file holds"), e.getMessage());
    }
}
