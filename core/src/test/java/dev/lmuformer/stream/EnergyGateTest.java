package dev.lmuformer.stream;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The energy gate of continuous sessions: quiet frames skip the model, the others keep their frame numbers. */
class EnergyGateTest {
    private static final StreamingModel MODEL = StreamingModel.of(SessionFixtures.smallModel(dev.lmuformer.model.LmuRnnConv1d.ARCH));
    private static final ContinuousRule RULE = ContinuousRule.defaults(MODEL.numClasses(), ContinuousRule.Score.SOFTMAX);

    /** 1 s of audio, 1 s of digital silence, 1 s of audio. */
    private static float[] loudQuietLoud() {
        float[] a = SessionFixtures.audio(16000, 3), b = SessionFixtures.audio(16000, 4);
        float[] w = new float[48000];
        System.arraycopy(a, 0, w, 0, a.length);
        System.arraycopy(b, 0, w, 32000, b.length);
        return w;
    }

    @Test
    void aGateBelowTheSignalChangesNothing() {
        float[] w = SessionFixtures.audio(3 * 16000, 9);
        SessionFixtures.Recorder open = SessionFixtures.stream(MODEL, w, 160, RULE);
        SessionFixtures.Recorder gated = SessionFixtures.stream(MODEL, w, 333, RULE.withGate(-120));
        assertEquals(open.frames, gated.frames);
        for (int i = 0; i < open.logits.size(); i++) assertArrayEquals(open.logits.get(i), gated.logits.get(i));
    }

    @Test
    void silentFramesSkipTheModelAndTheRestKeepTheirFrameNumbers() {
        float[] w = loudQuietLoud();
        List<Long> frames = new ArrayList<>();
        KeywordSession s = new KeywordSession(MODEL, SessionFixtures.INPUT, RULE.withGate(-60), new KeywordSession.Listener() {
            @Override
            public void onFrame(long frame, double seconds, float[] logits) {
                frames.add(frame);
            }
        });
        for (int off = 0; off < w.length; off += 217) s.push(w, off, Math.min(217, w.length - off));
        s.finish();
        long total = s.frames();
        assertEquals(1 + (48000 - 400) / 160, total);
        // frames wholly inside the silence [16000, 32000): their first 320 samples start at 160 t ≥ 16000 and end by 32000
        long silent = 0;
        for (long t = 0; t < total; t++) if (160 * t >= 16000 && 160 * t + 320 <= 32000) silent++;
        assertEquals(silent, s.gatedFrames(), "exactly the silent frames are gated");
        assertEquals(total - silent, frames.size(), "one output per frame given to the model");
        for (int i = 1; i < frames.size(); i++) assertTrue(frames.get(i) > frames.get(i - 1));
        assertTrue(frames.stream().noneMatch(t -> 160 * t >= 16000 && 160 * t + 320 <= 32000), "no output for a gated frame");
        assertTrue(frames.contains(total - 1) && frames.contains(0L));
    }

    @Test
    void theGateWorksTheSameInAGroup() {
        float[] w = loudQuietLoud();
        ContinuousRule rule = RULE.withGate(-60);
        SessionFixtures.Recorder alone = SessionFixtures.stream(MODEL, w, 160, rule);
        SessionFixtures.GroupRun group = SessionFixtures.runGroup(MODEL, rule, new float[][]{w, w}, new int[]{160, 999}, -1);
        for (SessionFixtures.Recorder got : group.got()) {
            assertEquals(alone.frames, got.frames);
            for (int i = 0; i < alone.logits.size(); i++) assertArrayEquals(alone.logits.get(i), got.logits.get(i));
        }
    }

    @Test
    void gateLevelsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> RULE.withGate(3));
        assertThrows(IllegalArgumentException.class, () -> RULE.withGate(Double.NaN));
    }

    @Test
    void speechIsPresentUntilHalfASecondAfterTheSound() {
        float[] w = loudQuietLoud();
        List<Double> silent = new ArrayList<>();
        List<Double> present = new ArrayList<>();
        KeywordSession[] self = new KeywordSession[1];
        self[0] = new KeywordSession(MODEL, SessionFixtures.INPUT, RULE.withSpeechMargin(10), new KeywordSession.Listener() {
            @Override
            public void onFrame(long frame, double seconds, float[] logits) {
                (self[0].speechPresent() ? present : silent).add(seconds);
            }
        });
        for (int off = 0; off < w.length; off += 160) self[0].push(w, off, Math.min(160, w.length - off));
        self[0].finish();
        // at the start the floor is the sound itself: nothing stands above it until the stream has been quieter
        assertTrue(silent.stream().allMatch(t -> t < 0.2 || t > 1.4 && t < 2.1), "no speech only at the start and well inside the silence: " + silent);
        assertTrue(silent.stream().anyMatch(t -> t > 1.6 && t < 1.9), "and there: " + silent.size());
        assertTrue(present.stream().anyMatch(t -> t > 2.2), "speech again after it");
        assertTrue(new KeywordSession(MODEL, SessionFixtures.INPUT, RULE, new KeywordSession.Listener() { }).speechPresent(),
                "without a margin there is always speech");
    }
}
