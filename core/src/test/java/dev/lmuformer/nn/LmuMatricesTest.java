package dev.lmuformer.nn;

import dev.lmuformer.io.Safetensors;
import dev.lmuformer.testing.Golden;
import dev.lmuformer.testing.TensorAssert;
import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LmuMatricesTest {
    private static final Pattern KEY = Pattern.compile("d(\\d+)_theta(\\d+)\\.A");

    private static double relError(double[] expected, double[] actual) {
        assertEquals(expected.length, actual.length);
        double worst = 0;
        double scale = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        return worst / scale;
    }

    @Test
    void continuousMatricesFollowTheFormula() {
        double[] a = LmuMatrices.continuousA(3, 2);
        // rows i: (2i+1)/θ · [(-1)^(i-j+1) for j ≤ i, -1 for j > i]
        assertArrayEquals(new double[] {-0.5, -0.5, -0.5, 1.5, -1.5, -1.5, -2.5, 2.5, -2.5}, a, 0);
        assertArrayEquals(new double[] {0.5, -1.5, 2.5}, LmuMatrices.continuousB(3, 2), 0);
    }

    @Test
    void expmOfDiagonalAndNilpotentMatrices() {
        // diag(1, -2) scaled up so that squaring is exercised
        double[] e = LmuMatrices.expm(new double[] {10, 0, 0, -20}, 2);
        assertEquals(Math.exp(10), e[0], Math.exp(10) * 1e-14);
        assertEquals(Math.exp(-20), e[3], Math.exp(-20) * 1e-12);
        // exp([[0, 3], [0, 0]]) = [[1, 3], [0, 1]]
        assertArrayEquals(new double[] {1, 3, 0, 1}, LmuMatrices.expm(new double[] {0, 3, 0, 0}, 2), 1e-14);
    }

    @Test
    void matchesScipyZeroOrderHold() {
        Safetensors g = Golden.tensors("lmu_matrices.safetensors");
        int checked = 0;
        for (String name : g.names()) {
            Matcher m = KEY.matcher(name);
            if (!m.matches()) continue;
            int d = Integer.parseInt(m.group(1));
            double theta = Double.parseDouble(m.group(2));
            long t0 = System.nanoTime();
            LmuMatrices lmu = LmuMatrices.discretise(d, theta);
            double ms = (System.nanoTime() - t0) / 1e6;
            String prefix = name.substring(0, name.length() - 2);
            double ea = relError(g.doubles(prefix + ".A"), lmu.aBar());
            double eb = relError(g.doubles(prefix + ".B"), lmu.bBar());
            System.out.printf("LmuMatrices d=%d theta=%.0f: A rel %.2e, B rel %.2e, %.0f ms%n", d, theta, ea, eb, ms);
            assertTrue(ea < 1e-9, prefix + " A rel error " + ea);
            assertTrue(eb < 1e-9, prefix + " B rel error " + eb);
            checked++;
        }
        assertEquals(5, checked, "(d, theta) pairs in lmu_matrices.safetensors");
    }

    @Test
    void impulseResponseIsTheRecurrence() {
        LmuMatrices lmu = LmuMatrices.discretise(6, 10);
        float[] h = lmu.impulseResponse(5);
        double[] a = lmu.aBar();
        double[] col = lmu.bBar();
        for (int t = 0; t < 5; t++) {
            for (int i = 0; i < 6; i++) assertEquals(col[i], h[i * 5 + t], 1e-6 * Math.abs(col[i]) + 1e-7);
            double[] next = new double[6];
            for (int i = 0; i < 6; i++) for (int k = 0; k < 6; k++) next[i] += a[i * 6 + k] * col[k];
            col = next;
        }
    }

    @Test
    void impulseResponseMatchesTheReferenceBuffers() {
        check("full/lmu_rnn_conv1d.safetensors", "state.block.0.attn.lmu.", 128);
        check("compact/lmu_rnn_conv1d.dim32.safetensors", "state.block.0.attn.lmu.", 128);
        check("psmnist/psmnist_lmu.safetensors", "state.lmu_fft.", 784);
    }

    private static void assertUlpClose(String label, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, label);
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Math.abs(expected[i] - actual[i]) <= Math.ulp(expected[i]), label + " [" + i + "]: " + expected[i] + " vs " + actual[i]);
        }
    }

    private static void check(String file, String prefix, double theta) {
        Safetensors g = Golden.tensors(file);
        int[] shape = g.shape(prefix + "H");
        LmuMatrices lmu = LmuMatrices.discretise(shape[0], theta);
        // The reference's float32 buffers A and B are Ā and B̄ rounded once (our double differs
        // from scipy's by ~1e-13, which can move a rounding by one ulp).
        assertUlpClose(file + " A", g.tensor(prefix + "A").data, lmu.aBarFloat());
        assertUlpClose(file + " B", g.tensor(prefix + "B").data, lmu.bBarFloat());
        float[] expected = g.tensor(prefix + "H").data;
        float[] h = lmu.impulseResponse(shape[1]);
        System.out.printf("LmuMatrices H vs %s: rel %.2e%n", file, TensorAssert.relError(expected, h));
        // Both sides are float32 recurrences with different roundings (see impulseResponse).
        TensorAssert.assertTensorClose(file + " H", expected, h, 1e-5);
    }
}
