package dev.lmuformer.stream;

import dev.lmuformer.engine.Tensor;
import dev.lmuformer.io.Safetensors;
import dev.lmuformer.model.Init;
import dev.lmuformer.model.LmuRnnConv1d;
import dev.lmuformer.model.ModelConfig;
import dev.lmuformer.model.Models;
import dev.lmuformer.testing.Golden;
import dev.lmuformer.testing.TensorAssert;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LmuFormerStreamTest {
    private static final int C = 8;
    private static final int F = 4;
    private static final int N = 20;

    private static LmuRnnConv1d smallModel() {
        return model(C, F);
    }

    private static LmuRnnConv1d model(int width, int features) {
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("embed_dims", width);
        cfg.put("in_channels", features);
        cfg.put("seq_len", N);
        cfg.put("num_classes", 5);
        cfg.put("depths", 2);
        cfg.put("theta", 16.0);
        LmuRnnConv1d m = (LmuRnnConv1d) Models.create(ModelConfig.fromMap(LmuRnnConv1d.ARCH, cfg));
        Init.pytorchDefault(m, 11);
        Random rnd = new Random(5); // non-trivial running statistics, so the BN folding is exercised
        for (var bn : m.state().norms()) {
            for (int c = 0; c < bn.channels(); c++) {
                bn.runningMean[c] = (float) (rnd.nextGaussian() * 0.3);
                bn.runningVar[c] = (float) (0.5 + rnd.nextDouble());
                bn.weight.data[c] = (float) (0.5 + rnd.nextDouble());
                bn.bias.data[c] = (float) (rnd.nextGaussian() * 0.2);
            }
        }
        return m;
    }

    private static float[] randomInput(int batch, int frames, int features, long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[batch * frames * features];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        return x;
    }

    /** Streams each sequence of x [B, N, F] frame by frame plus flush → [N, B, classes] like allSeqLogits. */
    private static float[] streamAll(ModelStream stream, float[] x, int batch, int frames) {
        int f = stream.inputFeatures(), k = stream.numClasses();
        float[] out = new float[frames * batch * k];
        ModelStream.State s = stream.newState();
        float[] frame = new float[f];
        for (int b = 0; b < batch; b++) {
            stream.reset(s);
            int t = 0;
            for (int n = 0; n < frames; n++) {
                System.arraycopy(x, (b * frames + n) * f, frame, 0, f);
                float[] y = stream.step(s, frame);
                if (n < stream.lookAhead()) assertNull(y, "no output before the look-ahead is filled");
                if (y != null) System.arraycopy(y, 0, out, (t++ * batch + b) * k, k);
            }
            for (float[] y : stream.flush(s)) System.arraycopy(y, 0, out, (t++ * batch + b) * k, k);
            assertEquals(frames, t, "one output per frame");
        }
        return out;
    }

    @Test
    void matchesParallelStreamingReadoutOfRandomModel() {
        LmuRnnConv1d m = smallModel();
        float[] x = randomInput(3, N, F, 2);
        float[] expected = m.allSeqLogits(x, 3, N).clone();
        ModelStream stream = new ModelStream(m);
        assertEquals(5, stream.lookAhead());
        TensorAssert.assertTensorClose("small all_seq", expected, streamAll(stream, x, 3, N), 1e-5);
    }

    @Test
    void sequencesShorterThanTheLookAhead() {
        LmuRnnConv1d m = smallModel();
        ModelStream stream = new ModelStream(m);
        for (int frames = 1; frames <= 6; frames++) {
            float[] x = randomInput(1, frames, F, frames);
            float[] expected = m.allSeqLogits(x, 1, frames).clone();
            TensorAssert.assertTensorClose("frames " + frames, expected, streamAll(stream, x, 1, frames), 1e-5);
        }
        ModelStream.State s = stream.newState();
        assertEquals(List.of(), stream.flush(s), "an empty stream has nothing to flush");
        assertThrows(IllegalStateException.class, () -> stream.step(s, new float[F]));
    }

    @Test
    void chunkSizeDoesNotChangeOutputs() {
        ModelStream stream = new ModelStream(smallModel());
        int frames = 70, k = stream.numClasses();
        float[] x = randomInput(1, frames, F, 9);
        float[] reference = null;
        for (int chunk : new int[] {1, 7, 32, frames}) {
            ModelStream.State s = stream.newState();
            float[] out = new float[frames * k];
            float[] rowsOut = new float[chunk * k];
            int rows = 0;
            for (int from = 0; from < frames; from += chunk) {
                int count = Math.min(chunk, frames - from);
                int got = stream.push(s, java.util.Arrays.copyOfRange(x, from * F, (from + count) * F), count, rowsOut);
                System.arraycopy(rowsOut, 0, out, rows * k, got * k);
                rows += got;
            }
            for (float[] y : stream.flush(s)) System.arraycopy(y, 0, out, rows++ * k, k);
            assertEquals(frames, rows);
            if (reference == null) {
                reference = out;
            } else {
                assertArrayEquals(reference, out, "chunk " + chunk);
            }
        }
    }

    @Test
    void groupStepsGiveTheBitsOfSingleSteps() {
        // Wider than a micro-tile and not a multiple of it; the live rows per tick vary, so full tiles, part tiles and single rows occur.
        int width = 40, features = 12, streams = 14, ticks = 60;
        ModelStream stream = new ModelStream(model(width, features));
        ModelStream.State[] single = new ModelStream.State[streams];
        ModelStream.State[] grouped = new ModelStream.State[streams];
        int[] left = new int[streams]; // frames until the stream ends; streams start, end and restart at different ticks
        for (int i = 0; i < streams; i++) {
            single[i] = stream.newState();
            grouped[i] = stream.newState();
            left[i] = 12 + 5 * i % 17;
        }
        Random rnd = new Random(4);
        ModelStream.State[] active = new ModelStream.State[streams];
        float[][] tick = new float[streams][features];
        float[][] expected = new float[streams][];
        int widest = 0; // most outputs in one tick
        for (int n = 0; n < ticks; n++) {
            int count = 0;
            for (int i = 0; i < streams; i++) {
                if (n < i) continue; // stream i starts at tick i
                if (left[i]-- == 0) {
                    List<float[]> a = stream.flush(single[i]), b = stream.flush(grouped[i]);
                    assertEquals(a.size(), b.size());
                    for (int j = 0; j < a.size(); j++) assertArrayEquals(a.get(j), b.get(j), "flush of stream " + i);
                    stream.reset(single[i]);
                    stream.reset(grouped[i]);
                    left[i] = 4 + 3 * n % 13;
                    continue;
                }
                for (int j = 0; j < features; j++) tick[count][j] = (float) rnd.nextGaussian();
                float[] y = stream.step(single[i], tick[count]);
                expected[count] = y == null ? null : y.clone();
                active[count++] = grouped[i];
            }
            if (n % 2 == 0) {
                stream.step(active, tick, count);
            } else {
                stream.stepAll(active, tick, count, 1 + n % 7);
            }
            int outputs = 0;
            for (int j = 0; j < count; j++) {
                assertArrayEquals(expected[j], active[j].output(), "tick " + n + " entry " + j);
                if (expected[j] != null) outputs++;
            }
            widest = Math.max(widest, outputs);
        }
        assertTrue(widest >= 12, "some tick fills two micro-tiles of rows: " + widest);
    }

    @Test
    void aFlushedStateStopsAGroupBeforeAnyStep() {
        ModelStream stream = new ModelStream(smallModel());
        ModelStream.State a = stream.newState(), b = stream.newState();
        stream.flush(b);
        float[][] frames = new float[2][F];
        assertThrows(IllegalStateException.class, () -> stream.step(new ModelStream.State[] {a, b}, frames, 2));
        assertThrows(IllegalStateException.class, () -> stream.stepAll(new ModelStream.State[] {a, b}, frames, 2, 1));
        assertEquals(0, a.pushed(), "the open state was not stepped");
    }

    @Test
    void matchesGoldenStreamingReadout() {
        Safetensors golden = Golden.tensors("full/lmu_rnn_conv1d.safetensors");
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (String name : golden.names()) {
            if (name.startsWith("state.")) state.put(name.substring("state.".length()), golden.tensor(name));
        }
        Map<String, String> meta = golden.metadata();
        LmuRnnConv1d m = (LmuRnnConv1d) Models.create(ModelConfig.fromMap(meta.get("model"), new LinkedHashMap<>(meta)));
        m.state().load(state);
        Tensor x = golden.tensor("input.x");
        Tensor expected = golden.tensor("out.eval.all_seq_logits");
        int batch = x.dim(0), frames = x.dim(1);
        float[] got = streamAll(new ModelStream(m), x.data, batch, frames);
        System.out.printf("golden all_seq: relative error %.3g%n", TensorAssert.relError(expected.data, got));
        TensorAssert.assertTensorClose("golden all_seq", expected.data, got, 1e-4);
    }
}
