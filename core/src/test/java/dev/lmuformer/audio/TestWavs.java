package dev.lmuformer.audio;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static java.nio.charset.StandardCharsets.US_ASCII;

/** Writes small WAV files for the reader's tests. */
final class TestWavs {
    static final int PCM = 1;
    static final int FLOAT = 3;

    private TestWavs() {
    }

    /**
     * A WAV of {@code channels} interleaved channels; channel c holds {@code signal[i] * (c + 1) / channels}
     * (channel 0 is the one the reader must return, scaled down so it differs from the others).
     *
     * @param signal     {@code [frames]} values in [-1, 1)
     * @param extensible write WAVE_FORMAT_EXTENSIBLE with the format in the sub-format GUID
     */
    static byte[] wav(float[] signal, int rate, int tag, int bits, int channels, boolean extensible) {
        ByteBuffer data = ByteBuffer.allocate(signal.length * channels * bits / 8).order(ByteOrder.LITTLE_ENDIAN);
        for (float s : signal) {
            for (int c = 0; c < channels; c++) put(data, tag, bits, c == 0 ? s / channels : s * (c + 1) / channels);
        }
        ByteBuffer fmt = ByteBuffer.allocate(extensible ? 40 : 16).order(ByteOrder.LITTLE_ENDIAN);
        fmt.putShort((short) (extensible ? 0xFFFE : tag)).putShort((short) channels).putInt(rate)
                .putInt(rate * channels * bits / 8).putShort((short) (channels * bits / 8)).putShort((short) bits);
        if (extensible) {
            fmt.putShort((short) 22).putShort((short) bits).putInt(0);
            fmt.putShort((short) tag).put(new byte[] {0, 0, 0, 0, 0x10, 0, (byte) 0x80, 0, 0, (byte) 0xAA, 0, 0x38, (byte) 0x9B, 0x71});
        }
        return riff(chunk("fmt ", fmt.array()), chunk("data", data.array()));
    }

    /** The value {@code s} as the reader should decode it after writing with {@code tag}/{@code bits}. */
    static float quantised(float s, int tag, int bits) {
        return tag == FLOAT ? s : (float) (quantise(s, bits) / Math.pow(2, bits - 1));
    }

    private static long quantise(float s, int bits) {
        long q = Math.round(s * Math.pow(2, bits - 1));
        return Math.max(-(1L << (bits - 1)), Math.min((1L << (bits - 1)) - 1, q));
    }

    private static void put(ByteBuffer b, int tag, int bits, float s) {
        if (tag == FLOAT) {
            if (bits == 32) b.putFloat(s);
            else b.putDouble(s);
            return;
        }
        long q = quantise(s, bits);
        switch (bits) {
            case 8 -> b.put((byte) (q + 128));
            case 16 -> b.putShort((short) q);
            case 24 -> b.put((byte) q).put((byte) (q >> 8)).put((byte) (q >> 16));
            default -> b.putInt((int) q);
        }
    }

    /** A chunk with its header and, for an odd size, a pad byte. */
    static byte[] chunk(String id, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(8 + body.length + (body.length & 1)).order(ByteOrder.LITTLE_ENDIAN);
        b.put(id.getBytes(US_ASCII)).putInt(body.length).put(body);
        return b.array();
    }

    /** A RIFF/WAVE file of the given chunks. */
    static byte[] riff(byte[]... chunks) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes("WAVE".getBytes(US_ASCII));
        for (byte[] c : chunks) body.writeBytes(c);
        ByteBuffer b = ByteBuffer.allocate(8 + body.size()).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(US_ASCII)).putInt(body.size()).put(body.toByteArray());
        return b.array();
    }
}
