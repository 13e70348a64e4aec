package dev.lmuformer.audio;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads RIFF/WAVE files without dependencies: integer PCM of 8, 16, 24 or 32 bits, IEEE float of
 * 32 or 64 bits, plain or {@code WAVE_FORMAT_EXTENSIBLE}, any channel count and sample rate.
 *
 * <p>Only the first channel is returned, as the reference pipeline uses it (REFERENCE.md §5), and
 * samples are scaled like {@code torchaudio.load}. Every chunk size is checked against the bytes
 * that remain, unknown chunks are skipped (with their pad byte when the size is odd), and any
 * malformed input ends in an {@link AudioFormatException}, never in another exception or a hang.
 * A trailing partial frame in the data chunk is ignored, as libsndfile does.
 */
public final class WavReader {
    private static final int FORMAT_PCM = 1;
    private static final int FORMAT_FLOAT = 3;
    private static final int FORMAT_EXTENSIBLE = 0xFFFE;
    /** Bytes 2..15 of the KSDATAFORMAT_SUBTYPE GUIDs for PCM and IEEE float; bytes 0..1 hold the format tag. */
    private static final byte[] SUBTYPE_SUFFIX = {
        0x00, 0x00, 0x00, 0x00, 0x10, 0x00, (byte) 0x80, 0x00, 0x00, (byte) 0xAA, 0x00, 0x38, (byte) 0x9B, 0x71};

    private WavReader() {
    }

    /** Reads a WAV file; errors name the file. */
    public static Waveform read(Path file) {
        String source = file.toString();
        try {
            if (Files.size(file) > Integer.MAX_VALUE - 8) throw new AudioFormatException(source + ": file too large for a WAV reader (over 2 GiB)");
            return read(Files.readAllBytes(file), source);
        } catch (IOException e) {
            throw new AudioFormatException(source + ": cannot read (" + e + ")", e);
        }
    }

    /** Reads a whole WAV stream; {@code source} names it in error messages. The stream is not closed. */
    public static Waveform read(InputStream in, String source) {
        try {
            return read(in.readAllBytes(), source);
        } catch (IOException e) {
            throw new AudioFormatException(source + ": cannot read (" + e + ")", e);
        }
    }

    /** Decodes the bytes of a WAV file; {@code source} names it in error messages. */
    public static Waveform read(byte[] bytes, String source) {
        if (bytes.length == 0) throw fail(source, "empty input");
        if (bytes.length < 12 || !tag(bytes, 0, "RIFF") || !tag(bytes, 8, "WAVE")) {
            throw fail(source, "not a RIFF/WAVE file");
        }
        // The RIFF size is often wrong in streamed files; the chunks themselves are checked instead.
        Format format = null;
        long dataStart = -1;
        long dataSize = 0;
        long pos = 12;
        while (pos + 8 <= bytes.length) {
            long size = u32(bytes, (int) pos + 4);
            long body = pos + 8;
            if (size > bytes.length - body) {
                throw fail(source, "chunk '" + printable(bytes, (int) pos) + "' at byte " + pos + " claims " + size
                        + " bytes but only " + (bytes.length - body) + " remain (truncated or corrupt)");
            }
            if (tag(bytes, (int) pos, "fmt ") && format == null) {
                format = Format.parse(bytes, (int) body, (int) size, source);
            } else if (tag(bytes, (int) pos, "data") && dataStart < 0) {
                dataStart = body;
                dataSize = size;
            }
            pos = body + size + (size & 1);
        }
        if (format == null) throw fail(source, "no 'fmt ' chunk");
        if (dataStart < 0) throw fail(source, "no 'data' chunk");
        return new Waveform(decode(bytes, (int) dataStart, (int) (dataSize / format.blockAlign), format), format.sampleRate);
    }

    /**
     * Reads raw 16-bit little-endian mono PCM until the end of the stream, scaled by 1/32768. The
     * stream is not closed.
     */
    public static Waveform readPcm16(InputStream in, int sampleRate, String source) {
        if (sampleRate <= 0) throw new IllegalArgumentException("sample rate must be positive: " + sampleRate);
        byte[] bytes;
        try {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new AudioFormatException(source + ": cannot read (" + e + ")", e);
        }
        if ((bytes.length & 1) != 0) throw fail(source, "odd number of bytes (" + bytes.length + ") in 16-bit PCM");
        float[] samples = new float[bytes.length / 2]; // [numSamples]
        pcm16(bytes, 0, samples, 0, samples.length);
        return new Waveform(samples, sampleRate);
    }

    /**
     * Reads up to {@code len} samples of raw 16-bit little-endian mono PCM into {@code dst}, blocking
     * until that many arrive or the stream ends, for feeding {@link Fbank.Stream} chunk by chunk.
     *
     * @return the number of samples read, or -1 at the end of the stream
     */
    public static int readPcm16(InputStream in, float[] dst, int off, int len, String source) {
        if (off < 0 || len < 0 || len > dst.length - off) throw new IndexOutOfBoundsException("off " + off + " len " + len);
        if (len == 0) return 0;
        byte[] bytes = new byte[2 * len];
        int n;
        try {
            n = in.readNBytes(bytes, 0, bytes.length);
        } catch (IOException e) {
            throw new AudioFormatException(source + ": cannot read (" + e + ")", e);
        }
        if (n == 0) return -1;
        if ((n & 1) != 0) throw fail(source, "stream ends inside a 16-bit sample");
        pcm16(bytes, 0, dst, off, n / 2);
        return n / 2;
    }

    private static void pcm16(byte[] src, int at, float[] dst, int off, int count) {
        for (int i = 0; i < count; i++) {
            dst[off + i] = (short) ((src[at + 2 * i] & 0xFF) | (src[at + 2 * i + 1] << 8)) / 32768f;
        }
    }

    /** Channel 0 of {@code frames} frames starting at {@code start}. */
    private static float[] decode(byte[] b, int start, int frames, Format f) {
        float[] out = new float[frames]; // [frames]
        for (int i = 0; i < frames; i++) {
            int p = start + i * f.blockAlign;
            out[i] = switch (f.encoding) {
                case PCM8 -> ((b[p] & 0xFF) - 128) / 128f;
                case PCM16 -> (short) ((b[p] & 0xFF) | (b[p + 1] << 8)) / 32768f;
                case PCM24 -> ((b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8 | b[p + 2] << 16) / 8388608f;
                case PCM32 -> (float) (s32(b, p) / 2147483648.0);
                case FLOAT32 -> Float.intBitsToFloat(s32(b, p));
                case FLOAT64 -> (float) Double.longBitsToDouble((s32(b, p) & 0xFFFFFFFFL) | (long) s32(b, p + 4) << 32);
            };
        }
        return out;
    }

    private enum Encoding { PCM8, PCM16, PCM24, PCM32, FLOAT32, FLOAT64 }

    /** What the fmt chunk says, validated. */
    private record Format(Encoding encoding, int sampleRate, int blockAlign) {
        static Format parse(byte[] b, int at, int size, String source) {
            if (size < 16) throw fail(source, "'fmt ' chunk too short (" + size + " bytes)");
            int tag = u16(b, at);
            int channels = u16(b, at + 2);
            long rate = u32(b, at + 4);
            int blockAlign = u16(b, at + 12);
            int bits = u16(b, at + 14);
            if (tag == FORMAT_EXTENSIBLE) {
                // WAVE_FORMAT_EXTENSIBLE: the real format tag is the start of the sub-format GUID at offset 24.
                if (size < 40) throw fail(source, "extensible 'fmt ' chunk too short (" + size + " bytes)");
                for (int i = 0; i < SUBTYPE_SUFFIX.length; i++) {
                    if (b[at + 26 + i] != SUBTYPE_SUFFIX[i]) throw fail(source, "unsupported extensible sub-format");
                }
                tag = u16(b, at + 24);
            }
            if (channels == 0) throw fail(source, "zero channels");
            if (rate == 0 || rate > Integer.MAX_VALUE) throw fail(source, "invalid sample rate " + rate);
            Encoding enc;
            if (tag == FORMAT_PCM && bits == 8) enc = Encoding.PCM8;
            else if (tag == FORMAT_PCM && bits == 16) enc = Encoding.PCM16;
            else if (tag == FORMAT_PCM && bits == 24) enc = Encoding.PCM24;
            else if (tag == FORMAT_PCM && bits == 32) enc = Encoding.PCM32;
            else if (tag == FORMAT_FLOAT && bits == 32) enc = Encoding.FLOAT32;
            else if (tag == FORMAT_FLOAT && bits == 64) enc = Encoding.FLOAT64;
            else throw fail(source, "unsupported encoding (format tag " + tag + ", " + bits + " bits)");
            if (blockAlign != channels * (bits / 8)) {
                throw fail(source, "block align " + blockAlign + " does not match " + channels + " channels of " + bits + " bits");
            }
            return new Format(enc, (int) rate, blockAlign);
        }
    }

    private static AudioFormatException fail(String source, String problem) {
        return new AudioFormatException(source + ": " + problem);
    }

    private static boolean tag(byte[] b, int at, String id) {
        for (int i = 0; i < 4; i++) {
            if (b[at + i] != id.charAt(i)) return false;
        }
        return true;
    }

    /** A chunk id for messages, with non-printable bytes replaced. */
    private static String printable(byte[] b, int at) {
        StringBuilder s = new StringBuilder(4);
        for (int i = 0; i < 4; i++) {
            int c = b[at + i] & 0xFF;
            s.append(c >= 0x20 && c < 0x7F ? (char) c : '?');
        }
        return s.toString();
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8;
    }

    private static int s32(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | b[at + 3] << 24;
    }

    private static long u32(byte[] b, int at) {
        return s32(b, at) & 0xFFFFFFFFL;
    }
}
