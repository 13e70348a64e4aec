package dev.lmuformer.audio;

import dev.lmuformer.testing.Golden;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Self-consistency of {@link Fbank} at rates without golden data, and streaming against batch. */
class FbankTest {
    private static final float LOG_EPS = (float) Math.log(1.1920929e-07);

    @Test
    void fftMatchesDirectDft() {
        Random r = new Random(1);
        for (int n : new int[] {4, 8, 64, 512, 2048}) {
            double[] x = new double[n];
            for (int i = 0; i < n; i++) x[i] = r.nextGaussian();
            double[] power = new double[n / 2 + 1];
            new RealFft(n).power(x, new double[n], power);
            for (int k = 0; k <= n / 2; k++) {
                double re = 0;
                double im = 0;
                for (int t = 0; t < n; t++) {
                    re += x[t] * Math.cos(2 * Math.PI * k * t / n);
                    im -= x[t] * Math.sin(2 * Math.PI * k * t / n);
                }
                double exact = re * re + im * im;
                assertEquals(exact, power[k], 1e-9 * n * n, "n " + n + " bin " + k);
            }
        }
    }

    @Test
    void frameGeometryFollowsTorchaudioAtEveryRate() {
        // {rate, window, shift, fft}: 25 ms and 10 ms truncated, FFT the next power of two.
        int[][] cases = {{16000, 400, 160, 512}, {48000, 1200, 480, 2048}, {8000, 200, 80, 256},
            {44100, 1102, 441, 2048}, {22050, 551, 220, 1024}, {11025, 275, 110, 512}};
        for (int[] c : cases) {
            Fbank fb = new Fbank(c[0]);
            assertEquals(c[1], fb.windowLength(), "window at " + c[0]);
            assertEquals(c[2], fb.frameShift(), "shift at " + c[0]);
            assertEquals(c[3], fb.fftLength(), "fft at " + c[0]);
            assertEquals(0, fb.numFrames(c[1] - 1));
            assertEquals(1, fb.numFrames(c[1]));
            assertEquals(98, fb.numFrames(c[0]), "frames in one second at " + c[0]);
            assertEquals(98, fb.compute(new float[c[0]]).length);
            assertEquals(2, fb.compute(new float[c[1] + c[2]]).length);
        }
        assertThrows(IllegalArgumentException.class, () -> new Fbank(100));
    }

    @Test
    void pureToneAtABandCentrePeaksInThatBand() {
        for (int rate : new int[] {8000, 16000, 48000}) {
            Fbank fb = new Fbank(rate);
            double melLow = mel(20);
            double delta = (mel(rate / 2.0) - melLow) / 129;
            for (int band : new int[] {30, 64, 100}) {
                double hz = 700 * (Math.exp((melLow + (band + 1) * delta) / 1127) - 1);
                float[] tone = new float[rate / 2];
                for (int i = 0; i < tone.length; i++) tone[i] = (float) (0.5 * Math.sin(2 * Math.PI * hz * i / rate));
                for (float[] frame : fb.compute(tone)) {
                    int best = 0;
                    for (int j = 1; j < frame.length; j++) if (frame[j] > frame[best]) best = j;
                    assertEquals(band, best, String.format("%.1f Hz tone at %d Hz", hz, rate));
                    // The neighbours of the peak band are weaker but bands far away are far weaker.
                    assertTrue(frame[band] - frame[(band + 20) % 128] > 5, "energy spread at " + rate);
                }
            }
        }
    }

    @Test
    void silenceIsFlooredAtFloatEpsilon() {
        for (float[] frame : new Fbank(16000).compute(new float[1600])) {
            for (float v : frame) assertEquals(LOG_EPS, v, 0f);
        }
    }

    @Test
    void constantOffsetDoesNotChangeTheFilterbank() {
        // 16-bit-like samples plus 0.25 stay exact in float32, so only the filterbank's own
        // arithmetic can differ; per-frame DC removal must cancel the offset (REFERENCE.md §5).
        Random r = new Random(3);
        float[] w = new float[16000];
        float[] shifted = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (Math.round(3000 * Math.sin(i * 0.05) + 500 * r.nextGaussian()) / 32768.0);
            shifted[i] = w[i] + 0.25f;
        }
        Fbank fb = new Fbank(16000);
        FbankGoldenTest.assertAbsClose("offset 0.25", FbankGoldenTest.flatten(fb.compute(w)),
                FbankGoldenTest.flatten(fb.compute(shifted)), 1e-6);
    }

    @Test
    void streamingEqualsBatchForAnyChunkSize() {
        float[] golden = Golden.sharedOrNull() == null && !Golden.required() ? null
                : WavReader.read(Golden.file("wav/seven_slow_1300ms.wav")).samples();
        Random r = new Random(5);
        float[] noisy48k = new float[48000 + 123];
        for (int i = 0; i < noisy48k.length; i++) noisy48k[i] = (float) (0.1 * r.nextGaussian() + 0.3 * Math.sin(i * 0.01));
        List<float[]> inputs = new ArrayList<>();
        inputs.add(noisy48k);
        if (golden != null) inputs.add(golden);
        for (int k = 0; k < inputs.size(); k++) {
            float[] w = inputs.get(k);
            Fbank fb = new Fbank(k == 0 ? 48000 : 16000);
            float[] batch = FbankGoldenTest.flatten(fb.compute(w));
            for (int chunk : new int[] {1, 7, 160, 1000, w.length}) {
                List<float[]> frames = new ArrayList<>();
                Fbank.Stream s = fb.stream(f -> frames.add(f.clone()));
                for (int off = 0; off < w.length; off += chunk) s.push(w, off, Math.min(chunk, w.length - off));
                assertEquals(fb.numFrames(w.length), frames.size(), "frames, chunk " + chunk);
                assertEquals(frames.size(), s.frames());
                assertEquals(w.length, s.samples());
                FbankGoldenTest.assertAbsClose("stream chunk " + chunk + " input " + k, batch,
                        FbankGoldenTest.flatten(frames.toArray(new float[0][])), 1e-6);
            }
        }
    }

    @Test
    void streamEmitsEachFrameAsSoonAsItsWindowIsComplete() {
        Fbank fb = new Fbank(16000);
        List<float[]> frames = new ArrayList<>();
        Fbank.Stream s = fb.stream(f -> frames.add(f.clone()));
        s.push(new float[399]);
        assertEquals(0, frames.size());
        s.push(new float[1]);
        assertEquals(1, frames.size());
        s.push(new float[159]);
        assertEquals(1, frames.size());
        s.push(new float[1]);
        assertEquals(2, frames.size());
    }

    private static double mel(double hz) {
        return 1127 * Math.log(1 + hz / 700);
    }
}
