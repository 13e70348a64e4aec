package dev.lmuformer.model;

import dev.lmuformer.data.Batch;
import dev.lmuformer.data.BatchSource;
import dev.lmuformer.nn.Conv1d;
import dev.lmuformer.train.BceWithLogitsLoss;
import dev.lmuformer.train.TrainConfig;
import dev.lmuformer.train.Training;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The patch embedding's k=3 weight gradients (Winograd F(4,3)) in a real training step against
 * float64: one step of a width-64 {@code lmu_rnn_conv1d} on a batch of 128 bundled clips (a depth
 * of 16,384 rows), and a float64 replay of the patch embedding from the same input, weights and
 * output gradient.
 *
 * <p>The cause of the errors of 1e-4 to 2e-3 that such a comparison shows in some steps is a ReLU
 * kink, not the convolutions: a pre-activation within float32 rounding of zero takes the other side
 * of the ReLU than in float64, and the gradient of every layer below it moves by that element's full
 * gradient. Replayed with the ReLU sides the float32 forward took, every layer agrees to a few 1e-7;
 * and where no ReLU at or above a layer changed side, that layer agrees without the replay's help.
 */
class PatchEmbedGradientPrecisionTest {
    private static final int WIDTH = 64;
    /** Relative L2 error within which a weight gradient counts as exact for float32. */
    private static final double EXACT = 1e-5;

    @Test
    void winogradWeightGradientsAreExactUpToReluKinks() throws Exception {
        Path data = Path.of("../data/keywords");
        assertTrue(Files.isDirectory(data), "the bundled keyword set is part of the repository: " + data.toAbsolutePath());
        TrainConfig c = new TrainConfig().set("model", "lmu_rnn_conv1d").set("dim", WIDTH).set("mixup", 0).set("batch_size", 128);
        Training training = Training.speechCommands(c, data);
        LmuRnnConv1d model = (LmuRnnConv1d) training.model();
        BatchSource batches = training.trainingBatches(1);
        try {
            for (int index = 1; index <= 2; index++) check(model, batches.batch(0, index), index);
        } finally {
            if (batches instanceof AutoCloseable a) a.close();
        }
    }

    private static void check(LmuRnnConv1d model, Batch batch, int index) {
        Step step = Step.run(model, batch);
        ConvPatchEmbed pe = model.patchEmbed;
        Replay exact = Replay.of(step, pe, null);
        Replay withFloatSides = Replay.of(step, pe, step.preActivations);
        Conv1d[] convs = {pe.convs[0], pe.convs[1], pe.convs[2], pe.convs[3], pe.rpe};
        String[] names = {"conv_layers.0", "conv_layers.1", "conv_layers.2", "conv_layers.3", "rpe_conv"};
        int[] flips = new int[4];
        for (int k = 0; k < 4; k++) {
            for (int j = 0; j < exact.preActivations[k].length; j++) {
                if ((step.preActivations[k][j] > 0) != (exact.preActivations[k][j] > 0)) flips[k]++;
            }
        }
        for (int k = 0; k < convs.length; k++) {
            float[] grad = convs[k].weight.grad;
            double error = relativeL2(grad, exact.weightGradients[k]);
            double resolved = relativeL2(grad, withFloatSides.weightGradients[k]);
            int flipsAtOrAbove = 0;
            for (int j = k; j < 4; j++) flipsAtOrAbove += flips[j];
            System.out.printf("batch %d, patch_embed.%s.weight: relative L2 error %.2e against float64 (%d ReLU inputs at or above changed side),"
                    + " %.2e with the float32 sides%n", index, names[k], error, flipsAtOrAbove, resolved);
            assertTrue(resolved <= EXACT, names[k] + ": " + resolved + " with the float32 ReLU sides");
            if (flipsAtOrAbove == 0) assertTrue(error <= EXACT, names[k] + ": " + error + " though no ReLU changed side");
        }
    }

    private static double relativeL2(float[] a, double[] ref) {
        double num = 0, den = 0;
        for (int i = 0; i < ref.length; i++) {
            double e = a[i] - ref[i];
            num += e * e;
            den += ref[i] * ref[i];
        }
        return Math.sqrt(num / den);
    }

    /** One training step in float32, layer by layer through the patch embedding, keeping each convolution's input and output gradient. */
    private record Step(int batch, int frames, int features, float[] input, float[][] preActivations, float[] outputGradient) {
        static Step run(LmuRnnConv1d model, Batch b) {
            int batch = b.size(), frames = b.inputs().dim(1), features = b.inputs().dim(2), rows = batch * frames;
            ConvPatchEmbed pe = model.patchEmbed;
            float[][] pre = new float[4][];
            float[] h = b.inputs().data;
            for (int i = 0; i < 4; i++) {
                h = pe.convs[i].forward(h, batch, frames);
                pre[i] = h.clone();
                h = pe.relus[i].forward(h, rows * WIDTH);
                h = pe.norms[i].forward(h, rows, true);
            }
            float[] a = h;
            float[] r = pe.rpe.forward(a, batch, frames);
            float[] features0 = new float[rows * WIDTH];
            for (int i = 0; i < features0.length; i++) features0[i] = a[i] + r[i];
            float[] f = features0;
            for (var block : model.blocks) f = block.forward(f, batch, frames, true);
            float[] logits = model.head.forward(f, batch, frames, true);
            float[] dLogits = new float[logits.length];
            new BceWithLogitsLoss().backward(logits, b.targets().data, batch, model.numClasses(), dLogits);
            model.zeroGrad();
            float[] d = new float[rows * WIDTH];
            model.head.backward(dLogits, d);
            for (int j = model.blocks.size() - 1; j >= 0; j--) {
                float[] dIn = new float[rows * WIDTH];
                model.blocks.get(j).backward(d, dIn, false);
                d = dIn;
            }
            float[] out = d.clone();
            float[] dA = d.clone();
            pe.rpe.backward(d, dA, true);
            for (int i = 3; i >= 0; i--) {
                float[] dRelu = new float[rows * WIDTH];
                pe.norms[i].backward(dA, dRelu);
                float[] dConv = new float[rows * WIDTH];
                pe.relus[i].backward(dRelu, dConv);
                float[] dx = i > 0 ? new float[rows * WIDTH] : null;
                pe.convs[i].backward(dConv, dx, false);
                dA = dx;
            }
            return new Step(batch, frames, features, b.inputs().data.clone(), pre, out);
        }
    }

    /**
     * The patch embedding in float64 from the step's input, weights and output gradient: each
     * convolution's pre-activations and weight gradient. With {@code sides}, each ReLU passes the
     * gradient where those (float32) pre-activations are positive instead of its own.
     */
    private record Replay(double[][] preActivations, double[][] weightGradients) {
        static Replay of(Step s, ConvPatchEmbed pe, float[][] sides) {
            int rows = s.batch() * s.frames();
            double[][] inputs = new double[5][];
            double[][] pre = new double[4][];
            double[][] normalised = new double[4][];
            double[][] invStd = new double[4][];
            double[] h = new double[s.input().length];
            for (int i = 0; i < h.length; i++) h[i] = s.input()[i];
            for (int i = 0; i < 4; i++) {
                inputs[i] = h;
                pre[i] = convForward(h, s, i == 0 ? s.features() : WIDTH, pe.convs[i].weight.data);
                double[] relu = new double[pre[i].length];
                for (int j = 0; j < relu.length; j++) relu[j] = Math.max(0, pre[i][j]);
                invStd[i] = new double[WIDTH];
                normalised[i] = normalise(relu, rows, invStd[i]);
                float[] gamma = pe.norms[i].weight.data, beta = pe.norms[i].bias.data;
                h = new double[relu.length];
                for (int j = 0; j < h.length; j++) h[j] = gamma[j % WIDTH] * normalised[i][j] + beta[j % WIDTH];
            }
            inputs[4] = h;
            double[][] grads = new double[5][];
            double[] dz = new double[s.outputGradient().length];
            for (int i = 0; i < dz.length; i++) dz[i] = s.outputGradient()[i];
            grads[4] = weightGradient(inputs[4], dz, s, WIDTH);
            double[] dA = convInputGradient(dz, s, WIDTH, pe.rpe.weight.data);
            for (int j = 0; j < dA.length; j++) dA[j] += dz[j];
            for (int i = 3; i >= 0; i--) {
                float[] gamma = pe.norms[i].weight.data;
                for (int j = 0; j < dA.length; j++) dA[j] *= gamma[j % WIDTH];
                double[] dy = normaliseBackward(dA, normalised[i], invStd[i], rows);
                for (int j = 0; j < dy.length; j++) if (!(sides == null ? pre[i][j] > 0 : sides[i][j] > 0)) dy[j] = 0;
                int in = i == 0 ? s.features() : WIDTH;
                grads[i] = weightGradient(inputs[i], dy, s, in);
                if (i > 0) dA = convInputGradient(dy, s, in, pe.convs[i].weight.data);
            }
            return new Replay(pre, grads);
        }

        /** y[b,t,o] = Σ_s Σ_i W[o,i,s] x[b,t+s−1,i], zeros outside the sequence. */
        private static double[] convForward(double[] x, Step s, int in, float[] w) {
            double[] y = new double[s.batch() * s.frames() * WIDTH];
            forEachTap(s, (yRow, xRow, tap) -> {
                for (int o = 0; o < WIDTH; o++) {
                    double acc = 0;
                    for (int i = 0; i < in; i++) acc += w[(o * in + i) * 3 + tap] * x[xRow * in + i];
                    y[yRow * WIDTH + o] += acc;
                }
            });
            return y;
        }

        private static double[] convInputGradient(double[] dy, Step s, int in, float[] w) {
            double[] dx = new double[s.batch() * s.frames() * in];
            forEachTap(s, (yRow, xRow, tap) -> {
                for (int o = 0; o < WIDTH; o++) {
                    double g = dy[yRow * WIDTH + o];
                    for (int i = 0; i < in; i++) dx[xRow * in + i] += g * w[(o * in + i) * 3 + tap];
                }
            });
            return dx;
        }

        private static double[] weightGradient(double[] x, double[] dy, Step s, int in) {
            double[] dw = new double[WIDTH * in * 3];
            forEachTap(s, (yRow, xRow, tap) -> {
                for (int o = 0; o < WIDTH; o++) {
                    double g = dy[yRow * WIDTH + o];
                    if (g == 0) continue;
                    for (int i = 0; i < in; i++) dw[(o * in + i) * 3 + tap] += g * x[xRow * in + i];
                }
            });
            return dw;
        }

        private interface TapVisitor {
            void visit(int outputRow, int inputRow, int tap);
        }

        private static void forEachTap(Step s, TapVisitor v) {
            for (int b = 0; b < s.batch(); b++) {
                for (int t = 0; t < s.frames(); t++) {
                    for (int tap = 0; tap < 3; tap++) {
                        int from = t + tap - 1;
                        if (from >= 0 && from < s.frames()) v.visit(b * s.frames() + t, b * s.frames() + from, tap);
                    }
                }
            }
        }

        /** Training-mode batch norm without its affine part: x̂ (biased variance, eps 1e-5); fills 1/σ. */
        private static double[] normalise(double[] x, int rows, double[] invStd) {
            double[] mean = new double[WIDTH];
            double[] var = new double[WIDTH];
            for (int j = 0; j < x.length; j++) mean[j % WIDTH] += x[j] / rows;
            for (int j = 0; j < x.length; j++) var[j % WIDTH] += (x[j] - mean[j % WIDTH]) * (x[j] - mean[j % WIDTH]) / rows;
            for (int c = 0; c < WIDTH; c++) invStd[c] = 1 / Math.sqrt(var[c] + 1e-5);
            double[] y = new double[x.length];
            for (int j = 0; j < x.length; j++) y[j] = (x[j] - mean[j % WIDTH]) * invStd[j % WIDTH];
            return y;
        }

        /** dx = (g − mean(g) − x̂·mean(g·x̂)) / σ for g the gradient at x̂. */
        private static double[] normaliseBackward(double[] g, double[] xHat, double[] invStd, int rows) {
            double[] m1 = new double[WIDTH];
            double[] m2 = new double[WIDTH];
            for (int j = 0; j < g.length; j++) {
                m1[j % WIDTH] += g[j] / rows;
                m2[j % WIDTH] += g[j] * xHat[j] / rows;
            }
            double[] dx = new double[g.length];
            for (int j = 0; j < g.length; j++) dx[j] = invStd[j % WIDTH] * (g[j] - m1[j % WIDTH] - xHat[j] * m2[j % WIDTH]);
            return dx;
        }
    }
}
