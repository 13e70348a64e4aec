package dev.lmuformer.stream;

import dev.lmuformer.audio.Fbank;
import dev.lmuformer.audio.ModelInput;
import dev.lmuformer.model.SequenceModel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The per-frame keyword scores of a whole recording, kept so that a {@link ContinuousRule} can be
 * replayed on them with other thresholds (a threshold sweep costs no model steps). Two readouts:
 * {@link #continuous} — what a continuous {@link KeywordSession} computes, one model state that is
 * never reset, a sliding readout — and {@link #staggered}, the other design measured for it: K model
 * states started N/K frames apart and reset every N frames, each frame scored by the best of them.
 */
public final class ReadoutTrace {
    private final double[] scores; // (rows, classes)
    private final long[] frameOf;  // (rows) the stream frame of each row: all frames, or those an energy gate let through
    private final double[] speech; // (rows) dB the loudest recent frame stood above the noise floor (SpeechPresence)
    private final int classes;
    private final int frames;
    private final double lookAheadSeconds;

    private ReadoutTrace(double[] scores, long[] frameOf, double[] speech, int classes, double lookAheadSeconds) {
        this.scores = scores;
        this.speech = speech;
        this.frameOf = frameOf;
        this.classes = classes;
        this.frames = frameOf.length;
        this.lookAheadSeconds = lookAheadSeconds;
    }

    /**
     * The scores a continuous {@link KeywordSession} over {@code model} with {@code rule} sees for
     * {@code audio} (16 kHz), in frame order, the last frames flushed at the end. They depend on the
     * rule's score, readout window and gate only: rules that differ in thresholds,
     * hold, refractory period, decision window, lockout or speech margin replay on them ({@link #events}):
     * each row keeps the speech level the session measured, not the rule's verdict on it. Frames the
     * gate skips get no scores.
     */
    public static ReadoutTrace continuous(StreamingModel model, ModelInput input, float[] audio, ContinuousRule rule) {
        int k = model.numClasses();
        ContinuousRule.Score score = rule.score();
        List<double[]> rows = new ArrayList<>();
        List<Long> frameNumbers = new ArrayList<>();
        List<Double> level = new ArrayList<>();
        KeywordSession[] self = new KeywordSession[1];
        KeywordSession session = self[0] = new KeywordSession(model, input, rule, new KeywordSession.Listener() {
            @Override
            public void onFrame(long frame, double seconds, float[] logits) {
                double[] s = new double[k];
                score.of(logits, 0, s);
                rows.add(s);
                frameNumbers.add(frame);
                level.add(self[0].speechExcess());
            }
        }, false, true);
        session.push(audio, 0, audio.length);
        session.finish();
        double[] all = new double[rows.size() * k];
        for (int t = 0; t < rows.size(); t++) System.arraycopy(rows.get(t), 0, all, t * k, k);
        double[] speech = level.stream().mapToDouble(Double::doubleValue).toArray();
        return new ReadoutTrace(all, frameNumbers.stream().mapToLong(Long::longValue).toArray(), speech, k, session.lookAheadSeconds());
    }

    /**
     * Candidate (a) of continuous spotting, computed exactly with the parallel model: state s
     * ({@code 0 ≤ s < states}) starts at frame {@code s·N/states} and is reset every N frames
     * ({@code N = input.frames()}), so its window j is a clip to the model, frames
     * {@code [s·N/states + j·N, … + N)}, read out by {@code allSeqLogits} (windowed sessions give the
     * same to 1e-4, {@code KeywordSessionTest}). Each frame's score is, per class, the best over
     * the states whose window holds it. Frames before a state's first window are covered by the
     * states started earlier; the stream's last window is padded as a short clip. {@code lookAhead}
     * is the model's streaming look-ahead in frames, for the events' {@code knownAt}.
     */
    public static ReadoutTrace staggered(SequenceModel model, int lookAhead, ModelInput input, float[] audio, int states, ContinuousRule.Score score) {
        if (states < 1) throw new IllegalArgumentException("need at least one state, got " + states);
        int n = input.frames(), f = Fbank.DEFAULT_MEL_BINS, k = model.numClasses();
        float[][] mel = Fbank.forRate(KeywordSession.SAMPLE_RATE).compute(audio);
        int total = mel.length;
        float[] padding = new float[f];
        input.normalise(padding, 0, f);
        double[] best = new double[total * k];
        Arrays.fill(best, Double.NEGATIVE_INFINITY);
        double[] s = new double[k];
        int batch = 32;
        float[] x = new float[batch * n * f];
        List<Integer> starts = new ArrayList<>();
        for (int st = 0; st < states; st++) {
            for (int w = st * n / states; w < total; w += n) starts.add(w);
        }
        for (int b0 = 0; b0 < starts.size(); b0 += batch) {
            int b = Math.min(batch, starts.size() - b0);
            for (int i = 0; i < b; i++) {
                int w = starts.get(b0 + i);
                for (int t = 0; t < n; t++) {
                    int off = (i * n + t) * f;
                    if (w + t < total) {
                        System.arraycopy(mel[w + t], 0, x, off, f);
                        input.normalise(x, off, f);
                    } else {
                        System.arraycopy(padding, 0, x, off, f);
                    }
                }
            }
            float[] logits = model.allSeqLogits(x, b, n); // [N, B, classes]
            for (int i = 0; i < b; i++) {
                int w = starts.get(b0 + i);
                for (int t = 0; t < n && w + t < total; t++) {
                    score.of(logits, (t * b + i) * k, s);
                    int row = (w + t) * k;
                    for (int c = 0; c < k; c++) best[row + c] = Math.max(best[row + c], s[c]);
                }
            }
        }
        double[] speech = new double[total];
        Arrays.fill(speech, Double.POSITIVE_INFINITY); // no speech condition
        return new ReadoutTrace(best, java.util.stream.LongStream.range(0, total).toArray(), speech, k,
                KeywordSession.frameSeconds(lookAhead) - KeywordSession.frameSeconds(0));
    }

    /** Rows traced: one per frame the model read out. */
    public int frames() {
        return frames;
    }

    /** The stream frame of row {@code r} (the row itself unless an energy gate skipped frames). */
    public long frame(int r) {
        return frameOf[r];
    }

    /** Classes per frame. */
    public int classes() {
        return classes;
    }

    /** Score of class {@code c} in row {@code t}. */
    public double score(int t, int c) {
        return scores[t * classes + c];
    }


    /**
     * The keywords {@code rule} emits on these scores, as a continuous session would report them
     * ({@code knownAt}: the frame's time plus the look-ahead).
     */
    public List<KeywordSession.Keyword> events(ContinuousRule rule) {
        if (rule.classes() != classes) throw new IllegalArgumentException("the rule has " + rule.classes() + " classes, the trace " + classes);
        ContinuousRule.Tracker tracker = rule.tracker();
        double margin = rule.speechMargin();
        double[] row = new double[classes];
        List<KeywordSession.Keyword> out = new ArrayList<>();
        for (int t = 0; t < frames; t++) {
            System.arraycopy(scores, t * classes, row, 0, classes);
            int c = tracker.offerScores(row, frameOf[t], margin == 0 || speech[t] >= margin);
            if (c >= 0) {
                long f = tracker.eventFrame();
                out.add(new KeywordSession.Keyword(f, KeywordSession.frameSeconds(f), c, tracker.eventScore(), KeywordSession.frameSeconds(frameOf[t])
                        + lookAheadSeconds));
            }
        }
        return out;
    }
}
