package dev.lmuformer.audio;

/**
 * Band-limited resampling between integer sample rates with a Kaiser-windowed sinc.
 *
 * <p>The rate ratio is reduced to {@code up/down}; output sample n sits at input position
 * {@code n·down/up}, whose fractional part takes one of {@code up} values, so one filter per phase
 * is tabulated once. The low-pass cutoff is {@code rolloff} times the lower of the two Nyquist
 * frequencies, so downsampling removes what would alias. Samples outside the input count as zero.
 * Immutable; threads may share an instance.
 */
public final class Resampler {
    /** Zero crossings of the sinc on each side of the centre, at the cutoff frequency. */
    public static final int DEFAULT_ZERO_CROSSINGS = 32;
    /** Cutoff as a fraction of the lower Nyquist frequency. */
    public static final double DEFAULT_ROLLOFF = 0.94;
    /** Kaiser window shape; 8.6 gives about 90 dB of stop-band attenuation. */
    public static final double DEFAULT_BETA = 8.6;
    /** The sample rate the reference model was trained at. */
    public static final int MODEL_RATE = 16000;
    private static final long MAX_TABLE = 1L << 24;

    private final int fromRate;
    private final int toRate;
    private final int up;
    private final int down;
    private final int half; // taps on each side of the output position
    private final double[][] filters; // [up][2 * half]

    /** A resampler with the default filter (32 zero crossings, rolloff 0.94, Kaiser β 8.6). */
    public Resampler(int fromRate, int toRate) {
        this(fromRate, toRate, DEFAULT_ZERO_CROSSINGS, DEFAULT_ROLLOFF, DEFAULT_BETA);
    }

    /**
     * A resampler with the given filter: {@code zeroCrossings} per side sets the length (and the
     * transition width), {@code rolloff} in (0, 1] the cutoff, {@code beta} the Kaiser window.
     */
    public Resampler(int fromRate, int toRate, int zeroCrossings, double rolloff, double beta) {
        if (fromRate <= 0 || toRate <= 0) throw new IllegalArgumentException("sample rates must be positive: " + fromRate + ", " + toRate);
        if (zeroCrossings < 1 || !(rolloff > 0 && rolloff <= 1) || !(beta >= 0)) {
            throw new IllegalArgumentException("bad filter: zeroCrossings " + zeroCrossings + ", rolloff " + rolloff + ", beta " + beta);
        }
        this.fromRate = fromRate;
        this.toRate = toRate;
        int g = gcd(fromRate, toRate);
        up = toRate / g;
        down = fromRate / g;
        double cutoff = rolloff * Math.min(1.0, (double) up / down); // cycles per input sample × 2
        double width = zeroCrossings / cutoff; // half-length of the kernel in input samples
        half = (int) Math.ceil(width);
        if ((long) up * 2 * half > MAX_TABLE) {
            throw new IllegalArgumentException("rate ratio " + toRate + "/" + fromRate + " needs too large a filter table");
        }
        double i0Beta = besselI0(beta);
        filters = new double[up][2 * half];
        for (int p = 0; p < up; p++) {
            double frac = (double) p / up;
            for (int i = 0; i < 2 * half; i++) {
                // Tap i multiplies input sample q − half + 1 + i for an output at position q + frac.
                double t = frac + half - 1 - i;
                if (Math.abs(t) >= width) continue;
                double r = t / width;
                filters[p][i] = cutoff * sinc(cutoff * t) * besselI0(beta * Math.sqrt(1 - r * r)) / i0Beta;
            }
        }
    }

    /** Resamples {@code w} to {@code rate}, returning {@code w} itself when it is already at that rate. */
    public static Waveform toRate(Waveform w, int rate) {
        return w.sampleRate() == rate ? w : new Resampler(w.sampleRate(), rate).apply(w);
    }

    /** Resamples a waveform at this resampler's input rate. */
    public Waveform apply(Waveform w) {
        if (w.sampleRate() != fromRate) throw new IllegalArgumentException("waveform is at " + w.sampleRate() + " Hz, resampler expects " + fromRate);
        return new Waveform(apply(w.samples()), toRate);
    }

    /**
     * Resamples samples at the input rate.
     *
     * @param in {@code [n]}
     * @return {@code [ceil(n · toRate / fromRate)]}
     */
    public float[] apply(float[] in) {
        long outLength = ((long) in.length * up + down - 1) / down;
        if (outLength > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("output too long: " + outLength + " samples");
        float[] out = new float[(int) outLength]; // [outLength]
        for (int n = 0; n < out.length; n++) out[n] = output(n, in, 0, in.length);
        return out;
    }

    /**
     * Output sample {@code n} of an input whose samples {@code [base, end)} (absolute indices) lie in
     * {@code x} from index 0; samples outside {@code [0, end)} are zero, and every other sample the
     * filter reaches must be in {@code x}. The one kernel of {@link #apply} and {@link Stream}: the same
     * taps in the same order, so both give the same bits.
     */
    private float output(long n, float[] x, long base, long end) {
        long pos = n * down;
        long q = pos / up;
        double[] h = filters[(int) (pos % up)];
        long k0 = q - half + 1;
        int lo = (int) Math.max(0, -k0);
        int hi = (int) Math.min(h.length, end - k0);
        int at = (int) (k0 - base);
        double acc = 0;
        for (int i = lo; i < hi; i++) acc += h[i] * x[at + i];
        return (float) acc;
    }

    /** A fresh streaming resampler with this filter. */
    public Stream stream() {
        return new Stream();
    }

    /**
     * Resampling of a stream that arrives in pieces: the concatenation of everything {@link #push}
     * and {@link #finish} write is {@link #apply} of the concatenated input, bit for bit. Each output
     * sample is written as soon as the input its filter reaches has arrived ({@code half} samples of
     * look-ahead at the input rate); {@code finish} writes the rest, with zeros past the end as
     * {@code apply} has. After the first pushes of a given size nothing is allocated.
     */
    public final class Stream {
        private float[] buf = new float[4 * half + 64]; // input samples [base, base + have)
        private long base;
        private int have;
        private long next; // the next output sample
        private boolean finished;

        private Stream() {
        }

        /** The most samples one {@code push} of {@code len} input samples (or {@link #finish}, len 0) writes. */
        public int maxOutput(int len) {
            if (len < 0) throw new IllegalArgumentException("a length must not be negative, got " + len);
            return (int) Math.min(Integer.MAX_VALUE, (((long) len + half + 1) * up + down - 1) / down + 1);
        }

        /**
         * Takes {@code in[off, off + len)} and writes the output samples now known into
         * {@code out[outOff…]}; returns how many.
         *
         * @throws IllegalArgumentException when {@code out} has less than {@link #maxOutput maxOutput(len)}
         *                                  samples from {@code outOff}, or the stream is finished
         */
        public int push(float[] in, int off, int len, float[] out, int outOff) {
            java.util.Objects.checkFromIndexSize(off, len, in.length);
            room(out, outOff, len);
            if (finished) throw new IllegalStateException("the stream is finished; reset() it first");
            // keep only what the next output's filter reaches: from its first tap on
            long keep = Math.max(base, Math.min(base + have, firstTap(next)));
            int drop = (int) (keep - base);
            if (drop > 0) {
                System.arraycopy(buf, drop, buf, 0, have - drop);
                have -= drop;
                base = keep;
            }
            if (have + len > buf.length) buf = java.util.Arrays.copyOf(buf, Math.max(2 * buf.length, have + len));
            System.arraycopy(in, off, buf, have, len);
            have += len;
            long end = base + have;
            int written = 0;
            // output n needs input up to q + half, where q = floor(n·down/up)
            while ((next * down) / up + half < end) out[outOff + written++] = output(next++, buf, base, end);
            return written;
        }

        /** Writes the remaining output samples (the input ended); returns how many. */
        public int finish(float[] out, int outOff) {
            room(out, outOff, 0);
            if (finished) return 0;
            finished = true;
            long end = base + have;
            long total = (end * up + down - 1) / down;
            int written = 0;
            while (next < total) out[outOff + written++] = output(next++, buf, base, end);
            return written;
        }

        /** Starts a new stream. */
        public void reset() {
            base = 0;
            have = 0;
            next = 0;
            finished = false;
        }

        /** Output samples written so far. */
        public long samplesOut() {
            return next;
        }

        private long firstTap(long n) {
            return (n * down) / up - half + 1;
        }

        private void room(float[] out, int outOff, int len) {
            int need = maxOutput(len);
            if (outOff < 0 || outOff > out.length || out.length - outOff < need) {
                throw new IllegalArgumentException("the output needs room for " + need + " samples from index " + outOff + ", has " + Math.max(0,
                        out.length - outOff));
            }
        }
    }

    /** Input sample rate. */
    public int fromRate() {
        return fromRate;
    }

    /** Output sample rate. */
    public int toRate() {
        return toRate;
    }

    private static double sinc(double x) {
        return x == 0 ? 1.0 : Math.sin(Math.PI * x) / (Math.PI * x);
    }

    /** Modified Bessel function of the first kind, order 0, by its power series. */
    private static double besselI0(double x) {
        double sum = 1;
        double term = 1;
        double q = x * x / 4;
        for (int k = 1; term > 1e-17 * sum; k++) {
            term *= q / ((double) k * k);
            sum += term;
        }
        return sum;
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
