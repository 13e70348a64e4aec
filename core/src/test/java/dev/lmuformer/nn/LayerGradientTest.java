package dev.lmuformer.nn;

import dev.lmuformer.testing.GradCheck;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.lmuformer.testing.GradCheck.randn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Finite-difference checks of every layer's backward, input and parameter gradients, on small random shapes. */
@Tag("kernels")
class LayerGradientTest {
    private static final double EPS = 1e-2;
    private static final double TOL = 2e-3;

    @ParameterizedTest(name = "Conv1d in={0} out={1} k={2} bias={3}")
    @CsvSource({"3,4,1,true", "5,7,3,false", "6,5,3,true", "2,3,5,true"})
    void conv1d(int in, int out, int k, boolean bias) {
        Random rnd = new Random(1);
        int batch = 2, frames = 6;
        Conv1d conv = new Conv1d("c", in, out, k, bias);
        for (Parameter p : conv.parameters()) System.arraycopy(randn(rnd, p.size(), 0.5), 0, p.data, 0, p.size());
        GradCheck.check("conv", new GradCheck.Fn() {
            public float[] forward(float[] x) {
                return conv.forward(x, batch, frames);
            }

            public void backward(float[] dy, float[] dx) {
                conv.backward(dy, dx);
            }
        }, randn(rnd, batch * frames * in, 1), batch * frames * out, conv.parameters(), true, EPS, TOL, 2);
    }

    @Test
    void linear() {
        Random rnd = new Random(3);
        Linear lin = new Linear("l", 7, 3, true);
        for (Parameter p : lin.parameters()) System.arraycopy(randn(rnd, p.size(), 0.5), 0, p.data, 0, p.size());
        int rows = 5;
        GradCheck.check("linear", fn(x -> lin.forward(x, rows), lin::backward), randn(rnd, rows * 7, 1), rows * 3, lin.parameters(), true, EPS, TOL, 4);
    }

    @Test
    void batchNormTraining() {
        Random rnd = new Random(5);
        BatchNorm1d bn = new BatchNorm1d("bn", 4);
        System.arraycopy(randn(rnd, 4, 1), 0, bn.weight.data, 0, 4);
        System.arraycopy(randn(rnd, 4, 1), 0, bn.bias.data, 0, 4);
        int rows = 9;
        float[] x = randn(rnd, rows * 4, 2);
        for (int i = 0; i < x.length; i++) x[i] += 1.5f; // a non-zero mean exercises the centring
        GradCheck.check("bn", fn(in -> bn.forward(in, rows, true), bn::backward), x, rows * 4, bn.parameters(), true, EPS, TOL, 6);
    }

    @Test
    void reluAndGelu() {
        Random rnd = new Random(7);
        float[] x = randn(rnd, 40, 1);
        for (int i = 0; i < x.length; i++) if (Math.abs(x[i]) < 0.05f) x[i] = 0.3f; // away from the kink
        Relu relu = new Relu();
        GradCheck.check("relu", fn(in -> relu.forward(in, 40), relu::backward), x, 40, List.of(), true, 1e-3, TOL, 8);
        Gelu gelu = new Gelu();
        GradCheck.check("gelu", fn(in -> gelu.forward(in, 40), gelu::backward), x, 40, List.of(), true, 1e-3, TOL, 9);
    }

    @Test
    void dropoutUsesItsMask() {
        Random rnd = new Random(9);
        Dropout drop = new Dropout(0.5, 42);
        float[] x = randn(rnd, 30, 1);
        float[] y = drop.forward(x, 30, true).clone();
        float[] dx = new float[30];
        float[] dy = randn(rnd, 30, 1);
        drop.backward(dy, dx);
        int dropped = 0;
        for (int i = 0; i < 30; i++) {
            if (y[i] == 0f) {
                dropped++;
                org.junit.jupiter.api.Assertions.assertEquals(0f, dx[i]);
            } else {
                org.junit.jupiter.api.Assertions.assertEquals(x[i] * 2f, y[i], 1e-6);
                org.junit.jupiter.api.Assertions.assertEquals(dy[i] * 2f, dx[i], 1e-6);
            }
        }
        org.junit.jupiter.api.Assertions.assertTrue(dropped > 5 && dropped < 25, "about half dropped: " + dropped);
        org.junit.jupiter.api.Assertions.assertSame(x, drop.forward(x, 30, false), "identity in evaluation");
    }

    @Test
    void lmuCell() {
        Random rnd = new Random(11);
        int batch = 2, frames = 7, in = 3, hidden = 4, memory = 5;
        LmuCell cell = new LmuCell("lmu", in, hidden, memory, 6.0, frames);
        for (Parameter p : cell.parameters()) System.arraycopy(randn(rnd, p.size(), 0.6), 0, p.data, 0, p.size());
        cell.wU.bias.data[0] = 1.5f; // keep u mostly positive so the ReLU kink is rarely near
        GradCheck.check("lmu", fn(x -> cell.forward(x, batch, frames), cell::backward), randn(rnd, batch * frames * in, 1),
                batch * frames * hidden, cell.parameters(), true, 1e-3, 5e-3, 12);
    }

    @Test
    void lmuCellWithTheMemoryFoldedIntoWh() {
        Random rnd = new Random(12);
        int batch = 2, frames = 7, in = 3, hidden = 4, memory = 5;
        LmuCell cell = new LmuCell("lmu", in, hidden, memory, 6.0, frames);
        cell.foldFrom = 1;
        for (Parameter p : cell.parameters()) System.arraycopy(randn(rnd, p.size(), 0.6), 0, p.data, 0, p.size());
        cell.wU.bias.data[0] = 1.5f;
        GradCheck.check("lmu folded", fn(x -> cell.forward(x, batch, frames), cell::backward), randn(rnd, batch * frames * in, 1),
                batch * frames * hidden, cell.parameters(), true, 1e-3, 5e-3, 12);
        org.junit.jupiter.api.Assertions.assertNull(cell.memoryAndInput(), "the folded form never forms m");
    }

    /** The folded form (psMNIST's) against the one that forms m, over several channel groups and sample blocks. */
    @Test
    void foldedAndFormedMemoryAgree() {
        Random rnd = new Random(17);
        int batch = 20, frames = 45, in = 3, hidden = 37, memory = 12;
        LmuCell formed = new LmuCell("lmu", in, hidden, memory, 30.0, frames);
        LmuCell folded = new LmuCell("lmu", in, hidden, memory, 30.0, frames);
        formed.foldFrom = Integer.MAX_VALUE;
        folded.foldFrom = 1;
        for (int i = 0; i < formed.parameters().size(); i++) {
            Parameter p = formed.parameters().get(i);
            System.arraycopy(randn(rnd, p.size(), 0.4), 0, p.data, 0, p.size());
            System.arraycopy(p.data, 0, folded.parameters().get(i).data, 0, p.size());
        }
        formed.wU.bias.data[0] = folded.wU.bias.data[0] = 0.8f;
        float[] x = randn(rnd, batch * frames * in, 1);
        float[] dy = randn(rnd, batch * frames * hidden, 1);
        float[] hFormed = formed.forward(x, batch, frames).clone();
        float[] hFolded = folded.forward(x, batch, frames);
        dev.lmuformer.testing.TensorAssert.assertTensorClose("h", hFormed, hFolded, 1e-5);
        float[] dxFormed = new float[x.length], dxFolded = new float[x.length];
        formed.backward(dy, dxFormed);
        folded.backward(dy, dxFolded);
        dev.lmuformer.testing.TensorAssert.assertTensorClose("dx", dxFormed, dxFolded, 1e-5);
        for (int i = 0; i < formed.parameters().size(); i++) {
            Parameter p = formed.parameters().get(i);
            dev.lmuformer.testing.TensorAssert.assertTensorClose("grad " + p.name(), p.grad, folded.parameters().get(i).grad, 1e-5);
        }
    }

    @Test
    void embeddingAddsIntoLookedUpRowsAndNeverThePaddingRow() {
        Random rnd = new Random(13);
        int vocab = 6, dim = 4;
        Embedding emb = new Embedding("e", vocab, dim, 0);
        System.arraycopy(randn(rnd, vocab * dim, 1), 0, emb.weight.data, 0, vocab * dim); // even a non-zero padding row is not read
        int[] ids = {3, 0, 5, 3, 1, 0, 2}; // a repeated token and padding
        GradCheck.check("embedding", fn(x -> emb.forward(ids, ids.length), (dy, dx) -> emb.backward(dy)), new float[0],
                ids.length * dim, emb.parameters(), false, EPS, TOL, 14);
        float[] y = emb.forward(ids, ids.length);
        for (int c = 0; c < dim; c++) {
            assertEquals(0f, emb.weight.grad[c], "no gradient for the padding row");
            assertEquals(0f, y[dim + c], "padding maps to zeros");
            assertEquals(emb.weight.data[3 * dim + c], y[c]);
        }
        assertThrows(IllegalArgumentException.class, () -> emb.forward(new int[] {vocab}, 1));
    }

    @Test
    void maskedMeanPoolDividesByTheTrueLength() {
        Random rnd = new Random(15);
        int batch = 3, frames = 5, width = 4;
        MeanPool pool = new MeanPool(width);
        int[] lengths = {5, 2, 0};
        float[] x = randn(rnd, batch * frames * width, 1);
        GradCheck.check("mean pool", fn(in -> pool.forward(in, batch, frames, lengths), pool::backward), x, batch * width, List.of(),
                true, EPS, TOL, 16);
        float[] y = pool.forward(x, batch, frames, lengths).clone();
        float[] before = randn(rnd, x.length, 1); // added to, like every layer's input gradient
        float[] dx = before.clone();
        pool.backward(randn(rnd, batch * width, 1), dx);
        float[] running = new float[frames * batch * width];
        pool.running(x, batch, frames, lengths, running);
        for (int c = 0; c < width; c++) {
            int second = frames * width + c; // sequence 1, frame 0
            assertEquals((x[second] + x[second + width]) / 2, y[width + c], 1e-6, "mean of the two real frames");
            assertEquals(0f, y[2 * width + c], "an empty sequence pools to zero");
            for (int t = 2; t < frames; t++) assertEquals(before[second + t * width], dx[second + t * width], "padding gets no gradient");
            assertEquals(x[second], running[width + c], 1e-6, "running mean after the first frame");
            assertEquals(y[width + c], running[((frames - 1) * batch + 1) * width + c], 1e-6, "the running mean stops at the end");
        }
    }

    /**
     * Backward with {@code accumulate = false} writes exactly what backward adds into a cleared
     * buffer, whatever the buffer held (the models pass their gradient buffers uncleared), and
     * leaves the parameter gradients as the adding form does.
     */
    @Test
    void writtenInputGradientsEqualAddedOnesIntoZeros() {
        Random rnd = new Random(17);
        int batch = 2, frames = 7, rows = batch * frames;
        Conv1d pointwise = new Conv1d("p", 5, 6, 1, true);
        Conv1d winograd = new Conv1d("w", 5, 6, 3, false);
        Linear lin = new Linear("l", 5, 6, true);
        BatchNorm1d bn = new BatchNorm1d("bn", 5);
        Relu relu = new Relu();
        Gelu gelu = new Gelu();
        for (Parameter p : List.of(pointwise.weight, pointwise.bias, winograd.weight, lin.weight, lin.bias)) {
            System.arraycopy(randn(rnd, p.size(), 0.5), 0, p.data, 0, p.size());
        }
        float[] x = randn(rnd, rows * 5, 1);
        pointwise.forward(x, batch, frames);
        winograd.forward(x, batch, frames);
        lin.forward(x, rows);
        bn.forward(x, rows, true);
        relu.forward(x, rows * 5);
        gelu.forward(x, rows * 5);
        float[] dyWide = randn(rnd, rows * 6, 1), dyNarrow = randn(rnd, rows * 5, 1);
        Map<String, java.util.function.BiConsumer<float[], Boolean>> layers = new java.util.LinkedHashMap<>();
        layers.put("conv k=1", (dx, acc) -> pointwise.backward(dyWide, dx, acc));
        layers.put("conv k=3", (dx, acc) -> winograd.backward(dyWide, dx, acc));
        layers.put("linear", (dx, acc) -> lin.backward(dyWide, dx, acc));
        layers.put("batch norm", (dx, acc) -> bn.backward(dyNarrow, dx, acc));
        layers.put("relu", (dx, acc) -> relu.backward(dyNarrow, dx, acc));
        layers.put("gelu", (dx, acc) -> gelu.backward(dyNarrow, dx, acc));
        Map<String, List<Parameter>> params = Map.of("conv k=1", pointwise.parameters(), "conv k=3", winograd.parameters(),
                "linear", lin.parameters(), "batch norm", bn.parameters(), "relu", List.of(), "gelu", List.of());
        for (var layer : layers.entrySet()) {
            List<Parameter> own = params.get(layer.getKey());
            own.forEach(Parameter::zeroGrad);
            float[] added = new float[rows * 5];
            layer.getValue().accept(added, true);
            List<float[]> addedGrads = own.stream().map(q -> q.grad.clone()).toList();
            own.forEach(Parameter::zeroGrad);
            float[] written = randn(rnd, rows * 5, 3);
            layer.getValue().accept(written, false);
            org.junit.jupiter.api.Assertions.assertArrayEquals(added, written, layer.getKey());
            for (int i = 0; i < own.size(); i++) {
                org.junit.jupiter.api.Assertions.assertTrue(java.util.Arrays.stream(toDoubles(addedGrads.get(i))).anyMatch(g -> g != 0),
                        layer.getKey() + ": " + own.get(i).name() + " got no gradient");
                org.junit.jupiter.api.Assertions.assertArrayEquals(addedGrads.get(i), own.get(i).grad,
                        layer.getKey() + ": " + own.get(i).name() + " differs between the written and the added form");
            }
        }
    }

    private static double[] toDoubles(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }

    private interface Forward {
        float[] apply(float[] x);
    }

    private interface Backward {
        void apply(float[] dy, float[] dx);
    }

    private static GradCheck.Fn fn(Forward f, Backward b) {
        return new GradCheck.Fn() {
            public float[] forward(float[] x) {
                return f.apply(x);
            }

            public void backward(float[] dy, float[] dx) {
                b.apply(dy, dx);
            }
        };
    }
}
