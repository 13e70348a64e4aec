package dev.lmuformer.stream;

import dev.lmuformer.audio.Fbank;
import dev.lmuformer.audio.ModelInput;
import dev.lmuformer.model.Init;
import dev.lmuformer.model.ModelConfig;
import dev.lmuformer.model.Models;
import dev.lmuformer.model.SequenceModel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Small keyword models, synthetic audio and a recording listener, shared by the session tests. */
final class SessionFixtures {
    static final int CLASSES = 6;
    static final int RATE = KeywordSession.SAMPLE_RATE;
    static final ModelInput INPUT = ModelInput.DEFAULT;

    private SessionFixtures() {
    }

    /** A small model of {@code arch} reading 128 mel bins, initialised from a fixed seed. */
    static SequenceModel smallModel(String arch) {
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("embed_dims", 8);
        cfg.put("in_channels", Fbank.DEFAULT_MEL_BINS);
        cfg.put("seq_len", INPUT.frames());
        cfg.put("num_classes", CLASSES);
        cfg.put("depths", 1);
        SequenceModel m = Models.create(ModelConfig.fromMap(arch, cfg));
        Init.pytorchDefault(m, 3);
        return m;
    }

    /** A small Spiking LMUFormer ({@code slmu_rnn_ms_conv1d}) whose neurons fire. */
    static SequenceModel spikingModel() {
        SequenceModel m = smallModel("slmu_rnn_ms_conv1d");
        StreamHarness.randomNorms(m, 4.0, 8);
        return m;
    }

    /** A chirp with an onset, a DC offset and seeded noise: a clip whose frames all differ. */
    static float[] audio(int samples, long seed) {
        Random r = new Random(seed);
        float[] w = new float[samples];
        for (int i = 0; i < samples; i++) {
            double t = (double) i / RATE;
            double envelope = t < 0.2 ? 0.02 : 0.4 * Math.exp(-(t - 0.2) * 2);
            w[i] = (float) (0.01 + envelope * Math.sin(2 * Math.PI * (300 + 900 * t) * t) + 0.005 * r.nextGaussian());
        }
        return w;
    }

    /** What a session reported: every frame's logits (copied), its times, the decisions and the keywords. */
    static final class Recorder implements KeywordSession.Listener {
        final List<float[]> logits = new ArrayList<>();
        final List<Long> frames = new ArrayList<>();
        final List<Double> times = new ArrayList<>();
        final List<KeywordSession.Decision> decisions = new ArrayList<>();
        final List<KeywordSession.Keyword> keywords = new ArrayList<>();

        @Override
        public void onFrame(long frame, double seconds, float[] l) {
            logits.add(l.clone());
            frames.add(frame);
            times.add(seconds);
        }

        @Override
        public void onDecision(KeywordSession.Decision d) {
            decisions.add(d);
        }

        @Override
        public void onKeyword(KeywordSession.Keyword k) {
            keywords.add(k);
        }

        float[] flat() {
            float[] out = new float[logits.size() * CLASSES];
            for (int t = 0; t < logits.size(); t++) System.arraycopy(logits.get(t), 0, out, t * CLASSES, CLASSES);
            return out;
        }
    }

    /** Runs {@code w} through a fresh session of {@code model} under {@code rule}, {@code chunk} samples at a time, then finishes. */
    static Recorder stream(StreamingModel model, float[] w, int chunk, SpottingRule rule) {
        Recorder rec = new Recorder();
        KeywordSession s = new KeywordSession(model, INPUT, rule, rec);
        for (int off = 0; off < w.length; off += chunk) s.push(w, off, Math.min(chunk, w.length - off));
        s.finish();
        return rec;
    }

    /** What a {@link SessionGroup} run reported: each session's recorder, and the frames {@code tick()} stepped. */
    record GroupRun(Recorder[] got, long stepped) {
    }

    /**
     * Runs session i of a group over {@code audio[i]}, {@code chunks[i]} samples per tick; session
     * {@code finishEarly} is finished as soon as its last chunk is pushed (its frames still waiting
     * for a tick), the others after the last tick.
     */
    static GroupRun runGroup(StreamingModel model, SpottingRule rule, float[][] audio, int[] chunks, int finishEarly) {
        int size = audio.length;
        Recorder[] got = new Recorder[size];
        SessionGroup group = new SessionGroup(model, size, INPUT, rule, i -> got[i] = new Recorder());
        int[] offset = new int[size];
        long stepped = 0;
        for (boolean more = true; more; ) {
            more = false;
            for (int i = 0; i < size; i++) {
                int n = Math.min(chunks[i], audio[i].length - offset[i]);
                if (n == 0) continue;
                group.session(i).push(audio[i], offset[i], n);
                offset[i] += n;
                if (offset[i] == audio[i].length && i == finishEarly) group.session(i).finish();
                more |= offset[i] < audio[i].length;
            }
            stepped += group.tick();
        }
        for (int i = 0; i < size; i++) group.session(i).finish();
        return new GroupRun(got, stepped);
    }
}
