package dev.lmuformer.stream;

import dev.lmuformer.audio.Fbank;
import dev.lmuformer.audio.ModelInput;
import dev.lmuformer.audio.Resampler;

import com.fasterxml.jackson.jr.ob.JSON;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Keyword spotting on one audio stream: 16 kHz mono samples in, in chunks of any size; per-frame
 * running-mean logits and keyword decisions out, through a {@link Listener}. The chain is the
 * parallel pipeline's (REFERENCE §5) made incremental: filterbank ({@link Fbank.Stream}),
 * normalisation ({@link ModelInput}), one {@link StreamingModel} step per frame, then the
 * {@link EarlyDecision} rule.
 *
 * <p><b>Continuous</b> (a {@link ContinuousRule}, what {@code stream} does by default): one model
 * state runs for the whole stream and is never reset; its readout is the head on the mean of the
 * last {@code input.frames()} frames' features (a sliding window as long as a training clip, O(1)
 * per frame: {@link StreamingModel#open(int)}), so a keyword is scored the same wherever it falls,
 * and the rule emits a {@link Keyword} event where one is found and nothing elsewhere. The LMU
 * memory needs no reset: it is a linear system whose impulse response fades over θ frames. The
 * first {@code input.frames()} frames of a stream average the frames so far, as a clip does. An
 * energy gate ({@link ContinuousRule#gate()}) skips the model step of frames quieter than it.
 *
 * <p><b>Windows</b> (an {@link EarlyDecision} rule). The model was trained on clips of {@code input.frames()} frames (128 = 1.28 s),
 * so the stream is cut into consecutive windows of that many frames, each classified on its own
 * from a fresh model state: window w holds frames {@code [w·N, (w+1)·N)}, frame t being the samples
 * {@code [160 t, 160 t + 400)}. A window is exactly a clip to the parallel model: its per-frame
 * logits are the parallel {@code allSeqLogits} of its model input, and when the input ends inside
 * a window ({@link #finish()}), the window is completed with the frames the parallel model pads a
 * short clip with (zero log-mel, normalised). A keyword that straddles two windows may be missed.
 *
 * <p><b>Decisions</b> (windowed). Every window yields exactly one {@link Decision}: an early one on the frame
 * where the rule fires, or else, on the window's last frame, its top class marked not early (the
 * parallel model's final prediction). Frames after an early decision still produce logits.
 *
 * <p><b>Timing.</b> Frame t's time is the end of its 25 ms window, {@code (160 t + 400) / 16000} s;
 * its output needs {@link StreamingModel#lookAhead()} more frames of input, so it is reported that
 * much later ({@link #lookAheadSeconds()}); the outputs of the padding frames come at {@link #finish()}.
 *
 * <p>Sessions are independent (each owns its filterbank and model state; many may share one
 * {@link StreamingModel}); one session is used by one thread at a time. Nothing is allocated per
 * frame. A {@link SessionGroup} steps many sessions' frames together, which is faster on models
 * that batch streams ({@link ModelStream}).
 */
public final class KeywordSession {
    /** The sample rate the session expects: the models' training rate. */
    public static final int SAMPLE_RATE = Resampler.MODEL_RATE;
    private static final int SCRATCH = 1024;
    private static final int HOP = 160;           // samples per frame shift
    private static final int GATE_SAMPLES = 320;  // the part of a frame's 400 samples the gate measures: its first two hops

    /**
     * One window's keyword.
     *
     * @param window      the window's index (0 for the first {@code N} frames)
     * @param frame       the frame it was decided on, counted from the start of the stream
     * @param seconds     that frame's time (end of its 25 ms window) from the start of the stream
     * @param label       the class
     * @param probability its softmax probability on that frame
     * @param early       true when the rule fired; false for the top class of a window's last frame
     * @param knownAt     seconds of audio it needed: the end of the frame whose step reported it ({@code seconds}
     *                    plus the look-ahead), or the end of the input for a frame that needed {@link #finish()}
     */
    public record Decision(long window, long frame, double seconds, int label, double probability, boolean early, double knownAt) {
    }

    /**
     * A keyword found in continuous mode.
     *
     * @param frame   the frame it was emitted on, counted from the start of the stream
     * @param seconds that frame's time (end of its 25 ms window) from the start of the stream
     * @param label   the class
     * @param score   its score on that frame ({@link ContinuousRule.Score})
     * @param knownAt seconds of audio it needed: the end of the frame whose step reported it (later than
     *                {@code seconds} by the look-ahead and any decision window), or the end of the input
     *                for an event that needed {@link #finish()}; the same however the audio was chunked
     */
    public record Keyword(long frame, double seconds, int label, double score, double knownAt) {
        /**
         * The event as one line of JSON, {@code {"type":"keyword","word":…,"score":…,"time":…,"known_at":…}}
         * with the class name {@code word}, the score to 4 decimals and the times in seconds to the millisecond:
         * what {@code stream --json} prints and the server sends.
         */
        public String json(String word) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", "keyword");
            m.put("word", word);
            m.put("score", Math.round(score * 1e4) / 1e4);
            m.put("time", Math.round(seconds * 1e3) / 1e3);
            m.put("known_at", Math.round(knownAt * 1e3) / 1e3);
            try {
                return JSON.std.asString(m);
            } catch (IOException e) {
                throw new UncheckedIOException(e); // writing a map of strings and numbers to a string does not fail
            }
        }
    }

    /** Receives a session's outputs, on the thread that pushes samples. */
    public interface Listener {
        /**
         * The running-mean logits {@code [classes]} of {@code frame} (counted from the start of the
         * stream, at {@code seconds}); the array is the session's own and is overwritten next frame.
         */
        default void onFrame(long frame, double seconds, float[] logits) {
        }

        /** The decision of one window (windowed mode). */
        default void onDecision(Decision decision) {
        }

        /** A keyword event (continuous mode). */
        default void onKeyword(Keyword keyword) {
        }

        /** A listener that hands every keyword event to {@code action} and ignores the rest. */
        static Listener onKeywords(java.util.function.Consumer<Keyword> action) {
            Objects.requireNonNull(action, "action");
            return new Listener() {
                @Override
                public void onKeyword(Keyword keyword) {
                    action.accept(keyword);
                }
            };
        }
    }

    private final StreamingModel.FrameStream model;
    private final Fbank fbank;
    private final Fbank.Stream features;
    private final ModelInput input;
    private final EarlyDecision.Tracker tracker;     // windowed mode, else null
    private final ContinuousRule.Tracker spotter;   // continuous mode, else null
    private final Listener listener;
    private final int classes;
    private final int lookAhead;
    private final float[] frame;   // [F] the normalised frame being stepped
    private final float[] padding; // [F] a padding frame of the parallel model: zero log-mel, normalised
    private final float[] scratch; // [SCRATCH] 16-bit samples as floats
    private final boolean queued;  // in a SessionGroup: frames wait in pending for the group's tick
    private final ArrayDeque<float[]> pending = new ArrayDeque<>(); // normalised frames not yet stepped
    private final ArrayDeque<float[]> spare = new ArrayDeque<>();   // stepped frames' arrays, for reuse
    private float[] waiting = new float[0]; // queued: samples pushed since the last tick, not yet through the filterbank
    private int waitingCount;
    private long window;       // windowed mode: the current window; continuous: always 0 (one window that never ends)
    private long windowPushed;  // frames of the current window given to the model
    private long windowEmitted; // outputs of the current window so far
    private final double gateSum;   // continuous: a frame whose first 320 samples' Σx² is below this is gated; -1 = no gate
    private final SpeechPresence speech; // continuous with a speech margin (or traced), else null
    private final double speechMargin;   // continuous: the rule's speech margin; 0 for none
    private final boolean measure;  // frame energies are needed (gate or speech margin)
    private final double[] hopEnergy = new double[4]; // Σx² of the last 10 ms hops, by hop index mod 4
    private double hopSum;          // Σx² of the hop being filled
    private long hopSamples;        // samples summed into hops so far
    private long framesSeen;        // frames out of the filterbank
    private long gated;             // of them, skipped by the gate
    private long[] frameOf = new long[16]; // continuous: the stream frame of the k-th frame given to the model, by k mod length
    private boolean[] speechOf = new boolean[16]; // continuous: whether speech was present when the k-th frame was given, likewise
    private boolean speechNow = true; // continuous: speech presence as of the frame just stepped (events wait for it)
    private long given;             // frames given to the model (queued ones included)
    private final int readoutFrames; // windowed: the window; continuous: the sliding readout's length
    private boolean finished;
    private boolean finishing;      // within finish(): outputs now need the whole input
    private long lastStepped;       // the stream frame last given to the model

    /**
     * A session for {@code model} (128 input features) over frames normalised by {@code input}:
     * continuous with a {@link ContinuousRule} (its classes must be the model's), or cut into
     * windows of {@code input.frames()} frames and decided by an {@link EarlyDecision}.
     */
    public KeywordSession(StreamingModel model, ModelInput input, SpottingRule rule, Listener listener) {
        this(model, input, rule, listener, false);
    }

    /** With {@code queued}, frames wait for {@link SessionGroup#tick()} instead of being stepped as they complete. */
    KeywordSession(StreamingModel model, ModelInput input, SpottingRule rule, Listener listener, boolean queued) {
        this(model, input, rule, listener, queued, false);
    }

    /** With {@code traceSpeech}, a continuous session measures {@link #speechExcess()} even without a speech margin. */
    KeywordSession(StreamingModel model, ModelInput input, SpottingRule rule, Listener listener, boolean queued, boolean traceSpeech) {
        if (model.inputFeatures() != Fbank.DEFAULT_MEL_BINS) {
            throw new IllegalArgumentException("the model takes " + model.inputFeatures() + " features per frame; audio gives "
                    + Fbank.DEFAULT_MEL_BINS + " mel bins");
        }
        this.input = Objects.requireNonNull(input, "input");
        if (rule instanceof ContinuousRule c) {
            if (c.classes() != model.numClasses()) {
                throw new IllegalArgumentException("the rule has " + c.classes() + " classes, the model " + model.numClasses());
            }
            readoutFrames = c.window() == 0 ? input.frames() : c.window();
            this.model = model.open(readoutFrames);
            this.tracker = null;
            this.spotter = c.tracker();
            double level = Math.pow(10, c.gate() / 20);
            gateSum = c.gate() == ContinuousRule.NO_GATE ? -1 : level * level * GATE_SAMPLES;
            speechMargin = c.speechMargin();
            speech = speechMargin > 0 || traceSpeech ? new SpeechPresence(ContinuousRule.FLOOR_FRAMES, ContinuousRule.SPEECH_FRAMES) : null;
        } else {
            readoutFrames = input.frames();
            this.model = model.open();
            this.tracker = ((EarlyDecision) rule).tracker();
            this.spotter = null;
            gateSum = -1;
            speech = null;
            speechMargin = 0;
        }
        measure = gateSum >= 0 || speech != null;
        this.listener = Objects.requireNonNull(listener, "listener");
        this.classes = model.numClasses();
        this.lookAhead = model.lookAhead();
        fbank = Fbank.forRate(SAMPLE_RATE);
        features = fbank.stream(this::onFeatures);
        frame = new float[Fbank.DEFAULT_MEL_BINS];
        padding = new float[Fbank.DEFAULT_MEL_BINS];
        input.normalise(padding, 0, padding.length);
        scratch = new float[SCRATCH];
        this.queued = queued;
    }

    /** Pushes {@code samples[off, off+len)} (floats scaled to [-1, 1), as {@code WavReader} returns them). */
    public void push(float[] samples, int off, int len) {
        if (finished) throw new IllegalStateException("session finished; reset() it first");
        Objects.checkFromIndexSize(off, len, samples.length);
        if (!queued) {
            toFeatures(samples, off, len);
            return;
        }
        if (waitingCount + len > waiting.length) waiting = Arrays.copyOf(waiting, Math.max(2 * waiting.length, waitingCount + len));
        System.arraycopy(samples, off, waiting, waitingCount, len);
        waitingCount += len;
    }

    /** Turns the samples waiting for the group's tick into normalised frames (they then wait in {@code pending}). */
    void extractFeatures() {
        toFeatures(waiting, 0, waitingCount);
        waitingCount = 0;
    }

    /**
     * Pushes samples into the filterbank; with an energy gate, in pieces that end on hop boundaries,
     * each hop's Σx² summed first, so that when frame t comes out (with hop t + 2) hops t and t + 1 are known.
     */
    private void toFeatures(float[] s, int off, int len) {
        if (!measure) {
            features.push(s, off, len);
            return;
        }
        while (len > 0) {
            int n = (int) Math.min(len, HOP - hopSamples % HOP);
            for (int i = off; i < off + n; i++) hopSum += (double) s[i] * s[i];
            hopSamples += n;
            if (hopSamples % HOP == 0) {
                hopEnergy[(int) ((hopSamples / HOP - 1) & 3)] = hopSum;
                hopSum = 0;
            }
            features.push(s, off, n);
            off += n;
            len -= n;
        }
    }

    /**
     * Whether the stream has just carried speech (continuous mode with a speech margin: see
     * {@link SpeechPresence}; always true without one): events wait for it.
     */
    public boolean speechPresent() {
        return speechMargin == 0 || speech.present(speechMargin);
    }

    /** dB by which the loudest of the last {@link ContinuousRule#SPEECH_FRAMES} frames stands above the noise floor (a session that measures it). */
    double speechExcess() {
        return speech.excess();
    }

    /** Frames the energy gate skipped so far (continuous mode with a gate). */
    public long gatedFrames() {
        return gated;
    }

    /** Frames out of the filterbank so far. */
    public long frames() {
        return framesSeen;
    }

    /** Pushes 16-bit PCM {@code pcm[off, off+len)}, scaled by 1/32768 as the WAV reader does. */
    public void push(short[] pcm, int off, int len) {
        Objects.checkFromIndexSize(off, len, pcm.length);
        while (len > 0) {
            int n = Math.min(len, SCRATCH);
            for (int i = 0; i < n; i++) scratch[i] = pcm[off + i] / 32768f;
            push(scratch, 0, n);
            off += n;
            len -= n;
        }
    }

    /**
     * Ends the input: a window the input stopped inside is completed with the parallel model's
     * padding and its remaining outputs and decision are reported. Samples that do not complete a
     * frame are dropped; input shorter than one frame (25 ms) yields nothing. In a
     * {@link SessionGroup}, frames still waiting for a tick are stepped first, on their own.
     */
    public void finish() {
        if (finished) return;
        extractFeatures();
        while (!pending.isEmpty()) {
            if (stepped(model.step(pending.peek(), 0))) endWindow(model.flush());
        }
        finishing = true;
        if (continuous()) {
            if (windowPushed > 0) for (float[] last : model.flush()) output(last);
        } else {
            while (windowPushed > 0) step(padding); // the window's last frame sets windowPushed back to 0
        }
        finishing = false;
        finished = true;
    }

    /** True for a session that runs one model state over the whole stream ({@link ContinuousRule}). */
    public boolean continuous() {
        return spotter != null;
    }

    /** Clears the session for a new stream (frame and window numbers start again at 0). */
    public void reset() {
        features.reset();
        model.reset();
        if (continuous()) spotter.reset(); else tracker.reset();
        Arrays.fill(hopEnergy, 0);
        if (speech != null) speech.clear();
        speechNow = true;
        hopSum = 0;
        hopSamples = 0;
        framesSeen = 0;
        gated = 0;
        given = 0;
        spare.addAll(pending);
        pending.clear();
        waitingCount = 0;
        window = 0;
        windowPushed = 0;
        windowEmitted = 0;
        finished = false;
        finishing = false;
    }

    /** Frames per window (windowed) or in the sliding readout (continuous): the model's clip length. */
    public int windowFrames() {
        return readoutFrames;
    }

    /** The time of frame {@code t}, in seconds from the start of the stream: the end of its 25 ms window. */
    public double seconds(long t) {
        return frameSeconds(t);
    }

    /** The time of frame {@code t} of any 16 kHz stream: the end of its 25 ms window, in seconds from the start. */
    public static double frameSeconds(long t) {
        Fbank f = Fbank.forRate(SAMPLE_RATE);
        return (double) (t * f.frameShift() + f.windowLength()) / SAMPLE_RATE;
    }

    /** Seconds of audio from one window's start to the next: {@code windowFrames()} frame shifts. */
    public double windowSeconds() {
        return (double) readoutFrames * fbank.frameShift() / SAMPLE_RATE;
    }

    /** How long after a frame's time its output (and a decision on it) is reported: the model's look-ahead. */
    public double lookAheadSeconds() {
        return (double) lookAhead * fbank.frameShift() / SAMPLE_RATE;
    }

    /** Samples pushed so far. */
    public long samples() {
        return features.samples() + waitingCount;
    }

    private void onFeatures(float[] mel) {
        long t = framesSeen++;
        double energy = measure ? hopEnergy[(int) (t & 3)] + hopEnergy[(int) ((t + 1) & 3)] : 0;
        if (speech != null) speech.add(10 * Math.log10(energy / GATE_SAMPLES + 1e-12));
        if (gateSum >= 0 && energy < gateSum) {
            gated++;
            return;
        }
        if (continuous()) {
            if (given - windowEmitted >= frameOf.length) {
                speechOf = grow(speechOf, windowEmitted);
                frameOf = grow(frameOf, windowEmitted);
            }
            // presence is kept per frame: in a group, frames are stepped after the tick has read all its audio
            speechOf[(int) (given % speechOf.length)] = speechPresent();
            frameOf[(int) (given++ % frameOf.length)] = t;
        }
        float[] x = queued ? (spare.isEmpty() ? new float[frame.length] : spare.poll()) : frame;
        System.arraycopy(mel, 0, x, 0, x.length);
        input.normalise(x, 0, x.length);
        if (queued) {
            pending.add(x);
        } else {
            step(x);
        }
    }

    /** This session's model stream, for {@link SessionGroup}. */
    StreamingModel.FrameStream stream() {
        return model;
    }

    /** The oldest frame waiting for a tick, or null. */
    float[] nextPending() {
        return pending.peek();
    }

    /**
     * Takes the result {@code y} of stepping {@link #nextPending()} (stepped by the group) and reports it;
     * returns true when that was the window's last frame: then the group flushes the model and calls {@link #endWindow}.
     */
    boolean stepped(float[] y) {
        spare.add(pending.poll());
        return afterStep(y);
    }

    /** Gives one frame to the model; the window's last frame flushes it and starts the next window. */
    private void step(float[] x) {
        if (afterStep(model.step(x, 0))) endWindow(model.flush());
    }

    /** Reports a step's output, if any; returns true after the window's last frame. */
    private boolean afterStep(float[] y) {
        if (continuous()) {
            lastStepped = frameOf[(int) (windowPushed % frameOf.length)];
            speechNow = speechOf[(int) (windowPushed % speechOf.length)];
        } else {
            lastStepped = window * input.frames() + windowPushed;
        }
        windowPushed++;
        if (y != null) output(y);
        return !continuous() && windowPushed == input.frames();
    }

    /** Reports the window's remaining outputs {@code rest} (the flushed model's) and starts the next window. */
    void endWindow(List<float[]> rest) {
        for (float[] last : rest) output(last);
        model.reset();
        tracker.reset();
        window++;
        windowPushed = 0;
        windowEmitted = 0;
    }

    /** {@code ring} twice as long, its entries from index {@code from} on kept at their positions mod the new length. */
    private boolean[] grow(boolean[] ring, long from) {
        boolean[] bigger = new boolean[2 * ring.length];
        for (long k = from; k < given; k++) bigger[(int) (k % bigger.length)] = ring[(int) (k % ring.length)];
        return bigger;
    }

    /** {@code ring} twice as long, its entries from index {@code from} on kept at their positions mod the new length. */
    private long[] grow(long[] ring, long from) {
        long[] bigger = new long[2 * ring.length];
        for (long k = from; k < given; k++) bigger[(int) (k % bigger.length)] = ring[(int) (k % ring.length)];
        return bigger;
    }

    /**
     * When the output being reported became known: the end of the frame just given to the model (its
     * output is the look-ahead earlier), or, for outputs that needed {@link #finish()}, the end of the
     * input. It depends on the audio only, not on how it was chunked or when a group ticked.
     */
    private double knownAt() {
        return finishing ? (double) features.samples() / SAMPLE_RATE : seconds(lastStepped);
    }

    private void output(float[] logits) {
        long t = continuous() ? frameOf[(int) (windowEmitted % frameOf.length)] : window * input.frames() + windowEmitted;
        windowEmitted++;
        double at = seconds(t);
        listener.onFrame(t, at, logits);
        if (continuous()) {
            int label = spotter.offer(logits, 0, t, finishing ? speechPresent() : speechNow);
            if (label >= 0) {
                long f = spotter.eventFrame();
                listener.onKeyword(new Keyword(f, seconds(f), label, spotter.eventScore(), knownAt()));
            }
            return;
        }
        if (tracker.decided() >= 0) return;
        int label = tracker.offer(logits, 0, classes);
        boolean last = windowEmitted == input.frames();
        if (label >= 0 || last) {
            double knownAt = knownAt();
            listener.onDecision(new Decision(window, t, at, tracker.top(), tracker.probability(), label >= 0, knownAt));
        }
    }
}
