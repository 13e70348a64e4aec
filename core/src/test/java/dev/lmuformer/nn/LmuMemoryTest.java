package dev.lmuformer.nn;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static dev.lmuformer.testing.TensorAssert.assertTensorClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Both parallel forms of the LMU memory equal the recurrence m_t = Ā m_{t−1} + B̄ u_t, and their backward is the exact adjoint. */
@Tag("kernels")
class LmuMemoryTest {

    @ParameterizedTest(name = "D={0} N={1} theta={2}")
    @CsvSource({"8,13,13", "32,128,128", "17,40,25.5", "64,200,128"})
    void toeplitzAndFftEqualTheRecurrence(int d, int frames, double theta) {
        Random rnd = new Random(d * 1000L + frames);
        int batch = 3;
        LmuMatrices mats = LmuMatrices.discretise(d, theta);
        LmuMemory memory = new LmuMemory(mats.impulseResponse(frames), d, frames);
        float[] u = new float[batch * frames];
        for (int i = 0; i < u.length; i++) u[i] = (float) rnd.nextGaussian();
        double[] ref = LmuMemory.recurrence(u, batch, frames, mats.aBar(), mats.bBar(), d);
        float[] expected = new float[ref.length];
        for (int i = 0; i < ref.length; i++) expected[i] = (float) ref[i];
        for (LmuMemory.Method method : LmuMemory.Method.values()) {
            int ldm = d + 3; // strided rows, as inside the cell's [m ; x] buffer
            float[] m = new float[batch * frames * ldm];
            memory.forward(method, u, batch, frames, m, ldm);
            float[] dense = new float[batch * frames * d];
            for (int r = 0; r < batch * frames; r++) System.arraycopy(m, r * ldm, dense, r * d, d);
            // H is built in float32 by repeated products, so allow float32 drift over N steps.
            assertTensorClose(method + " vs recurrence", expected, dense, 2e-5);
        }
    }

    @ParameterizedTest(name = "adjoint D={0} N={1}")
    @CsvSource({"8,13", "32,64"})
    void backwardIsTheAdjointOfForward(int d, int frames) {
        Random rnd = new Random(3);
        int batch = 2;
        LmuMemory memory = new LmuMemory(LmuMatrices.discretise(d, frames).impulseResponse(frames), d, frames);
        float[] u = new float[batch * frames];
        float[] g = new float[batch * frames * d];
        for (int i = 0; i < u.length; i++) u[i] = (float) rnd.nextGaussian();
        for (int i = 0; i < g.length; i++) g[i] = (float) rnd.nextGaussian();
        for (LmuMemory.Method method : LmuMemory.Method.values()) {
            float[] m = new float[g.length];
            memory.forward(method, u, batch, frames, m, d);
            float[] du = new float[u.length];
            memory.backward(method, g, d, batch, frames, du);
            double lhs = 0, rhs = 0;
            for (int i = 0; i < g.length; i++) lhs += (double) m[i] * g[i];
            for (int i = 0; i < u.length; i++) rhs += (double) u[i] * du[i];
            assertEquals(lhs, rhs, 1e-4 * Math.abs(lhs) + 1e-4, method + ": <M u, g> = <u, Mᵀ g>");
        }
    }
}
