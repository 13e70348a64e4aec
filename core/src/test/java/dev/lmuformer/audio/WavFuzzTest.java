package dev.lmuformer.audio;

import dev.lmuformer.testing.Fuzz;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 20,000 mutants of seven small WAVs (PCM 8 to 32 bits, float 32 and 64, 1 to 3 channels, an extra
 * LIST chunk): half are the generic byte corruptions of {@link Fuzz#binary} aimed at the RIFF and
 * fmt headers, half one to three WAV-aware corruptions (size and format fields set to extremes,
 * truncation, inserted and deleted spans, garbage after a header). Each either reads to a waveform
 * no longer than the file, or raises an {@link AudioFormatException} naming the source.
 */
class WavFuzzTest {
    private static final int CASES = 20_000;

    @Test
    void corruptedFilesOnlyRaiseAudioFormatException() {
        List<byte[]> seeds = seeds();
        Fuzz.run("wav", CASES, 20240611L, Duration.ofSeconds(30), rnd -> {
            byte[] seed = seeds.get(rnd.nextInt(seeds.size()));
            return rnd.nextBoolean() ? Fuzz.binary(seed, rnd, 0, 44) : mutate(seed, rnd);
        }, (mutant, i) -> {
            Waveform w;
            try {
                w = WavReader.read(mutant, "fuzz" + i);
            } catch (AudioFormatException e) {
                assertTrue(e.getMessage().startsWith("fuzz" + i + ": "), e.getMessage());
                throw e;
            }
            assertTrue(w.sampleRate() > 0 && w.samples().length <= mutant.length, "case " + i);
        }, AudioFormatException.class);
    }

    private static List<byte[]> seeds() {
        float[] sig = new float[64]; // [64]
        for (int i = 0; i < sig.length; i++) sig[i] = (float) Math.sin(i * 0.3) * 0.8f;
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(TestWavs.wav(sig, 16000, TestWavs.PCM, 16, 1, false));
        seeds.add(TestWavs.wav(sig, 8000, TestWavs.PCM, 8, 2, false));
        seeds.add(TestWavs.wav(sig, 44100, TestWavs.PCM, 24, 3, true));
        seeds.add(TestWavs.wav(sig, 48000, TestWavs.PCM, 32, 1, true));
        seeds.add(TestWavs.wav(sig, 22050, TestWavs.FLOAT, 32, 2, false));
        seeds.add(TestWavs.wav(sig, 96000, TestWavs.FLOAT, 64, 1, true));
        byte[] plain = seeds.get(0);
        seeds.add(TestWavs.riff(TestWavs.chunk("LIST", new byte[] {1, 2, 3, 4, 5}),
                Arrays.copyOfRange(plain, 12, 36), Arrays.copyOfRange(plain, 36, plain.length)));
        return seeds;
    }

    /** One to three random corruptions of {@code seed}. */
    private static byte[] mutate(byte[] seed, SplittableRandom r) {
        byte[] b = seed.clone();
        int rounds = 1 + r.nextInt(3);
        for (int k = 0; k < rounds && b.length > 0; k++) {
            switch (r.nextInt(6)) {
                case 0 -> b = Arrays.copyOf(b, r.nextInt(b.length + 1)); // truncate
                case 1 -> { // flip a few bytes
                    for (int j = 1 + r.nextInt(4); j > 0; j--) b[r.nextInt(b.length)] ^= (byte) (1 + r.nextInt(255));
                }
                case 2 -> { // rewrite a size or format field with an extreme or random value
                    int[] fields = {4, 16, 22, 24, 32, 34, 40};
                    int at = fields[r.nextInt(fields.length)];
                    int[] values = {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, r.nextInt(), r.nextInt(400), 0xFFFE};
                    if (at + 4 <= b.length) ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, values[r.nextInt(values.length)]);
                }
                case 3 -> { // insert random bytes
                    int at = r.nextInt(b.length + 1);
                    byte[] extra = new byte[1 + r.nextInt(9)];
                    r.nextBytes(extra);
                    byte[] grown = new byte[b.length + extra.length];
                    System.arraycopy(b, 0, grown, 0, at);
                    System.arraycopy(extra, 0, grown, at, extra.length);
                    System.arraycopy(b, at, grown, at + extra.length, b.length - at);
                    b = grown;
                }
                case 4 -> { // delete a span
                    int at = r.nextInt(b.length);
                    int len = Math.min(b.length - at, 1 + r.nextInt(12));
                    byte[] shrunk = new byte[b.length - len];
                    System.arraycopy(b, 0, shrunk, 0, at);
                    System.arraycopy(b, at + len, shrunk, at, b.length - at - len);
                    b = shrunk;
                }
                default -> { // random garbage after a valid or a broken header
                    byte[] g = new byte[r.nextInt(80)];
                    r.nextBytes(g);
                    if (r.nextBoolean() && g.length >= 12 && b.length >= 12) System.arraycopy(b, 0, g, 0, 12);
                    b = g;
                }
            }
        }
        return b;
    }
}
