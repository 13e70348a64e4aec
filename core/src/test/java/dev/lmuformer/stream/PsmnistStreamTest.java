package dev.lmuformer.stream;

import dev.lmuformer.io.Safetensors;
import dev.lmuformer.model.GoldenModels;
import dev.lmuformer.model.Init;
import dev.lmuformer.model.ModelConfig;
import dev.lmuformer.model.Models;
import dev.lmuformer.model.PsmnistSlmu;
import dev.lmuformer.model.SequenceModel;
import dev.lmuformer.nn.Lif;
import dev.lmuformer.testing.Golden;
import dev.lmuformer.testing.TensorAssert;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Streaming the psMNIST models pixel by pixel. The golden files have no all_seq logits, so: the output
 * at the last pixel equals the golden evaluation logits, and the output at every pixel equals the
 * parallel readout of the same prefix ({@code allSeqLogits}, and spot checks of the model run on the
 * prefix alone) — within 1e-4 for psmnist_lmu, within the spiking models' 1e-3 for psmnist_slmu.
 */
class PsmnistStreamTest {
    private static final int N = 60;

    private static SequenceModel smallModel(String arch) {
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("hidden_size", 12);
        cfg.put("memory_size", 10);
        cfg.put("seq_len", N);
        cfg.put("theta", 40.0);
        SequenceModel m = Models.create(ModelConfig.fromMap(arch, cfg));
        Init.pytorchDefault(m, 21);
        StreamHarness.randomNorms(m, 1.0, 4);
        for (var e : m.state().entries().values()) { // drives strong enough for the neurons (no batch norms there) to fire
            if (e.name().startsWith("lmu_fft.W_")) for (int i = 0; i < e.data().length; i++) e.data()[i] *= 4;
        }
        return m;
    }

    /** Pixels in [0, 1), as psMNIST's. */
    private static float[] pixels(int batch, int frames, long seed) {
        float[] x = StreamHarness.gaussian(batch * frames, 1, seed);
        for (int i = 0; i < x.length; i++) x[i] = Math.abs(x[i]) % 1f;
        return x;
    }

    private static double tolerance(SequenceModel m) {
        return m instanceof PsmnistSlmu ? 1e-3 : 1e-4;
    }

    /** Stream outputs equal allSeqLogits at every pixel, and the model run on a prefix at a few. */
    private static void checkPrefixes(String label, SequenceModel m, float[] x, int batch, int frames) {
        float[] parallel = m.allSeqLogits(x, batch, frames).clone();
        StreamingModel stream = StreamingModel.of(m);
        assertEquals(0, stream.lookAhead());
        float[] streamed = StreamHarness.streamAll(stream, x, batch, frames);
        double tol = tolerance(m);
        TensorAssert.assertTensorClose(label + " every prefix", parallel, streamed, tol);
        int k = m.numClasses();
        for (int t : new int[] {0, 1, frames / 3, frames - 1}) {
            float[] prefix = new float[batch * (t + 1)];
            for (int b = 0; b < batch; b++) System.arraycopy(x, b * frames, prefix, b * (t + 1), t + 1);
            float[] alone = m.forward(prefix, batch, t + 1, false);
            TensorAssert.assertTensorClose(label + " prefix of " + (t + 1), alone,
                    Arrays.copyOfRange(streamed, t * batch * k, (t + 1) * batch * k), tol);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"psmnist_lmu", "psmnist_slmu"})
    void matchesParallelReadoutOfEveryPrefix(String arch) {
        SequenceModel m = smallModel(arch);
        float[] x = pixels(3, N, 6);
        checkPrefixes(arch, m, x, 3, N);
        if (m instanceof PsmnistSlmu s) {
            for (Lif lif : s.neurons()) {
                assertTrue(lif.firingRate() > 0.01 && lif.firingRate() < 0.9, "neurons should fire now and then: " + lif.firingRate());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"psmnist_lmu", "psmnist_slmu"})
    void chunkSizeAndResetDoNotChangeOutputs(String arch) {
        SequenceModel m = smallModel(arch);
        ModelStream stream = (ModelStream) StreamingModel.of(m);
        int k = stream.numClasses();
        float[] x = pixels(1, N, 12);
        float[] reference = StreamHarness.streamAll(stream, x, 1, N);
        ModelStream.State s = stream.newState();
        for (int chunk : new int[] {1, 7, N}) {
            stream.reset(s);
            float[] out = new float[N * k];
            int rows = 0;
            for (int from = 0; from < N; from += chunk) {
                int count = Math.min(chunk, N - from);
                float[] rowsOut = new float[count * k];
                int got = stream.push(s, Arrays.copyOfRange(x, from, from + count), count, rowsOut);
                System.arraycopy(rowsOut, 0, out, rows * k, got * k);
                rows += got;
            }
            assertEquals(0, stream.flush(s).size(), "nothing pending without look-ahead");
            assertEquals(N, rows);
            assertArrayEquals(reference, out, "chunk " + chunk);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"psmnist/psmnist_lmu.safetensors", "psmnist/psmnist_slmu.safetensors"})
    void lastPixelGivesTheGoldenLogits(String file) {
        Safetensors g = Golden.tensors(file);
        SequenceModel m = GoldenModels.build(g);
        var x = g.tensor("input.x");
        int batch = x.dim(0), frames = x.dim(1), k = m.numClasses();
        float[] streamed = StreamHarness.streamAll(StreamingModel.of(m), x.data, batch, frames);
        float[] last = Arrays.copyOfRange(streamed, (frames - 1) * batch * k, frames * batch * k);
        float[] golden = g.tensor("out.eval.logits").data;
        float[] parallel = m.allSeqLogits(x.data, batch, frames);
        System.out.printf("%s: last pixel vs golden eval logits %.3g; every pixel vs Java parallel %.3g (of the largest logit)%n",
                file, TensorAssert.relError(golden, last), TensorAssert.relError(parallel, streamed));
        TensorAssert.assertTensorClose(file + " last pixel", golden, last, tolerance(m));
        TensorAssert.assertTensorClose(file + " every pixel", parallel, streamed, tolerance(m));
    }
}
