package dev.lmuformer.audio;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResamplerTest {
    /** {@code [seconds · rate]} samples of {@code amp · sin(2π hz t)}. */
    private static float[] sine(double hz, double amp, int rate, double seconds) {
        float[] x = new float[(int) Math.round(seconds * rate)];
        for (int i = 0; i < x.length; i++) x[i] = (float) (amp * Math.sin(2 * Math.PI * hz * i / rate));
        return x;
    }

    /** Largest deviation from the analytic sine, away from the edges where the input stops. */
    private static double interiorError(float[] y, double hz, double amp, int rate) {
        int margin = rate / 100; // 10 ms, longer than the filter's half-length
        double worst = 0;
        for (int i = margin; i < y.length - margin; i++) {
            worst = Math.max(worst, Math.abs(y[i] - amp * Math.sin(2 * Math.PI * hz * i / rate)));
        }
        return worst;
    }

    private static double interiorRms(float[] y, int rate) {
        int margin = rate / 100;
        double sum = 0;
        for (int i = margin; i < y.length - margin; i++) sum += (double) y[i] * y[i];
        return Math.sqrt(sum / (y.length - 2 * margin));
    }

    @Test
    void keepsAOneKilohertzSineAtEveryRatio() {
        for (int from : new int[] {48000, 8000, 44100, 22050, 16000}) {
            float[] y = new Resampler(from, 16000).apply(sine(1000, 0.5, from, 0.5));
            assertEquals(8000, y.length, "length from " + from);
            double err = interiorError(y, 1000, 0.5, 16000);
            assertTrue(err < 5e-4, "error " + err + " from " + from);
        }
    }

    @Test
    void suppressesWhatWouldAliasWhenDownsampling() {
        for (double hz : new double[] {8600, 12000, 20000}) {
            float[] y = new Resampler(48000, 16000).apply(sine(hz, 0.5, 48000, 0.5));
            double rms = interiorRms(y, 16000);
            assertTrue(rms < 0.5 / Math.sqrt(2) * 1e-3, hz + " Hz leaks with rms " + rms);
        }
        // Just inside the pass band the tone survives.
        float[] y = new Resampler(48000, 16000).apply(sine(7000, 0.5, 48000, 0.5));
        assertEquals(0.5 / Math.sqrt(2), interiorRms(y, 16000), 0.01);
    }

    @Test
    void upsamplingLeavesNoImages() {
        float[] y = new Resampler(8000, 48000).apply(sine(3000, 0.5, 8000, 0.5));
        assertTrue(interiorError(y, 3000, 0.5, 48000) < 5e-4, "3 kHz tone upsampled to 48 kHz");
    }

    @Test
    void waveformApiChecksAndSkipsRates() {
        Waveform w = new Waveform(sine(440, 0.3, 22050, 0.1), 22050);
        assertSame(w, Resampler.toRate(w, 22050));
        Waveform out = Resampler.toRate(w, 16000);
        assertEquals(16000, out.sampleRate());
        assertEquals(1600, out.samples().length);
        assertThrows(IllegalArgumentException.class, () -> new Resampler(8000, 16000).apply(w));
        assertThrows(IllegalArgumentException.class, () -> new Resampler(0, 16000));
        assertEquals(0, new Resampler(48000, 16000).apply(new float[0]).length);
    }
}
