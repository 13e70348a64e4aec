package dev.lmuformer.engine;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static dev.lmuformer.testing.TensorAssert.assertTensorClose;

/** Winograd F(4,3) equals the direct "same" convolution: forward, input gradient and weight gradient. */
@Tag("kernels")
class WinogradTest {

    @ParameterizedTest(name = "B={0} N={1} I={2} O={3}")
    @CsvSource({"1,1,3,2", "2,5,4,7", "3,13,17,9", "2,128,32,32", "1,7,40,33"})
    void matchesDirectConvolution(int batch, int frames, int in, int out) {
        Random rnd = new Random(frames * 31L + in);
        float[] x = GemmTest.random(rnd, batch * frames * in);
        float[] w = GemmTest.random(rnd, out * in * 3);
        float[] dy = GemmTest.random(rnd, batch * frames * out);
        float[] y = new float[batch * frames * out];
        float[] dx = new float[batch * frames * in];
        float[] yRef = new float[y.length];
        float[] dxRef = new float[dx.length];
        float[] dwRef = new float[w.length];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < frames; t++) {
                for (int s = 0; s < 3; s++) {
                    int src = t + s - 1;
                    if (src < 0 || src >= frames) continue;
                    for (int o = 0; o < out; o++) {
                        for (int i = 0; i < in; i++) {
                            float wv = w[(o * in + i) * 3 + s];
                            yRef[(b * frames + t) * out + o] += wv * x[(b * frames + src) * in + i];
                            dxRef[(b * frames + src) * in + i] += wv * dy[(b * frames + t) * out + o];
                            dwRef[(o * in + i) * 3 + s] += dy[(b * frames + t) * out + o] * x[(b * frames + src) * in + i];
                        }
                    }
                }
            }
        }
        Winograd.Workspace ws = new Winograd.Workspace();
        java.util.Arrays.fill(y, 1f);
        Winograd.conv3(x, batch, frames, in, out, Winograd.transformWeights(w, out, in, false, ws), y, false, ws);
        assertTensorClose("forward", yRef, y, 1e-5);
        float[] dwAfterForward = new float[w.length]; // reuses the forward's transform of x
        Winograd.weightGradient(x, dy, batch, frames, in, out, dwAfterForward, true, ws);
        java.util.Arrays.fill(dx, 0.5f);
        Winograd.conv3(dy, batch, frames, out, in, Winograd.transformWeights(w, out, in, true, ws), dx, true, ws);
        for (int i = 0; i < dx.length; i++) dx[i] -= 0.5f;
        assertTensorClose("input gradient", dxRef, dx, 1e-5);
        float[] dw = new float[w.length];
        java.util.Arrays.fill(dw, 0.25f);
        Winograd.weightGradient(x, dy, batch, frames, in, out, dw, false, ws); // the workspace last transformed dy: x again
        float[] dwFresh = new float[w.length];
        Winograd.weightGradient(x, dy, batch, frames, in, out, dwFresh, false, new Winograd.Workspace());
        for (int i = 0; i < dw.length; i++) dw[i] -= 0.25f;
        assertTensorClose("weight gradient", dwRef, dw, 1e-5);
        org.junit.jupiter.api.Assertions.assertArrayEquals(dwFresh, dwAfterForward, "weight gradient with the forward's transform");
    }
}
