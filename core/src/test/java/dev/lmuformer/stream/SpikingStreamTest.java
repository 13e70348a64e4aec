package dev.lmuformer.stream;

import dev.lmuformer.io.Safetensors;
import dev.lmuformer.model.GoldenModels;
import dev.lmuformer.model.Init;
import dev.lmuformer.model.ModelConfig;
import dev.lmuformer.model.Models;
import dev.lmuformer.model.SpikingLmuFormer;
import dev.lmuformer.nn.Lif;
import dev.lmuformer.testing.Golden;
import dev.lmuformer.testing.TensorAssert;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Streaming the Spiking LMUFormers equals their parallel streaming readout: against the golden
 * all_seq logits within 1e-3 of the largest logit (the whole-model tolerance of {@code SpikingEvalTest},
 * which allows for a rare spike flipped by a different summation order), against the Java parallel model,
 * whatever the chunk size, and with or without spike accumulation (bit for bit).
 */
class SpikingStreamTest {
    private static final int C = 8;
    private static final int F = 6;
    private static final int N = 24;

    /** A small two-block model of {@code arch} whose neurons fire often enough for the comparisons to mean something. */
    private static SpikingLmuFormer smallModel(String arch) {
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("embed_dims", C);
        cfg.put("in_channels", F);
        cfg.put("seq_len", N);
        cfg.put("num_classes", 5);
        cfg.put("depths", 2);
        cfg.put("theta", 16.0);
        SpikingLmuFormer m = (SpikingLmuFormer) Models.create(ModelConfig.fromMap(arch, cfg));
        Init.pytorchDefault(m, 3);
        StreamHarness.randomNorms(m, 4.0, 8);
        return m;
    }

    private static float[] input(int batch, int frames, long seed) {
        return StreamHarness.gaussian(batch * frames * F, 1.5, seed);
    }

    @ParameterizedTest
    @ValueSource(strings = {"slmu_rnn_ms_conv1d", "slmu_rnn_conv1d"})
    void matchesParallelStreamingReadoutOfSmallModel(String arch) {
        SpikingLmuFormer m = smallModel(arch);
        int batch = 3;
        float[] x = input(batch, N, 2);
        float[] expected = m.allSeqLogits(x, batch, N).clone();
        for (Lif lif : m.neurons()) {
            assertTrue(lif.firingRate() > 0.01 && lif.firingRate() < 0.9, "every neuron layer should fire now and then, not always: " + lif.firingRate());
        }
        StreamingModel stream = StreamingModel.of(m);
        assertEquals(5, stream.lookAhead());
        TensorAssert.assertTensorClose(arch + " small all_seq", expected, StreamHarness.streamAll(stream, x, batch, N), 1e-5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"slmu_rnn_ms_conv1d", "slmu_rnn_conv1d"})
    void spikeAccumulationGivesTheSameBits(String arch) {
        SpikingLmuFormer m = smallModel(arch);
        float[] x = input(2, N, 5);
        SpikingLmuFormerStream sparse = new SpikingLmuFormerStream(m, true);
        SpikingLmuFormerStream dense = new SpikingLmuFormerStream(m, false);
        assertTrue(sparse.accumulates() && !dense.accumulates());
        assertArrayEquals(StreamHarness.streamAll(dense, x, 2, N), StreamHarness.streamAll(sparse, x, 2, N));
    }

    @ParameterizedTest
    @ValueSource(strings = {"slmu_rnn_ms_conv1d", "slmu_rnn_conv1d"})
    void sequencesShorterThanTheLookAhead(String arch) {
        SpikingLmuFormer m = smallModel(arch);
        SpikingLmuFormerStream stream = new SpikingLmuFormerStream(m, true);
        for (int frames = 1; frames <= 6; frames++) {
            float[] x = input(1, frames, 40 + frames);
            float[] expected = m.allSeqLogits(x, 1, frames).clone();
            TensorAssert.assertTensorClose("frames " + frames, expected, StreamHarness.streamAll(stream, x, 1, frames), 1e-5);
        }
        SpikingLmuFormerStream.State s = stream.newState();
        assertEquals(List.of(), stream.flush(s), "an empty stream has nothing to flush");
        assertThrows(IllegalStateException.class, () -> stream.step(s, new float[F], 0));
        assertThrows(IllegalStateException.class, () -> stream.flush(s));
    }

    @ParameterizedTest
    @ValueSource(strings = {"slmu_rnn_ms_conv1d", "slmu_rnn_conv1d"})
    void chunkSizeAndResetDoNotChangeOutputs(String arch) {
        SpikingLmuFormerStream stream = new SpikingLmuFormerStream(smallModel(arch), true);
        int frames = 70, k = stream.numClasses();
        float[] x = input(1, frames, 9);
        float[] reference = StreamHarness.streamAll(stream, x, 1, frames);
        SpikingLmuFormerStream.State s = stream.newState();
        for (int chunk : new int[] {1, 7, 32, frames}) {
            stream.reset(s); // the same state reused: reset must leave nothing behind
            float[] out = new float[frames * k];
            float[] rowsOut = new float[chunk * k];
            int rows = 0;
            for (int from = 0; from < frames; from += chunk) {
                int count = Math.min(chunk, frames - from);
                int got = stream.push(s, java.util.Arrays.copyOfRange(x, from * F, (from + count) * F), count, rowsOut);
                System.arraycopy(rowsOut, 0, out, rows * k, got * k);
                rows += got;
            }
            assertEquals(frames - stream.lookAhead(), rows);
            assertEquals(frames, s.pushed());
            for (float[] y : stream.flush(s)) System.arraycopy(y, 0, out, rows++ * k, k);
            assertEquals(frames, rows);
            assertArrayEquals(reference, out, "chunk " + chunk);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"full/slmu_rnn_ms_conv1d.safetensors", "full/slmu_rnn_conv1d.safetensors",
            "compact/slmu_rnn_ms_conv1d.dim32.safetensors"})
    void matchesGoldenStreamingReadout(String file) {
        Safetensors g = Golden.tensors(file);
        SpikingLmuFormer m = (SpikingLmuFormer) GoldenModels.build(g);
        var x = g.tensor("input.x");
        int batch = x.dim(0), frames = x.dim(1);
        float[] golden = g.tensor("out.eval.all_seq_logits").data;
        float[] parallel = m.allSeqLogits(x.data, batch, frames).clone();
        float[] streamed = StreamHarness.streamAll(StreamingModel.of(m), x.data, batch, frames);
        System.out.printf("%s: streamed vs golden all_seq %.3g, vs Java parallel %.3g (of the largest logit)%n",
                file, TensorAssert.relError(golden, streamed), TensorAssert.relError(parallel, streamed));
        TensorAssert.assertTensorClose(file + " vs golden", golden, streamed, 1e-3);
        TensorAssert.assertTensorClose(file + " vs parallel", parallel, streamed, 1e-3);
    }

    @ParameterizedTest
    @ValueSource(strings = {"attn_ms_conv1d"})
    void attentionIsRefusedWithTheReason(String arch) {
        Map<String, Object> cfg = Map.of("embed_dims", 32, "num_heads", 4);
        var m = Models.create(ModelConfig.fromMap(arch, cfg));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StreamingModel.of(m));
        assertTrue(e.getMessage().contains("all frames"), e.getMessage());
    }
}
