package dev.lmuformer.audio;

import dev.lmuformer.engine.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ModelInputTest {
    private static final float PAD = (float) (6.845978 / (2 * 5.5654526)); // a zero log-mel value, normalised

    /** {@code [frames][bins]} with value t + j/100 at frame t, bin j. */
    private static float[][] ramp(int frames, int bins) {
        float[][] x = new float[frames][bins];
        for (int t = 0; t < frames; t++) for (int j = 0; j < bins; j++) x[t][j] = t + j / 100f;
        return x;
    }

    @Test
    void padsShortInputWithNormalisedZerosAtTheEnd() {
        Tensor out = ModelInput.DEFAULT.apply(ramp(30, 128), 128);
        assertArrayEquals(new int[] {128, 128}, out.shape());
        for (int t = 0; t < 128; t++) {
            for (int j = 0; j < 128; j++) {
                float expected = t < 30 ? (float) ((t + j / 100f + 6.845978) / (2 * 5.5654526)) : PAD;
                assertEquals(expected, out.data[t * 128 + j], 1e-6f, "frame " + t + " bin " + j);
            }
        }
    }

    @Test
    void cutsLongInputKeepingTheFirstFrames() {
        Tensor out = new ModelInput(50, 1.0, 0.5).apply(ramp(200, 4), 4);
        assertArrayEquals(new int[] {50, 4}, out.shape());
        assertEquals((49 + 0.03f - 1.0) / 1.0, out.data[49 * 4 + 3], 1e-6);
        assertEquals(-1.0, out.data[0], 1e-6);
    }

    @Test
    void emptyInputIsAllPadding() {
        Tensor out = ModelInput.DEFAULT.apply(new float[0][], 128);
        for (float v : out.data) assertEquals(PAD, v);
        // A clip shorter than one 25 ms window has no frames at all.
        Tensor tiny = ModelInput.DEFAULT.fromWaveform(new Waveform(new float[399], 16000));
        assertArrayEquals(out.data, tiny.data);
    }

    @Test
    void rejectsInconsistentArguments() {
        assertThrows(IllegalArgumentException.class, () -> ModelInput.DEFAULT.apply(ramp(3, 127), 128));
        assertThrows(IllegalArgumentException.class, () -> new ModelInput(0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new ModelInput(128, 0, 0));
    }
}
