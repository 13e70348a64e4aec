package dev.lmuformer.model;

import dev.lmuformer.checkpoint.Checkpoint;
import dev.lmuformer.nn.Parameter;
import dev.lmuformer.testing.GradCheck;
import dev.lmuformer.testing.TensorAssert;
import dev.lmuformer.train.Adam;
import dev.lmuformer.train.CrossEntropyLoss;
import dev.lmuformer.train.TrainStep;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** lra_lmu: padding and lengths, the two-tower combination, gradients, initialisation, checkpoints. */
class LraLmuTest {
    private static final int C = 8, VOCAB = 12, CLASSES = 3;

    @TempDir
    Path dir;

    private static LraLmu model(int towers, int depth) {
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("embed_dims", C);
        cfg.put("depths", depth);
        cfg.put("vocab_size", VOCAB);
        cfg.put("towers", towers);
        cfg.put("num_classes", CLASSES);
        cfg.put("seq_len", 16);
        cfg.put("theta", 12.0);
        LraLmu m = (LraLmu) Models.create(ModelConfig.fromMap(LraLmu.ARCH, cfg));
        Init.pytorchDefault(m, 3);
        Random rnd = new Random(4); // running statistics away from 0 and 1, so evaluation mode is not trivially the identity
        for (var bn : m.state().norms()) {
            for (int c = 0; c < bn.channels(); c++) {
                bn.runningMean[c] = (float) (rnd.nextGaussian() * 0.3);
                bn.runningVar[c] = (float) (0.5 + rnd.nextDouble());
            }
        }
        return m;
    }

    /** Token sequences padded with 0 to {@code frames}, as rows of [B, frames, 1]. */
    private static float[] tokens(int frames, int[]... sequences) {
        float[] x = new float[sequences.length * frames];
        for (int b = 0; b < sequences.length; b++) {
            for (int t = 0; t < sequences[b].length; t++) x[b * frames + t] = sequences[b][t];
        }
        return x;
    }

    private static int[] randomTokens(Random rnd, int n) {
        int[] s = new int[n];
        for (int i = 0; i < n; i++) s[i] = 1 + rnd.nextInt(VOCAB - 1);
        return s;
    }

    @Test
    void trailingPaddingChangesNoEvaluationLogitAndTheMeanUsesTheTrueLength() {
        LraLmu m = model(1, 2);
        Random rnd = new Random(5);
        int[][] seqs = {randomTokens(rnd, 10), randomTokens(rnd, 4), randomTokens(rnd, 7)};
        float[] batch = m.forward(tokens(10, seqs), 3, 10, false).clone();
        assertArrayEquals(new int[] {10, 4, 7}, m.lastLengths());
        for (int b = 0; b < seqs.length; b++) {
            float[] alone = m.forward(tokens(seqs[b].length, seqs[b]), 1, seqs[b].length, false);
            TensorAssert.assertTensorClose("sequence " + b + " alone vs padded in a batch", alone,
                    Arrays.copyOfRange(batch, b * CLASSES, (b + 1) * CLASSES), 1e-5);
        }
        float[] perFrame = m.allSeqLogits(tokens(10, seqs), 3, 10); // [N, B, classes]
        TensorAssert.assertTensorClose("streaming readout after the last frame", batch,
                Arrays.copyOfRange(perFrame, 9 * 3 * CLASSES, 10 * 3 * CLASSES), 1e-5);
        assertThrows(IllegalArgumentException.class, () -> m.forward(new float[] {1.5f, 2f}, 1, 2, false));
    }

    /**
     * Finite differences of every parameter except the convolution biases that a training-mode
     * batch norm follows (their gradient is exactly zero, so differences would be noise alone).
     * The input seeds are ones whose ReLU inputs stay at least 5·eps from the kink, which the test
     * checks first: a step across a kink is not what is under test.
     */
    @ParameterizedTest(name = "towers {0}, input seed {1}")
    @CsvSource({"1,36", "2,4"})
    void gradientsMatchFiniteDifferences(int towers, long seed) {
        LraLmu m = model(towers, 1);
        m.blocks.get(0).attn.lmu.wU.bias.data[0] = 1f; // most of the drive above its ReLU kink
        Random rnd = new Random(seed);
        int batch = 2, frames = 5 * towers;
        float[] x = new float[batch * frames];
        for (int s = 0; s < batch * towers; s++) {
            int len = 3 + rnd.nextInt(3); // some sequences padded
            for (int t = 0; t < len; t++) x[s * frames / towers + t] = 1 + rnd.nextInt(VOCAB - 1);
        }
        double eps = 1e-3;
        m.forward(x, batch, frames, true);
        var block = m.blocks.get(0);
        double clearance = Math.min(minAbs(block.attn.lmu.wU.output(), batch * frames),
                Math.min(minAbs(block.attn.lmu.wH.output(), batch * frames * C), minAbs(block.mlp.fc2Bn.output(), batch * frames * C)));
        assertTrue(clearance > 5 * eps, "ReLU inputs too close to the kink for finite differences: " + clearance);
        List<Parameter> params = m.state().parameters().stream().filter(p -> !p.name().endsWith("_conv.bias")).toList();
        GradCheck.check("lra_lmu towers " + towers, new GradCheck.Fn() {
            public float[] forward(float[] in) {
                return m.forward(in, batch, frames, true);
            }

            public void backward(float[] dy, float[] dx) {
                m.backward(dy);
            }
        }, x, batch * CLASSES, params, false, eps, 5e-3, 7);
    }

    private static double minAbs(float[] v, int n) {
        double min = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) min = Math.min(min, Math.abs(v[i]));
        return min;
    }

    @Test
    void theTwoTowerHeadReadsABProductAndDifference() {
        LraLmu m = model(2, 1);
        Random rnd = new Random(8);
        int[] a = randomTokens(rnd, 5), b = randomTokens(rnd, 3);
        float[] ab = tokens(5, a, b), ba = tokens(5, b, a); // one example: [doc1 | doc2] in 2×5 frames
        float[] w = m.head.weight.data; // [classes, 4C]
        Arrays.fill(m.head.bias.data, 0f);
        float[] saved = w.clone();
        for (int k = 0; k < CLASSES; k++) Arrays.fill(w, k * 4 * C, k * 4 * C + 2 * C, 0f); // keep a·b and a − b
        for (int k = 0; k < CLASSES; k++) Arrays.fill(w, k * 4 * C + 3 * C, (k + 1) * 4 * C, 0f); // a·b only
        TensorAssert.assertTensorClose("a·b is symmetric", m.forward(ab, 1, 10, false).clone(), m.forward(ba, 1, 10, false), 1e-6);
        System.arraycopy(saved, 0, w, 0, w.length);
        for (int k = 0; k < CLASSES; k++) Arrays.fill(w, k * 4 * C, k * 4 * C + 3 * C, 0f); // a − b only
        float[] forward = m.forward(ab, 1, 10, false).clone(), swapped = m.forward(ba, 1, 10, false);
        for (int k = 0; k < CLASSES; k++) assertEquals(-forward[k], swapped[k], 1e-5 * (1 + Math.abs(forward[k])), "a − b changes sign");
        assertArrayEquals(new int[] {3, 5}, m.lastLengths(), "the lengths of the last input's two documents");
        assertThrows(UnsupportedOperationException.class, () -> m.allSeqLogits(ab, 1, 10));
        assertThrows(IllegalArgumentException.class, () -> m.forward(new float[] {1, 2, 3}, 1, 3, false), "odd length for two towers");
    }

    @Test
    void thePaddingRowStartsAtZeroAndStaysThereThroughTraining() {
        LraLmu m = model(1, 1);
        float[] e = m.embedding.weight.data;
        double sq = 0;
        for (int i = C; i < e.length; i++) sq += e[i] * e[i];
        assertEquals(1.0, Math.sqrt(sq / (e.length - C)), 0.25, "standard normal rows");
        Random rnd = new Random(9);
        float[] x = tokens(6, randomTokens(rnd, 6), randomTokens(rnd, 2));
        TrainStep step = new TrainStep(m, new CrossEntropyLoss(), new Adam(m.state().parameters(), 0.1, 0.9, 0.999, 1e-8, 0));
        float[] before = e.clone();
        for (int i = 0; i < 3; i++) step.run(x, CrossEntropyLoss.oneHot(new int[] {0, 2}, CLASSES), 2, 6);
        for (int c = 0; c < C; c++) assertEquals(0f, e[c], "padding row");
        assertNotEquals(Arrays.toString(Arrays.copyOfRange(before, C, 2 * C)), Arrays.toString(Arrays.copyOfRange(e, C, 2 * C)),
                "used rows learn");
    }

    @Test
    void checkpointsKeepVocabularyAndTowers() {
        LraLmu m = model(2, 2);
        Path file = dir.resolve("lra.safetensors");
        Checkpoint.save(file, m, Map.of("task", "retrieval"));
        Checkpoint.Loaded loaded = Checkpoint.load(file);
        assertEquals(m.config(), loaded.model().config());
        assertEquals("retrieval", loaded.metadata().get("task"));
        Random rnd = new Random(10);
        float[] x = tokens(8, randomTokens(rnd, 8), randomTokens(rnd, 5));
        assertArrayEquals(m.forward(x, 1, 16, false).clone(), loaded.model().forward(x, 1, 16, false));
        assertTrue(m.steps().stream().anyMatch(l -> l.kind() == ForwardStep.Kind.EMBEDDING && l.in() == VOCAB));
        Parameter head = m.state().parameters().get(m.state().parameters().size() - 2);
        assertArrayEquals(new int[] {CLASSES, 4 * C}, head.shape(), "the head reads [a, b, a·b, a − b]");
    }
}
