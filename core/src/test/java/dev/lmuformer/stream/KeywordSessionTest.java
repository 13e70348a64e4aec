package dev.lmuformer.stream;

import dev.lmuformer.audio.Fbank;
import dev.lmuformer.model.LmuRnnConv1d;
import dev.lmuformer.model.ModelConfig;
import dev.lmuformer.model.Models;
import dev.lmuformer.stream.SessionFixtures.Recorder;
import dev.lmuformer.testing.TensorAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static dev.lmuformer.stream.SessionFixtures.CLASSES;
import static dev.lmuformer.stream.SessionFixtures.INPUT;
import static dev.lmuformer.stream.SessionFixtures.RATE;
import static dev.lmuformer.stream.SessionFixtures.audio;
import static dev.lmuformer.stream.SessionFixtures.smallModel;
import static dev.lmuformer.stream.SessionFixtures.spikingModel;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Audio in, per-frame logits and decisions out: chunking, parity with the parallel pipeline, windows, decisions. */
class KeywordSessionTest {
    private static final LmuRnnConv1d MODEL = (LmuRnnConv1d) smallModel(LmuRnnConv1d.ARCH);
    private static final StreamingModel STREAMING = StreamingModel.of(MODEL);

    private static Recorder stream(float[] w, int chunk, EarlyDecision rule) {
        return SessionFixtures.stream(STREAMING, w, chunk, rule);
    }

    /** The parallel model's per-frame logits [N, classes] for the clip made of fbank frames [from, from + N). */
    private static float[] parallel(float[][] fbank, int from) {
        float[][] clip = Arrays.copyOfRange(fbank, from, Math.min(fbank.length, from + INPUT.frames()));
        return MODEL.allSeqLogits(INPUT.apply(clip, Fbank.DEFAULT_MEL_BINS).data, 1, INPUT.frames());
    }

    @Test
    void chunkSizeDoesNotChangeAnyOutput() {
        float[] w = audio(RATE, 1);
        Recorder whole = stream(w, w.length, EarlyDecision.DEFAULT);
        for (int chunk : new int[] {1, 160, 1000}) {
            Recorder r = stream(w, chunk, EarlyDecision.DEFAULT);
            assertArrayEquals(whole.flat(), r.flat(), "chunk " + chunk);
            assertEquals(whole.decisions, r.decisions, "chunk " + chunk);
        }
        short[] pcm = new short[w.length];
        float[] quantised = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            pcm[i] = (short) Math.round(w[i] * 32768);
            quantised[i] = pcm[i] / 32768f;
        }
        Recorder fromPcm = new Recorder();
        KeywordSession s = new KeywordSession(STREAMING, INPUT, EarlyDecision.DEFAULT, fromPcm);
        for (int off = 0; off < pcm.length; off += 777) s.push(pcm, off, Math.min(777, pcm.length - off));
        s.finish();
        assertArrayEquals(stream(quantised, 500, EarlyDecision.DEFAULT).flat(), fromPcm.flat(), "16-bit input");
    }

    @Test
    void everyWindowEqualsTheParallelPipelineOnItsClip() {
        Fbank fb = Fbank.forRate(RATE);
        double worst = 0;
        for (int samples : new int[] {8000, RATE, 24000, 2 * 128 * 160 + 240}) {
            float[] w = audio(samples, samples);
            float[][] fbank = fb.compute(w);
            Recorder r = stream(w, 333, EarlyDecision.DEFAULT);
            int windows = (fbank.length + INPUT.frames() - 1) / INPUT.frames();
            assertEquals(windows * INPUT.frames(), r.logits.size(), samples + " samples: whole windows");
            assertEquals(windows, r.decisions.size(), "one decision per window");
            float[] got = r.flat();
            for (int k = 0; k < windows; k++) {
                float[] expected = parallel(fbank, k * INPUT.frames());
                float[] window = Arrays.copyOfRange(got, k * expected.length, (k + 1) * expected.length);
                TensorAssert.assertTensorClose(samples + " samples, window " + k, expected, window, 1e-4);
                worst = Math.max(worst, TensorAssert.relError(expected, window));
            }
            for (int t = 0; t < r.times.size(); t++) {
                assertEquals(t, r.frames.get(t), "frames in order");
                assertEquals(0.025 + 0.01 * t, r.times.get(t), 1e-9);
            }
        }
        System.out.printf("session against parallel all_seq: relative error %.3g%n", worst);
    }

    @Test
    void withoutAnEarlyDecisionAWindowReportsItsLastFrame() {
        float[] w = audio(RATE, 2);
        Recorder r = stream(w, 4000, new EarlyDecision(1.0, 1000));
        assertEquals(1, r.decisions.size());
        KeywordSession.Decision d = r.decisions.get(0);
        assertFalse(d.early());
        assertEquals(INPUT.frames() - 1, d.frame());
        float[] last = r.logits.get(INPUT.frames() - 1);
        int top = 0;
        for (int j = 1; j < CLASSES; j++) if (last[j] > last[top]) top = j;
        assertEquals(top, d.label());
        assertEquals(0, d.window());
    }

    @Test
    void aLowThresholdDecidesAfterHoldFramesOnce() {
        float[] w = audio(RATE, 3);
        // A probability every frame reaches: the decision comes on the first frame that ends a run of
        // `hold` frames with the same top class.
        for (int hold : new int[] {1, 4}) {
            Recorder r = stream(w, RATE, new EarlyDecision(1e-6, hold));
            assertEquals(1, r.decisions.size());
            KeywordSession.Decision d = r.decisions.get(0);
            assertTrue(d.early());
            int run = 0, previous = -1;
            long expected = -1;
            for (int t = 0; t < r.logits.size() && expected < 0; t++) {
                float[] l = r.logits.get(t);
                int top = 0;
                for (int j = 1; j < CLASSES; j++) if (l[j] > l[top]) top = j;
                run = top == previous ? run + 1 : 1;
                previous = top;
                if (run == hold) expected = t;
            }
            assertEquals(expected, d.frame(), "hold " + hold);
            assertEquals(previous, d.label());
            assertEquals(0.025 + 0.01 * expected, d.seconds(), 1e-9);
        }
    }

    @Test
    void sessionsAreIndependentAndReusable() {
        float[] a = audio(RATE, 4), b = audio(RATE, 5);
        Recorder ra = new Recorder(), rb = new Recorder();
        KeywordSession sa = new KeywordSession(STREAMING, INPUT, EarlyDecision.DEFAULT, ra);
        KeywordSession sb = new KeywordSession(STREAMING, INPUT, EarlyDecision.DEFAULT, rb);
        for (int off = 0; off < RATE; off += 160) {
            sa.push(a, off, 160);
            sb.push(b, off, 160);
        }
        sa.finish();
        sb.finish();
        assertArrayEquals(stream(a, RATE, EarlyDecision.DEFAULT).flat(), ra.flat());
        assertArrayEquals(stream(b, RATE, EarlyDecision.DEFAULT).flat(), rb.flat());
        assertThrows(IllegalStateException.class, () -> sa.push(a, 0, 1));
        sa.finish(); // a second finish changes nothing
        assertEquals(INPUT.frames(), ra.logits.size());
        Recorder again = new Recorder();
        KeywordSession sc = new KeywordSession(STREAMING, INPUT, EarlyDecision.DEFAULT, again);
        sc.push(b, 0, 5000);
        int before = again.logits.size();
        assertTrue(before > 0);
        sc.reset();
        sc.push(a, 0, a.length);
        sc.finish();
        float[] all = again.flat();
        assertArrayEquals(ra.flat(), Arrays.copyOfRange(all, before * CLASSES, all.length), "after reset the session starts afresh");
        assertEquals(0L, again.frames.get(before), "frame numbers start again");
    }

    /** A small Spiking LMUFormer whose neurons fire: its streams are stepped one by one (the default {@code stepAll}). */
    private static StreamingModel spiking() {
        return StreamingModel.of(spikingModel());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"lmu_rnn_conv1d", "slmu_rnn_ms_conv1d"})
    void aSessionGroupReportsWhatEachSessionReportsAlone(String arch) {
        StreamingModel model = arch.equals(LmuRnnConv1d.ARCH) ? STREAMING : spiking();
        int[] lengths = {2 * RATE + 777, RATE, 3000, 399, RATE / 2};
        int[] chunks = {160, 333, 1000, 1, 2500};
        float[][] audio = new float[lengths.length][];
        for (int i = 0; i < lengths.length; i++) audio[i] = audio(lengths[i], 10 + i);
        SessionFixtures.GroupRun run = SessionFixtures.runGroup(model, EarlyDecision.DEFAULT, audio, chunks, 2);
        Recorder[] got = run.got();
        long stepped = run.stepped();
        long frames = 0;
        for (int i = 0; i < lengths.length; i++) {
            Recorder alone = SessionFixtures.stream(model, audio[i], chunks[i], EarlyDecision.DEFAULT);
            assertArrayEquals(alone.flat(), got[i].flat(), "session " + i);
            assertEquals(alone.frames, got[i].frames, "session " + i);
            assertEquals(alone.decisions.size(), got[i].decisions.size(), "session " + i);
            for (int d = 0; d < alone.decisions.size(); d++) {
                KeywordSession.Decision a = alone.decisions.get(d), g = got[i].decisions.get(d);
                assertEquals(List.of(a.window(), a.frame(), a.label(), a.probability(), a.early()),
                        List.of(g.window(), g.frame(), g.label(), g.probability(), g.early()), "session " + i + " decision " + d);
            }
            frames += lengths[i] < 400 ? 0 : 1 + (lengths[i] - 400) / 160;
        }
        int finishedAlone = (1 + (3000 - 400) / 160) - (1 + (2000 - 400) / 160); // session 2's frames of its last chunk
        assertEquals(frames - finishedAlone, stepped, "every audio frame but those stepped by session 2's finish went through tick()");
        StreamingModel other = StreamingModel.of(MODEL);
        assertThrows(IllegalArgumentException.class, () -> STREAMING.stepAll(new StreamingModel.FrameStream[]{other.open()},
                new float[][]{new float[Fbank.DEFAULT_MEL_BINS]}, new float[1][], 1), "a stream of another model");
    }

    @Test
    void inputShorterThanOneFrameYieldsNothing() {
        Recorder r = stream(audio(399, 6), 100, EarlyDecision.DEFAULT);
        assertTrue(r.logits.isEmpty());
        assertTrue(r.decisions.isEmpty());
    }

    @Test
    void refusesAModelThatDoesNotTakeMelFrames() {
        LmuRnnConv1d m = (LmuRnnConv1d) Models.create(ModelConfig.fromMap(LmuRnnConv1d.ARCH,
                Map.of("embed_dims", 8, "in_channels", 4, "num_classes", 3, "seq_len", 6)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new KeywordSession(StreamingModel.of(m), INPUT, EarlyDecision.DEFAULT, new KeywordSession.Listener() { }));
        assertTrue(e.getMessage().contains("4 features"), e.getMessage());
    }
}
