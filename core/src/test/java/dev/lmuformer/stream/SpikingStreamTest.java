package dev.lmuformer.stream;

import dev.lmuformer.io.Safetensors;
import dev.lmuformer.model.GoldenModels;
import dev.lmuformer.model.Init;
import dev.lmuformer.model.ModelConfig;
import dev.lmuformer.model.Models;
import dev.lmuformer.model.SequenceModel;
import dev.lmuformer.model.SpikingLmuFormer;
import dev.lmuformer.nn.Lif;
import dev.lmuformer.testing.Golden;
import dev.lmuformer.testing.TensorAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
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
        ModelStream sparse = new ModelStream(m, true);
        ModelStream dense = new ModelStream(m, false);
        assertTrue(sparse.accumulates() && !dense.accumulates());
        assertArrayEquals(StreamHarness.streamAll(dense, x, 2, N), StreamHarness.streamAll(sparse, x, 2, N));
    }

    @ParameterizedTest
    @ValueSource(strings = {"slmu_rnn_ms_conv1d", "slmu_rnn_conv1d"})
    void sequencesShorterThanTheLookAhead(String arch) {
        SpikingLmuFormer m = smallModel(arch);
        ModelStream stream = new ModelStream(m, true);
        for (int frames = 1; frames <= 6; frames++) {
            float[] x = input(1, frames, 40 + frames);
            float[] expected = m.allSeqLogits(x, 1, frames).clone();
            TensorAssert.assertTensorClose("frames " + frames, expected, StreamHarness.streamAll(stream, x, 1, frames), 1e-5);
        }
        ModelStream.State s = stream.newState();
        assertEquals(List.of(), stream.flush(s), "an empty stream has nothing to flush");
        assertThrows(IllegalStateException.class, () -> stream.step(s, new float[F], 0));
        assertThrows(IllegalStateException.class, () -> stream.flush(s));
    }

    @ParameterizedTest
    @ValueSource(strings = {"slmu_rnn_ms_conv1d", "slmu_rnn_conv1d"})
    void chunkSizeAndResetDoNotChangeOutputs(String arch) {
        ModelStream stream = new ModelStream(smallModel(arch), true);
        int frames = 70, k = stream.numClasses();
        float[] x = input(1, frames, 9);
        float[] reference = StreamHarness.streamAll(stream, x, 1, frames);
        ModelStream.State s = stream.newState();
        for (int chunk : new int[] {1, 7, 32, frames}) {
            stream.reset(s); // the same state reused: reset must leave nothing behind
            float[] out = new float[frames * k];
            float[] rowsOut = new float[chunk * k];
            int rows = 0;
            for (int from = 0; from < frames; from += chunk) {
                int count = Math.min(chunk, frames - from);
                int got = stream.push(s, Arrays.copyOfRange(x, from * F, (from + count) * F), count, rowsOut);
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

    @Test
    void attentionIsRefusedWithTheReason() {
        var m = Models.create(ModelConfig.fromMap("attn_ms_conv1d", Map.of("embed_dims", 32, "num_heads", 4)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StreamingModel.of(m));
        assertTrue(e.getMessage().contains("all frames"), e.getMessage());
    }

    /**
     * Why the attention model is refused: the parallel readout at frame t, recomputed from only the frames a
     * stream with 5 frames of look-ahead has seen (0 … t+5), is unchanged for the Spiking LMUFormer and far off
     * for the attention model, whose every frame sums over the whole sequence. Golden weights, with running
     * statistics calibrated on the golden input (with the stored 0/1 ones the attention's neurons stay silent
     * in evaluation and it adds nothing).
     */
    @Test
    void onlyTheAttentionModelNeedsTheFuture() {
        double lmu = futureDependence("compact/slmu_rnn_ms_conv1d.dim32.safetensors");
        double attn = futureDependence("compact/attn_ms_conv1d.dim32.safetensors");
        assertTrue(lmu < 1e-5, "the LMU model's readout at t depends on frames after t+5: " + lmu);
        assertTrue(attn > 1e-2, "the attention model's readout at t hardly changed without the future: " + attn);
    }

    /** Worst change of all_seq row t (relative to the largest logit) when the sequence is cut after frame t+5. */
    private static double futureDependence(String file) {
        Safetensors g = Golden.tensors(file);
        SequenceModel m = GoldenModels.build(g);
        var x = g.tensor("input.x");
        int batch = x.dim(0), frames = x.dim(1), f = x.dim(2), k = m.numClasses();
        Init.calibrateNorms(m, x.data, batch, frames);
        float[] full = m.allSeqLogits(x.data, batch, frames).clone();
        double worst = 0;
        int flipped = 0, checked = 0;
        for (int t = 0; t < frames - 5; t += 9) {
            int seen = t + 6;
            float[] prefix = new float[batch * seen * f];
            for (int b = 0; b < batch; b++) System.arraycopy(x.data, b * frames * f, prefix, b * seen * f, seen * f);
            float[] cut = Arrays.copyOfRange(m.allSeqLogits(prefix, batch, seen), t * batch * k, (t + 1) * batch * k);
            float[] whole = Arrays.copyOfRange(full, t * batch * k, (t + 1) * batch * k);
            worst = Math.max(worst, TensorAssert.relError(whole, cut));
            for (int b = 0; b < batch; b++, checked++) {
                if (argmax(whole, b * k, k) != argmax(cut, b * k, k)) flipped++;
            }
        }
        System.out.printf("%s: readout at frame t from frames 0..t+5 only: worst change %.3g of the largest logit,"
                + " top class changed in %d of %d (frame, sample) pairs%n", file, worst, flipped, checked);
        return worst;
    }

    private static int argmax(float[] v, int from, int n) {
        int best = from;
        for (int i = from + 1; i < from + n; i++) if (v[i] > v[best]) best = i;
        return best - from;
    }
}
