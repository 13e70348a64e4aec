package dev.lmuformer.stream;

import dev.lmuformer.audio.Fbank;
import dev.lmuformer.model.ModelFeatures;
import dev.lmuformer.model.LmuRnnConv1d;
import dev.lmuformer.model.ModelConfig;
import dev.lmuformer.model.Models;
import dev.lmuformer.model.PsmnistLmu;
import dev.lmuformer.model.SequenceModel;
import dev.lmuformer.model.StateDict;
import dev.lmuformer.stream.ContinuousRule.Score;
import dev.lmuformer.stream.SessionFixtures.Recorder;
import dev.lmuformer.testing.TensorAssert;
import dev.lmuformer.testing.TinySpeechCommands;
import com.fasterxml.jackson.jr.ob.JSON;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.lmuformer.stream.SessionFixtures.CLASSES;
import static dev.lmuformer.stream.SessionFixtures.INPUT;
import static dev.lmuformer.stream.SessionFixtures.RATE;
import static dev.lmuformer.stream.SessionFixtures.smallModel;
import static dev.lmuformer.stream.SessionFixtures.spikingModel;
import static dev.lmuformer.stream.SessionFixtures.stream;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Continuous sessions (a {@link ContinuousRule}): one model state over the whole stream with a sliding
 * readout of {@code input.frames()} frames, against the windowed session, the parallel model over the
 * whole stream, other chunkings, a {@link SessionGroup} and {@link ReadoutTrace}.
 */
class ContinuousSessionTest {
    private static final int N = INPUT.frames();
    private static final LmuRnnConv1d LMU = (LmuRnnConv1d) smallModel(LmuRnnConv1d.ARCH);
    private static final SequenceModel SPIKING = spikingModel();
    private static final StreamingModel LMU_STREAM = StreamingModel.of(LMU);
    private static final StreamingModel SPIKING_STREAM = StreamingModel.of(SPIKING);

    private static SequenceModel parallel(String arch) {
        return arch.equals(LmuRnnConv1d.ARCH) ? LMU : SPIKING;
    }

    private static StreamingModel streaming(String arch) {
        return arch.equals(LmuRnnConv1d.ARCH) ? LMU_STREAM : SPIKING_STREAM;
    }

    /**
     * Seeded noise and chirps whose loudness jumps every quarter of a second, from near silence to
     * loud: a recording over which a random model's scores rise and fall.
     */
    private static float[] noisyAudio(int samples, long seed) {
        return TinySpeechCommands.busyAudio(samples, RATE, seed);
    }

    /** A rule that a random model fires now and then: every class at the median of the frames' best scores, hold 3, refractory 20. */
    private static ContinuousRule busyRule(StreamingModel model, float[] audio, Score score) {
        ReadoutTrace trace = ReadoutTrace.continuous(model, INPUT, audio, ContinuousRule.of(CLASSES, 0.5, 3, 20, score));
        double[] top = new double[trace.frames()];
        for (int t = 0; t < top.length; t++) {
            top[t] = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < CLASSES; c++) top[t] = Math.max(top[t], trace.score(t, c));
        }
        Arrays.sort(top);
        return ContinuousRule.of(CLASSES, top[top.length / 2], 3, 20, score);
    }

    /** The default rule with a readout of the clip's length, N frames. */
    private static ContinuousRule quietRule() {
        return ContinuousRule.defaults(CLASSES, Score.SOFTMAX).withWindow(0);
    }

    /** The model input of the whole recording: every fbank frame normalised, nothing cut or padded, {@code [1, T, F]}. */
    private static float[] wholeInput(float[][] mel) {
        int f = Fbank.DEFAULT_MEL_BINS;
        float[] x = new float[mel.length * f];
        for (int t = 0; t < mel.length; t++) {
            System.arraycopy(mel[t], 0, x, t * f, f);
            INPUT.normalise(x, t * f, f);
        }
        return x;
    }

    private static List<Object> withoutKnownAt(KeywordSession.Keyword k) {
        return List.of(k.frame(), k.seconds(), k.label(), k.score());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"lmu_rnn_conv1d", "slmu_rnn_ms_conv1d"})
    void theFirstWindowIsTheWindowedSessionsFirstWindow(String arch) {
        StreamingModel model = streaming(arch);
        int la = model.lookAhead();
        // a stream of exactly N frames: both sessions see the same frames and the same end padding
        float[] clip = noisyAudio(160 * (N - 1) + 400, 1);
        Recorder continuous = stream(model, clip, 333, quietRule());
        Recorder windowed = stream(model, clip, 333, EarlyDecision.DEFAULT);
        assertEquals(N, continuous.logits.size());
        assertEquals(N, windowed.logits.size());
        assertArrayEquals(windowed.flat(), continuous.flat(), "a stream of one window");

        // a longer stream: the windowed session ends its first window with padding where the
        // continuous one sees the next frames, so only the outputs before the look-ahead agree
        float[] longer = noisyAudio(2 * RATE, 2);
        continuous = stream(model, longer, 1000, quietRule());
        windowed = stream(model, longer, 1000, EarlyDecision.DEFAULT);
        for (int t = 0; t < N - la; t++) {
            assertArrayEquals(windowed.logits.get(t), continuous.logits.get(t), "frame " + t);
            assertEquals(windowed.times.get(t), continuous.times.get(t));
        }
        for (int t = 0; t < continuous.frames.size(); t++) assertEquals(t, continuous.frames.get(t), "frames in order");
        assertTrue(continuous.decisions.isEmpty(), "a continuous session makes no window decisions");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, ContinuousRule.DEFAULT_WINDOW})
    void everyFrameIsTheHeadOnTheMeanOfTheLastNFramesOfTheParallelModel(int window) {
        float[] w = noisyAudio(RATE * 7 / 2, 3);
        float[][] mel = Fbank.forRate(RATE).compute(w);
        int frames = mel.length;
        int n = window == 0 ? N : window;
        assertTrue(frames > 2 * N);
        Recorder r = stream(LMU_STREAM, w, 160, quietRule().withWindow(window));
        assertEquals(frames, r.logits.size(), "one output per frame, the last ones from finish()");

        LMU.forward(wholeInput(mel), 1, frames, false);
        float[] features = ModelFeatures.lastFeatures(LMU); // [1, T, C]
        StateDict.Entry weight = LMU.state().entries().get("head.weight"), bias = LMU.state().entries().get("head.bias");
        int c = weight.shape()[1];
        assertEquals(CLASSES, weight.shape()[0]);
        assertEquals(frames * c, features.length);
        float[] expected = new float[frames * CLASSES];
        double[] mean = new double[c];
        for (int t = 0; t < frames; t++) {
            int from = Math.max(0, t - n + 1);
            Arrays.fill(mean, 0);
            for (int s = from; s <= t; s++) for (int j = 0; j < c; j++) mean[j] += features[s * c + j];
            for (int k = 0; k < CLASSES; k++) {
                double y = bias.data()[k];
                for (int j = 0; j < c; j++) y += weight.data()[k * c + j] * mean[j] / (t - from + 1);
                expected[t * CLASSES + k] = (float) y;
            }
        }
        TensorAssert.assertTensorClose("continuous session vs head(mean of the last N parallel features)", expected, r.flat(), 1e-4);
        System.out.printf("continuous session against the parallel model over %d frames: relative error %.3g%n",
                frames, TensorAssert.relError(expected, r.flat()));
    }

    @ParameterizedTest(name = "{0}, {1}")
    @CsvSource({"lmu_rnn_conv1d, SIGMOID", "lmu_rnn_conv1d, SOFTMAX", "slmu_rnn_ms_conv1d, SIGMOID", "slmu_rnn_ms_conv1d, SOFTMAX"})
    void chunkSizeDoesNotChangeFramesOrEvents(String arch, Score score) {
        StreamingModel model = streaming(arch);
        float[] w = noisyAudio(RATE * 7 / 2, 4);
        ContinuousRule rule = busyRule(model, w, score);
        Recorder whole = stream(model, w, w.length, rule);
        assertTrue(whole.keywords.size() >= 2, "the rule fires on this recording: " + whole.keywords.size() + " events");
        for (int chunk : new int[] {1, 160, 1000}) {
            Recorder r = stream(model, w, chunk, rule);
            assertArrayEquals(whole.flat(), r.flat(), "chunk " + chunk);
            assertEquals(whole.frames, r.frames, "chunk " + chunk);
            assertEquals(whole.keywords, r.keywords, "chunk " + chunk);
        }
    }

    @Test
    void keywordsComeWithTheirFrameTimeAndWhenTheyWereKnown() {
        float[] w = noisyAudio(RATE * 7 / 2, 4);
        ContinuousRule rule = busyRule(LMU_STREAM, w, Score.SIGMOID);
        Recorder r = stream(LMU_STREAM, w, 777, rule);
        assertFalse(r.keywords.isEmpty(), "the rule fires on this recording");
        int frames = r.logits.size();
        for (KeywordSession.Keyword k : r.keywords) {
            assertEquals(0.025 + 0.01 * k.frame(), k.seconds(), 1e-9);
            double[] s = new double[CLASSES];
            Score.SIGMOID.of(r.logits.get((int) k.frame()), 0, s);
            assertEquals(s[k.label()], k.score(), "the score of its frame");
            assertTrue(s[k.label()] >= rule.threshold(k.label()));
            double knownAt = k.frame() + LMU_STREAM.lookAhead() < frames ? k.seconds() + 0.01 * LMU_STREAM.lookAhead() : (double) w.length / RATE;
            assertEquals(knownAt, k.knownAt(), 1e-9, "known once its look-ahead was pushed, or at the end");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"lmu_rnn_conv1d", "slmu_rnn_ms_conv1d"})
    void aContinuousSessionGroupReportsWhatEachSessionReportsAlone(String arch) {
        StreamingModel model = streaming(arch);
        int[] lengths = {3 * RATE + 777, 2 * RATE, 3000, 399, RATE / 2};
        int[] chunks = {160, 333, 1000, 1, 2500};
        float[][] audio = new float[lengths.length][];
        for (int i = 0; i < lengths.length; i++) audio[i] = noisyAudio(lengths[i], 20 + i);
        ContinuousRule rule = busyRule(model, audio[0], Score.SOFTMAX);
        SessionFixtures.GroupRun run = SessionFixtures.runGroup(model, rule, audio, chunks, 2);
        int events = 0;
        long frames = 0;
        for (int i = 0; i < lengths.length; i++) {
            Recorder alone = stream(model, audio[i], chunks[i], rule), got = run.got()[i];
            assertArrayEquals(alone.flat(), got.flat(), "session " + i);
            assertEquals(alone.frames, got.frames, "session " + i);
            assertEquals(alone.keywords.size(), got.keywords.size(), "session " + i);
            for (int e = 0; e < alone.keywords.size(); e++) {
                KeywordSession.Keyword a = alone.keywords.get(e), g = got.keywords.get(e);
                // knownAt is the audio the event needed, not when the group's tick came
                assertEquals(a, g, "session " + i + " event " + e);
            }
            events += alone.keywords.size();
            frames += lengths[i] < 400 ? 0 : 1 + (lengths[i] - 400) / 160;
            assertEquals(lengths[i] < 400 ? 0 : 1 + (lengths[i] - 400) / 160, got.logits.size(), "session " + i + ": no padding frames");
        }
        assertTrue(events >= 2, "the rule fires: " + events + " events");
        int finishedAlone = (1 + (3000 - 400) / 160) - (1 + (2000 - 400) / 160); // session 2's frames of its last chunk
        assertEquals(frames - finishedAlone, run.stepped(), "every audio frame but those stepped by session 2's finish went through tick()");
    }

    @Test
    void aGroupWaitsForSpeechFrameByFrameAsASessionAlone() {
        // a group reads a tick's audio before it steps its frames: speech presence must be the frame's, not the tick's
        int[] lengths = {6 * RATE + 777, 6 * RATE};
        int[] chunks = {16000, 8000};
        float[][] audio = new float[lengths.length][];
        for (int i = 0; i < lengths.length; i++) {
            // 0.4 s loud, 1.6 s near silence, again and again: speech comes and goes
            audio[i] = noisyAudio(lengths[i], 40 + i);
            for (int k = 0; k < lengths[i]; k++) if (k % (2 * RATE) >= RATE * 2 / 5) audio[i][k] *= 0.01f;
        }
        ContinuousRule rule = busyRule(LMU_STREAM, audio[0], Score.SOFTMAX).withSpeechMargin(20);
        SessionFixtures.GroupRun run = SessionFixtures.runGroup(LMU_STREAM, rule, audio, chunks, 2);
        int afterSpeech = 0;
        for (int i = 0; i < lengths.length; i++) {
            Recorder alone = stream(LMU_STREAM, audio[i], 160, rule);
            assertEquals(alone.keywords, run.got()[i].keywords, "session " + i);
            // events in the half second after a loud stretch: a tick's later audio, already silent, must not hold them back
            for (KeywordSession.Keyword k : alone.keywords) if (k.seconds() % 2 > 0.45 && k.seconds() % 2 < 0.9) afterSpeech++;
        }
        assertTrue(afterSpeech >= 1, "events just after speech: " + afterSpeech);
    }

    @ParameterizedTest(name = "{0}, {1}")
    @CsvSource({"lmu_rnn_conv1d, SIGMOID", "slmu_rnn_ms_conv1d, SOFTMAX"})
    void aContinuousTraceReplaysTheSessionsEvents(String arch, Score score) {
        StreamingModel model = streaming(arch);
        float[] w = noisyAudio(RATE * 7 / 2, 5);
        ContinuousRule rule = busyRule(model, w, score);
        Recorder live = stream(model, w, 160, rule);
        ReadoutTrace trace = ReadoutTrace.continuous(model, INPUT, w, rule);
        assertEquals(live.logits.size(), trace.frames());
        assertEquals(CLASSES, trace.classes());
        double[] s = new double[CLASSES];
        for (int t = 0; t < trace.frames(); t++) {
            score.of(live.logits.get(t), 0, s);
            for (int c = 0; c < CLASSES; c++) assertEquals(s[c], trace.score(t, c), "frame " + t + " class " + c);
        }
        List<KeywordSession.Keyword> replayed = trace.events(rule);
        assertTrue(live.keywords.size() >= 2, "the rule fires: " + live.keywords.size() + " events");
        assertEquals(live.keywords.stream().map(ContinuousSessionTest::withoutKnownAt).toList(),
                replayed.stream().map(ContinuousSessionTest::withoutKnownAt).toList());
        for (int e = 0; e < replayed.size(); e++) {
            KeywordSession.Keyword k = replayed.get(e);
            assertEquals(k.seconds() + model.lookAhead() * 0.01, k.knownAt(), 1e-9, "event " + e);
            if (k.frame() + model.lookAhead() < trace.frames()) assertEquals(live.keywords.get(e).knownAt(), k.knownAt(), 1e-9, "event " + e);
        }
        ContinuousRule strict = rule.withThreshold(0.999999);
        assertEquals(stream(model, w, RATE, strict).keywords.size(), trace.events(strict).size(), "another threshold, replayed");
        for (double db : new double[] {1, 20, 40, 200}) {
            ContinuousRule margin = rule.withSpeechMargin(db);
            assertEquals(stream(model, w, RATE, margin).keywords.stream().map(ContinuousSessionTest::withoutKnownAt).toList(),
                    trace.events(margin).stream().map(ContinuousSessionTest::withoutKnownAt).toList(), "a speech margin of " + db + " dB, replayed");
        }
        assertEquals(List.of(), trace.events(rule.withSpeechMargin(200)), "no frame stands 200 dB above the floor");
        assertThrows(IllegalArgumentException.class, () -> trace.events(ContinuousRule.defaults(CLASSES + 1, score)));
    }

    @ParameterizedTest(name = "{0}, {1}")
    @CsvSource({"lmu_rnn_conv1d, SOFTMAX", "lmu_rnn_conv1d, SIGMOID", "slmu_rnn_ms_conv1d, SOFTMAX"})
    void aStaggeredTraceOfOneStateIsTheWindowedSession(String arch, Score score) {
        float[] w = noisyAudio(RATE * 7 / 2, 6);
        Recorder windowed = stream(streaming(arch), w, 1000, EarlyDecision.DEFAULT);
        ReadoutTrace trace = ReadoutTrace.staggered(parallel(arch), streaming(arch).lookAhead(), INPUT, w, 1, score);
        int frames = Fbank.forRate(RATE).compute(w).length;
        assertEquals(frames, trace.frames(), "the audio's frames, not the padding of the last window");
        assertTrue(windowed.logits.size() >= frames);
        double[] s = new double[CLASSES];
        double worst = 0;
        for (int t = 0; t < frames; t++) {
            score.of(windowed.logits.get(t), 0, s);
            for (int c = 0; c < CLASSES; c++) {
                assertEquals(s[c], trace.score(t, c), 1e-4, "frame " + t + " class " + c);
                worst = Math.max(worst, Math.abs(s[c] - trace.score(t, c)));
            }
        }
        System.out.printf("%s: staggered trace of one state vs windowed session: worst score difference %.3g%n", arch, worst);
        assertThrows(IllegalArgumentException.class, () -> ReadoutTrace.staggered(parallel(arch), 5, INPUT, w, 0, score));
    }

    @Test
    void aKeywordAsJson() throws IOException {
        KeywordSession.Keyword k = new KeywordSession.Keyword(70, 0.725, 0, 0.97, 0.775);
        assertEquals("{\"type\":\"keyword\",\"word\":\"yes\",\"score\":0.97,\"time\":0.725,\"known_at\":0.775}", k.json("yes"));
        KeywordSession.Keyword rounded = new KeywordSession.Keyword(3, 0.0554999, 1, 0.123456, 1.23456);
        assertEquals("{\"type\":\"keyword\",\"word\":\"no\",\"score\":0.1235,\"time\":0.055,\"known_at\":1.235}", rounded.json("no"));
        String odd = "say \"hi\" \\ now\n";
        Map<String, Object> back = JSON.std.mapFrom(k.json(odd));
        assertEquals(odd, back.get("word"), "quotes, backslashes and newlines are escaped");
        assertEquals(List.of("type", "word", "score", "time", "known_at"), new ArrayList<>(back.keySet()));
    }

    @Test
    void aRuleForAnotherNumberOfClassesIsRefused() {
        for (int k : new int[] {CLASSES - 1, CLASSES + 1}) {
            ContinuousRule rule = ContinuousRule.defaults(k, Score.SIGMOID);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new KeywordSession(LMU_STREAM, INPUT, rule, new KeywordSession.Listener() { }));
            assertTrue(e.getMessage().contains(k + " classes"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new SessionGroup(LMU_STREAM, 2, INPUT, rule, i -> new Recorder()));
        }
        assertTrue(new KeywordSession(LMU_STREAM, INPUT, quietRule(), new Recorder()).continuous());
        assertFalse(new KeywordSession(LMU_STREAM, INPUT, EarlyDecision.DEFAULT, new Recorder()).continuous());
    }

    @Test
    void aPsmnistStreamHasNoWindowedReadout() {
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("hidden_size", 12);
        cfg.put("memory_size", 10);
        cfg.put("seq_len", 20);
        cfg.put("theta", 10.0);
        StreamingModel psmnist = StreamingModel.of(Models.create(ModelConfig.fromMap(PsmnistLmu.ARCH, cfg)));
        for (int window : new int[] {1, 128}) {
            assertThrows(IllegalArgumentException.class, () -> psmnist.open(window), "window " + window);
        }
        StreamingModel.FrameStream s = psmnist.open(0);
        assertEquals(0, s.pushed());
        assertThrows(IllegalArgumentException.class, () -> LMU_STREAM.open(-1), "a negative window");
    }
}
