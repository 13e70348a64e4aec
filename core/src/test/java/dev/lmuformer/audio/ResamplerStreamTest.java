package dev.lmuformer.audio;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The streaming resampler writes what {@link Resampler#apply} computes on the whole input, bit for bit, however it is chunked. */
class ResamplerStreamTest {

    private static float[] signal(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (0.3 * Math.sin(i * 0.05) + 0.2 * (r.nextDouble() - 0.5));
        return x;
    }

    /** Pushes {@code x} in chunks of {@code chunk} (0: random lengths up to 5000), then finishes. */
    private static float[] streamed(Resampler.Stream s, float[] x, int chunk, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] all = new float[0];
        int total = 0;
        for (int at = 0; at < x.length; ) {
            int len = Math.min(x.length - at, chunk > 0 ? chunk : r.nextInt(5000));
            float[] out = new float[s.maxOutput(len)];
            int n = s.push(x, at, len, out, 0);
            assertTrue(n <= out.length);
            all = Arrays.copyOf(all, total + n);
            System.arraycopy(out, 0, all, total, n);
            total += n;
            at += len;
        }
        float[] out = new float[s.maxOutput(0)];
        int n = s.finish(out, 0);
        all = Arrays.copyOf(all, total + n);
        System.arraycopy(out, 0, all, total, n);
        return all;
    }

    @ParameterizedTest(name = "{0} -> {1} Hz")
    @CsvSource({"8000, 16000", "11025, 16000", "22050, 16000", "44100, 16000", "48000, 16000", "16000, 8000", "16000, 16000"})
    void anyChunkingGivesApplysSamples(int from, int to) {
        Resampler rs = new Resampler(from, to);
        float[] x = signal(from * 2 + 123, from);
        float[] whole = rs.apply(x);
        for (int chunk : new int[]{1, 160, 3200, 0, x.length}) {
            assertArrayEquals(whole, streamed(rs.stream(), x, chunk, chunk + 1), "chunks of " + chunk);
        }
        Resampler.Stream s = rs.stream();
        streamed(s, signal(999, 1), 77, 2);
        s.reset();
        assertArrayEquals(whole, streamed(s, x, 441, 3), "after reset");
    }

    @Test
    void badArgumentsAreRefused() {
        Resampler.Stream s = new Resampler(48000, 16000).stream();
        float[] x = new float[100];
        assertThrows(IllegalArgumentException.class, () -> s.maxOutput(-1));
        assertThrows(IndexOutOfBoundsException.class, () -> s.push(x, 50, 60, new float[1000], 0));
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class, () -> s.push(x, 0, 100, new float[2], 0));
        assertTrue(small.getMessage().contains("room for"), small.getMessage());
        s.finish(new float[s.maxOutput(0)], 0);
        assertThrows(IllegalStateException.class, () -> s.push(x, 0, 10, new float[s.maxOutput(10)], 0));
    }
}
