package dev.lmuformer.audio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WavReaderTest {
    private static final int[][] FORMATS = {
        {TestWavs.PCM, 8}, {TestWavs.PCM, 16}, {TestWavs.PCM, 24}, {TestWavs.PCM, 32}, {TestWavs.FLOAT, 32}, {TestWavs.FLOAT, 64}};

    /** {@code [n]} a sweep through [-1, 1) with both extremes, so clipping and sign handling show. */
    private static float[] signal(int n) {
        float[] s = new float[n];
        Random r = new Random(7);
        for (int i = 0; i < n; i++) s[i] = (float) (2 * r.nextDouble() - 1);
        s[0] = -1f;
        s[1] = 0.99996f;
        s[2] = 0f;
        return s;
    }

    @Test
    void roundTripsEveryFormatChannelCountAndLayout() {
        float[] sig = signal(300);
        for (int[] f : FORMATS) {
            for (int channels : new int[] {1, 2, 3, 6}) {
                for (boolean ext : new boolean[] {false, true}) {
                    String what = "tag " + f[0] + " bits " + f[1] + " channels " + channels + (ext ? " extensible" : "");
                    Waveform w = WavReader.read(TestWavs.wav(sig, 22050, f[0], f[1], channels, ext), what);
                    assertEquals(22050, w.sampleRate(), what);
                    float[] expected = new float[sig.length];
                    for (int i = 0; i < sig.length; i++) expected[i] = TestWavs.quantised(sig[i] / channels, f[0], f[1]);
                    assertArrayEquals(expected, w.samples(), what);
                }
            }
        }
    }

    @Test
    void sixteenBitScalesLikeTorchaudio() {
        ByteBuffer pcm = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        pcm.putShort((short) -32768).putShort((short) 32767).putShort((short) 1).putShort((short) 0);
        byte[] fmt = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                .putShort((short) 1).putShort((short) 1).putInt(16000).putInt(32000).putShort((short) 2).putShort((short) 16).array();
        Waveform w = WavReader.read(TestWavs.riff(TestWavs.chunk("fmt ", fmt), TestWavs.chunk("data", pcm.array())), "s16");
        assertArrayEquals(new float[] {-1f, 32767f / 32768f, 1f / 32768f, 0f}, w.samples());
    }

    @Test
    void skipsUnknownChunksWithPaddingAndAcceptsDataBeforeFmt() {
        byte[] ok = TestWavs.wav(signal(50), 8000, TestWavs.PCM, 16, 1, false);
        float[] expected = WavReader.read(ok, "plain").samples();
        byte[] fmt = Arrays.copyOfRange(ok, 12, 12 + 8 + 16);
        byte[] data = Arrays.copyOfRange(ok, 36, ok.length);
        byte[] odd = TestWavs.chunk("LIST", new byte[] {1, 2, 3}); // 3 bytes + pad byte
        assertEquals(12, odd.length);
        assertArrayEquals(expected, WavReader.read(TestWavs.riff(odd, fmt, odd, data), "odd").samples());
        assertArrayEquals(expected, WavReader.read(TestWavs.riff(data, fmt), "swapped").samples());
    }

    @Test
    void ignoresTrailingPartialFrameAndWrongRiffSize() {
        float[] sig = signal(40);
        byte[] ok = TestWavs.wav(sig, 8000, TestWavs.PCM, 16, 2, false);
        // Shrink the data chunk by one byte: the last frame is incomplete and dropped.
        byte[] cut = Arrays.copyOf(ok, ok.length - 1);
        ByteBuffer.wrap(cut).order(ByteOrder.LITTLE_ENDIAN).putInt(40, 40 * 4 - 1);
        assertEquals(39, WavReader.read(cut, "cut").samples().length);
        byte[] riffSize = ok.clone();
        ByteBuffer.wrap(riffSize).order(ByteOrder.LITTLE_ENDIAN).putInt(4, -1);
        assertArrayEquals(WavReader.read(ok, "a").samples(), WavReader.read(riffSize, "b").samples());
    }

    @Test
    void readsFilesAndNamesThemInErrors(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("good.wav");
        Files.write(good, TestWavs.wav(signal(10), 16000, TestWavs.PCM, 16, 1, false));
        assertEquals(10, WavReader.read(good).samples().length);
        Path bad = dir.resolve("bad.wav");
        Files.write(bad, "not audio at all".getBytes());
        AudioFormatException e = assertThrows(AudioFormatException.class, () -> WavReader.read(bad));
        assertTrue(e.getMessage().startsWith(bad.toString() + ": "), e.getMessage());
        AudioFormatException missing = assertThrows(AudioFormatException.class, () -> WavReader.read(dir.resolve("missing.wav")));
        assertTrue(missing.getMessage().contains("missing.wav"), missing.getMessage());
    }

    @Test
    void rejectsMalformedInputWithOneLineMessages() {
        byte[] ok = TestWavs.wav(signal(20), 16000, TestWavs.PCM, 16, 1, false);
        byte[] fmt = Arrays.copyOfRange(ok, 12, 36);
        byte[] data = Arrays.copyOfRange(ok, 36, ok.length);
        expectError(new byte[0], "empty");
        expectError("RIFX\0\0\0\0WAVE".getBytes(), "not a RIFF/WAVE");
        expectError(Arrays.copyOf(ok, 11), "not a RIFF/WAVE");
        expectError(TestWavs.riff(data), "no 'fmt '");
        expectError(TestWavs.riff(fmt), "no 'data'");
        expectError(Arrays.copyOf(ok, ok.length - 3), "truncated");
        expectError(patch(ok, b -> b.putShort(22, (short) 0)), "zero channels");
        expectError(patch(ok, b -> b.putInt(24, 0)), "sample rate");
        expectError(patch(ok, b -> b.putInt(24, -5)), "sample rate");
        expectError(patch(ok, b -> b.putShort(34, (short) 12)), "unsupported encoding");
        expectError(patch(ok, b -> b.putShort(20, (short) 2)), "unsupported encoding");
        expectError(patch(ok, b -> b.putShort(32, (short) 4)), "block align");
        expectError(TestWavs.riff(TestWavs.chunk("fmt ", new byte[14]), data), "too short");
        byte[] ext = TestWavs.wav(signal(20), 16000, TestWavs.PCM, 16, 1, true);
        expectError(patch(ext, b -> b.put(20 + 30, (byte) 0x11)), "sub-format");
    }

    @Test
    void readsRawPcm16WholeAndInChunks() {
        byte[] raw = {0, (byte) 0x80, (byte) 0xFF, 0x7F, 1, 0, 0, 0, (byte) 0xFF, (byte) 0xFF};
        float[] expected = {-1f, 32767f / 32768f, 1f / 32768f, 0f, -1f / 32768f};
        Waveform w = WavReader.readPcm16(new ByteArrayInputStream(raw), 8000, "raw");
        assertEquals(8000, w.sampleRate());
        assertArrayEquals(expected, w.samples());
        ByteArrayInputStream in = new ByteArrayInputStream(raw);
        float[] buf = new float[6];
        assertEquals(2, WavReader.readPcm16(in, buf, 1, 2, "raw"));
        assertEquals(3, WavReader.readPcm16(in, buf, 3, 3, "raw"));
        assertEquals(-1, WavReader.readPcm16(in, buf, 0, 3, "raw"));
        assertArrayEquals(expected, Arrays.copyOfRange(buf, 1, 6));
        expectMessage(assertThrows(AudioFormatException.class,
                () -> WavReader.readPcm16(new ByteArrayInputStream(new byte[3]), 8000, "rawodd")), "rawodd", "odd number");
        expectMessage(assertThrows(AudioFormatException.class,
                () -> WavReader.readPcm16(new ByteArrayInputStream(new byte[3]), new float[4], 0, 4, "rawodd")), "rawodd", "inside a 16-bit sample");
    }

    private static byte[] patch(byte[] wav, java.util.function.Consumer<ByteBuffer> edit) {
        byte[] b = wav.clone();
        edit.accept(ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN));
        return b;
    }

    private static void expectError(byte[] bytes, String problem) {
        expectMessage(assertThrows(AudioFormatException.class, () -> WavReader.read(bytes, "clip.wav")), "clip.wav", problem);
    }

    private static void expectMessage(AudioFormatException e, String source, String problem) {
        String m = e.getMessage();
        assertTrue(m.startsWith(source + ": ") && m.contains(problem), m);
        assertFalse(m.contains("\n"), m);
    }
}
