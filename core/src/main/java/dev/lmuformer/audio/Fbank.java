package dev.lmuformer.audio;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Kaldi-compatible log-mel filterbank, as {@code torchaudio.compliance.kaldi.fbank(w,
 * htk_compat=True, sample_frequency=sr, use_energy=False, window_type='hanning',
 * num_mel_bins=128, dither=0.0, frame_shift=10)} computes it (REFERENCE.md §5): 25 ms frames every
 * 10 ms without padding, per-frame DC removal, pre-emphasis 0.97, symmetric Hann window, zero-padding
 * to a power of two, power spectrum, triangular mel filters from 20 Hz to Nyquist, natural log
 * floored at float32 epsilon. Arithmetic is float64; results are float32.
 *
 * <p>The reference subtracts the whole waveform's mean before calling fbank. Each frame's own mean
 * is removed first thing, which cancels any constant offset, so this class does not need the
 * global mean, and that is what lets {@link Stream} emit frames before the whole waveform is known.
 * Batch callers that want the reference's numbers to the last digit in the quietest bands still
 * subtract it ({@link Waveform#centred()}): its float32 rounding is part of the reference's input.
 *
 * <p>An instance holds the window, the filter bank and the FFT tables for one sample rate and is
 * immutable, so threads may share it; {@link #forRate(int)} caches one per rate.
 */
public final class Fbank {
    /** Number of mel bins the reference uses. */
    public static final int DEFAULT_MEL_BINS = 128;
    private static final double PREEMPHASIS = 0.97;
    private static final double LOW_FREQ = 20.0;
    private static final double LOG_FLOOR = Math.ulp(1.0f); // torch.finfo(torch.float32).eps
    private static final Map<Integer, Fbank> CACHE = new ConcurrentHashMap<>();

    private final int sampleRate;
    private final int windowLength;
    private final int frameShift;
    private final int numMelBins;
    private final double[] window; // [windowLength] symmetric Hann
    private final int[] firstBin; // [numMelBins] first FFT bin with a non-zero weight
    private final double[][] weights; // [numMelBins][its band's width in bins]
    private final RealFft fft;

    /** A 128-bin filterbank for {@code sampleRate} (at least 160 Hz, so a frame holds 4 samples). */
    public Fbank(int sampleRate) {
        this(sampleRate, DEFAULT_MEL_BINS);
    }

    /** A filterbank with {@code numMelBins} bins for {@code sampleRate}. */
    public Fbank(int sampleRate, int numMelBins) {
        // Same double expressions as torchaudio, so frame sizes round (truncate) identically.
        int length = (int) (sampleRate * 25.0 * 0.001);
        int shift = (int) (sampleRate * 10.0 * 0.001);
        if (length < 4 || shift < 1) throw new IllegalArgumentException("sample rate too low for 25 ms frames: " + sampleRate);
        if (numMelBins < 1) throw new IllegalArgumentException("need at least one mel bin: " + numMelBins);
        this.sampleRate = sampleRate;
        this.windowLength = length;
        this.frameShift = shift;
        this.numMelBins = numMelBins;
        this.fft = new RealFft(Integer.highestOneBit(length - 1) << 1);
        window = new double[length];
        for (int i = 0; i < length; i++) window[i] = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / (length - 1));
        firstBin = new int[numMelBins];
        weights = new double[numMelBins][];
        buildFilters();
    }

    /** A shared instance with 128 bins for {@code sampleRate}. */
    public static Fbank forRate(int sampleRate) {
        return CACHE.computeIfAbsent(sampleRate, Fbank::new);
    }

    /**
     * Triangles with edges equally spaced on the mel scale from 20 Hz to Nyquist, evaluated at each
     * bin's mel frequency; the Nyquist bin gets no weight, as in torchaudio's get_mel_banks.
     */
    private void buildFilters() {
        int n = fft.length();
        double melLow = mel(LOW_FREQ);
        double delta = (mel(sampleRate / 2.0) - melLow) / (numMelBins + 1);
        double[] binMel = new double[n / 2]; // [n/2] mel of each FFT bin below Nyquist
        for (int k = 0; k < n / 2; k++) binMel[k] = mel((double) sampleRate / n * k);
        for (int j = 0; j < numMelBins; j++) {
            double left = melLow + j * delta;
            double center = melLow + (j + 1) * delta;
            double right = melLow + (j + 2) * delta;
            double[] w = new double[n / 2]; // [n/2]
            int first = -1;
            int last = -1;
            for (int k = 0; k < n / 2; k++) {
                w[k] = Math.max(0, Math.min((binMel[k] - left) / (center - left), (right - binMel[k]) / (right - center)));
                if (w[k] > 0) {
                    if (first < 0) first = k;
                    last = k;
                }
            }
            // A band narrower than one bin has no weight anywhere; its energy is 0, floored by the log.
            firstBin[j] = Math.max(first, 0);
            weights[j] = first < 0 ? new double[0] : Arrays.copyOfRange(w, first, last + 1);
        }
    }

    private static double mel(double hz) {
        return 1127.0 * Math.log(1.0 + hz / 700.0);
    }

    /** The sample rate this filterbank is for. */
    public int sampleRate() {
        return sampleRate;
    }

    /** Samples per frame (25 ms, truncated): 400 at 16 kHz. */
    public int windowLength() {
        return windowLength;
    }

    /** Samples between frame starts (10 ms, truncated): 160 at 16 kHz. */
    public int frameShift() {
        return frameShift;
    }

    /** FFT length, the next power of two from the window length: 512 at 16 kHz. */
    public int fftLength() {
        return fft.length();
    }

    /** Number of mel bins per frame. */
    public int numMelBins() {
        return numMelBins;
    }

    /** Frames in a waveform of {@code numSamples} samples: {@code 1 + (n − L) div S}, or 0 when n &lt; L. */
    public int numFrames(long numSamples) {
        return numSamples < windowLength ? 0 : (int) Math.min(Integer.MAX_VALUE, 1 + (numSamples - windowLength) / frameShift);
    }

    /**
     * The log-mel filterbank of a whole waveform at this sample rate.
     *
     * @param waveform the samples, {@code [numSamples]}
     * @return {@code [numFrames(numSamples)][numMelBins]}
     */
    public float[][] compute(float[] waveform) {
        float[][] out = new float[numFrames(waveform.length)][]; // [frames][numMelBins]
        Work work = new Work();
        for (int f = 0; f < out.length; f++) {
            int start = f * frameShift;
            for (int i = 0; i < windowLength; i++) work.frame[i] = waveform[start + i];
            out[f] = new float[numMelBins];
            frame(work, out[f]);
        }
        return out;
    }

    /**
     * An incremental filterbank that emits each frame to {@code onFrame} as soon as its last sample
     * arrives; the frames equal those of {@link #compute(float[])} on the concatenated samples. The
     * array passed to {@code onFrame} is reused for the next frame.
     */
    public Stream stream(Consumer<float[]> onFrame) {
        return new Stream(onFrame);
    }

    /** The mel bins {@code out[numMelBins]} of the frame in {@code work.frame[0..L)}, which this overwrites. */
    private void frame(Work work, float[] out) {
        double[] x = work.frame; // [fftLength]; [L, fftLength) stays zero
        double mean = 0;
        for (int i = 0; i < windowLength; i++) mean += x[i];
        mean /= windowLength;
        for (int i = 0; i < windowLength; i++) x[i] -= mean;
        // Pre-emphasis with x[-1] = x[0], backwards so each step reads the unmodified predecessor.
        for (int i = windowLength - 1; i > 0; i--) x[i] -= PREEMPHASIS * x[i - 1];
        x[0] -= PREEMPHASIS * x[0];
        for (int i = 0; i < windowLength; i++) x[i] *= window[i];
        fft.power(x, work.spectrum, work.power);
        for (int j = 0; j < numMelBins; j++) {
            double[] w = weights[j];
            int k0 = firstBin[j];
            double e = 0;
            for (int k = 0; k < w.length; k++) e += w[k] * work.power[k0 + k];
            out[j] = (float) Math.log(Math.max(e, LOG_FLOOR));
        }
    }

    /** Scratch buffers for one caller. */
    private final class Work {
        final double[] frame = new double[fft.length()]; // [fftLength]
        final double[] spectrum = new double[fft.length()]; // [fftLength] interleaved complex, n/2 values
        final double[] power = new double[fft.length() / 2 + 1]; // [fftLength/2 + 1]
    }

    /**
     * Incremental filterbank: push samples in chunks of any size; every frame is passed to the
     * callback once its window is complete, in an array {@code float[numMelBins]} that the stream
     * owns and overwrites with the next frame (copy it to keep it), so streaming allocates nothing
     * per frame. Not thread-safe.
     */
    public final class Stream {
        private final Consumer<float[]> onFrame;
        private final float[] ring = new float[windowLength]; // [L] the last L samples, oldest at {@code pos}
        private final Work work = new Work();
        private final float[] mel = new float[numMelBins]; // [numMelBins] the frame handed to the callback
        private int pos;
        private int untilFrame = windowLength; // samples still needed to complete the next frame
        private long samples;
        private long frames;

        private Stream(Consumer<float[]> onFrame) {
            this.onFrame = Objects.requireNonNull(onFrame, "onFrame");
        }

        /** Appends {@code chunk[off, off+len)}, emitting every frame it completes. */
        public void push(float[] chunk, int off, int len) {
            Objects.checkFromIndexSize(off, len, chunk.length);
            for (int i = 0; i < len; i++) {
                ring[pos] = chunk[off + i];
                pos = pos + 1 == windowLength ? 0 : pos + 1;
                samples++;
                // Frames start every S samples and S <= L, so the ring always holds the whole frame.
                if (--untilFrame == 0) {
                    for (int t = 0; t < windowLength; t++) {
                        int r = pos + t;
                        work.frame[t] = ring[r < windowLength ? r : r - windowLength];
                    }
                    frames++;
                    untilFrame = frameShift;
                    frame(work, mel);
                    onFrame.accept(mel);
                }
            }
        }

        /** Appends all of {@code chunk}. */
        public void push(float[] chunk) {
            push(chunk, 0, chunk.length);
        }

        /** Forgets every sample pushed, as if the stream were new. */
        public void reset() {
            pos = 0;
            untilFrame = windowLength;
            samples = 0;
            frames = 0;
        }

        /** Samples pushed so far. */
        public long samples() {
            return samples;
        }

        /** Frames emitted so far. */
        public long frames() {
            return frames;
        }
    }
}
