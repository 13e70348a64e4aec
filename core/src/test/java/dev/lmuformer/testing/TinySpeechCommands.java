package dev.lmuformer.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/** Writes small Speech Commands-layout trees and 16-bit PCM WAV files for the data tests. */
public final class TinySpeechCommands {
    private TinySpeechCommands() {
    }

    /**
     * Quarter seconds of chirps in noise at random levels, about a third of them near silence ({@code samples}
     * at {@code rate}): audio whose frames keep changing, so a random model's scores move and rules fire.
     */
    public static float[] busyAudio(int samples, int rate, long seed) {
        Random r = new Random(seed);
        float[] w = new float[samples];
        double gain = 0, pitch = 0;
        for (int i = 0; i < samples; i++) {
            if (i % (rate / 4) == 0) {
                gain = r.nextDouble() < 0.3 ? 0.001 : 0.3 * r.nextDouble();
                pitch = 200 + 2000 * r.nextDouble();
            }
            double t = (double) i / rate;
            w[i] = (float) (gain * (0.5 * r.nextGaussian() + Math.sin(2 * Math.PI * pitch * t * (1 + t % 0.25))));
        }
        return w;
    }

    /**
     * A 16-bit mono WAV of {@code samples} samples at {@code rate}: a sine whose frequency and
     * level depend on {@code seed}, over a little seeded noise, plus a DC offset.
     */
    public static void writeWav(Path file, int samples, int rate, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double f = 200 + 2000 * r.nextDouble();
        double a = 0.1 + 0.5 * r.nextDouble();
        short[] pcm = new short[samples];
        for (int i = 0; i < samples; i++) {
            double v = 0.05 + a * Math.sin(2 * Math.PI * f * i / rate) + 0.01 * (r.nextDouble() - 0.5);
            pcm[i] = (short) Math.max(-32768, Math.min(32767, Math.round(v * 32768)));
        }
        writePcm16(file, pcm, rate);
    }

    /** A 16-bit mono WAV holding {@code pcm}. */
    public static void writePcm16(Path file, short[] pcm, int rate) {
        ByteBuffer b = ByteBuffer.allocate(44 + 2 * pcm.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + 2 * pcm.length).put("WAVE".getBytes());
        b.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 1).putInt(rate).putInt(2 * rate)
                .putShort((short) 2).putShort((short) 16);
        b.put("data".getBytes()).putInt(2 * pcm.length);
        for (short s : pcm) b.putShort(s);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, b.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A tree under {@code root} with {@code perWord} clips of 0.3 s (16 kHz) in each of
     * {@code words}, named {@code <word>/s<k>_nohash_0.wav}: speaker s0 is listed for validation,
     * s1 for testing, the rest are train; {@code _background_noise_} holds one long clip.
     */
    public static Path create(Path root, List<String> words, int perWord) {
        StringBuilder val = new StringBuilder();
        StringBuilder test = new StringBuilder();
        long seed = 1;
        for (String w : words) {
            for (int k = 0; k < perWord; k++) {
                String rel = w + "/s" + k + "_nohash_0.wav";
                writeWav(root.resolve(rel), 4800, 16000, seed++);
                if (k == 0) val.append(rel).append('\n');
                if (k == 1) test.append(rel).append('\n');
            }
        }
        writeWav(root.resolve("_background_noise_/white_noise.wav"), 32000, 16000, seed);
        try {
            Files.writeString(root.resolve("validation_list.txt"), val);
            Files.writeString(root.resolve("testing_list.txt"), test);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return root;
    }
}
