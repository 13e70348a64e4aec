package dev.lmuformer.cli;

import dev.lmuformer.audio.ModelInput;
import dev.lmuformer.audio.Resampler;
import dev.lmuformer.audio.WavReader;
import dev.lmuformer.data.speech.Example;
import dev.lmuformer.data.speech.Pipeline;
import dev.lmuformer.data.speech.SpeechCommands;
import dev.lmuformer.data.Split;
import dev.lmuformer.engine.Parallel;
import dev.lmuformer.model.SequenceModel;
import dev.lmuformer.spot.DetCurve;
import dev.lmuformer.spot.Detection;
import dev.lmuformer.spot.EventMatcher;
import dev.lmuformer.spot.Match;
import dev.lmuformer.spot.OperatingPoint;
import dev.lmuformer.spot.StreamMix;
import dev.lmuformer.spot.Truth;
import dev.lmuformer.spot.WordStats;
import dev.lmuformer.stream.ContinuousRule;
import dev.lmuformer.stream.KeywordSession;
import dev.lmuformer.stream.ReadoutTrace;
import dev.lmuformer.stream.StreamingModel;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Event-level evaluation of continuous keyword spotting: long recordings with known keywords
 * (generated from a split by {@link StreamMix}, or a user's recording with a label file), the
 * detector's per-frame scores traced once ({@link ReadoutTrace}), events matched to keywords
 * ({@link EventMatcher}), and a threshold sweep from those traces.
 */
final class StreamEval {
    /** The thresholds of a sweep: 0.05 … 0.95, then finer up to 0.9999 (sigmoid scores saturate). */
    static final double[] SWEEP = {0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9,
            0.925, 0.95, 0.97, 0.98, 0.99, 0.995, 0.998, 0.999, 0.9995, 0.9998, 0.9999};

    /** How the frames are read out: one never-reset state with a sliding readout, or {@code states} staggered windowed states. */
    record Readout(int states) {
        static final Readout CONTINUOUS = new Readout(0);

        static Readout parse(String s) {
            if (s.equals("continuous")) return CONTINUOUS;
            if (s.startsWith("staggered:")) {
                try {
                    int k = Integer.parseInt(s.substring("staggered:".length()));
                    if (k >= 1) return new Readout(k);
                } catch (NumberFormatException e) {
                    // fall through to the message
                }
            }
            throw new IllegalArgumentException("--readout must be continuous or staggered:K (K ≥ 1 states), got '" + s + "'");
        }

        @Override
        public String toString() {
            return states == 0 ? "continuous" : "staggered:" + states;
        }
    }

    /** One recording: its audio, its keywords and the traced scores. */
    record Recording(String name, float[] audio, List<Truth> truths, ReadoutTrace trace) {
        double seconds() {
            return (double) audio.length / KeywordSession.SAMPLE_RATE;
        }
    }

    private StreamEval() {
    }

    /** A recording with its keywords, before a model scores it. */
    record Labelled(String name, float[] audio, List<Truth> truths) {
    }

    /**
     * How one model reads recordings out, prepared once: the streaming form packs the weights, so it
     * is made once per model, not once per recording; and the traces of a set of streams are kept
     * per score, readout window and gate (all a trace depends on), so that rules differing only in
     * what {@link ReadoutTrace#events} replays (thresholds, speech margin, …) cost no model steps.
     */
    static final class Scorer {
        private final SequenceModel model;
        private final StreamingModel streaming;
        private final ModelInput input;
        private final Readout readout;
        // by the streams (the list itself), then by what a trace depends on
        private final Map<List<Labelled>, Map<List<Object>, List<Recording>>> traced = new java.util.IdentityHashMap<>();

        private Scorer(SequenceModel model, ModelInput input, Readout readout) {
            this.model = model;
            this.streaming = StreamingModel.of(model);
            this.input = input;
            this.readout = readout;
        }

        static Scorer of(SequenceModel model, ModelInput input, Readout readout) {
            return new Scorer(model, input, readout);
        }

        /**
         * The traces of {@code streams} under {@code rule}; continuous readouts are traced one stream per
         * thread (a stream's trace is the same on any thread), staggered ones one after another, each
         * batch of windows on all threads.
         */
        List<Recording> score(List<Labelled> streams, ContinuousRule rule) {
            Map<List<Object>, List<Recording>> ofStreams = traced.computeIfAbsent(streams, s -> new java.util.HashMap<>());
            List<Object> key = List.of(rule.score(), rule.window(), rule.gate());
            List<Recording> known = ofStreams.get(key);
            if (known != null) return known;
            Recording[] out = new Recording[streams.size()];
            if (readout.states() == 0) {
                Parallel.forEach(out.length, i -> out[i] = new Recording(streams.get(i).name(), streams.get(i).audio(), streams.get(i).truths(),
                        ReadoutTrace.continuous(streaming, input, streams.get(i).audio(), rule)));
            } else {
                for (int i = 0; i < out.length; i++) {
                    Labelled st = streams.get(i);
                    out[i] = new Recording(st.name(), st.audio(), st.truths(),
                            ReadoutTrace.staggered(model, streaming.lookAhead(), input, st.audio(), readout.states(), rule.score()));
                }
            }
            List<Recording> recordings = List.of(out);
            ofStreams.put(key, recordings);
            return recordings;
        }
    }

    /** The streams of {@code split}: one per seed, every clip once at a random offset, as {@link StreamMix} lays them. */
    static List<Labelled> streams(SpeechCommands data, Split split, List<Long> seeds, StreamMix.Settings settings, Path distractors) {
        List<String> names = data.labels().names();
        List<StreamMix.Clip> clips = new ArrayList<>();
        for (Example e : data.examples(split)) clips.add(new StreamMix.Clip(Pipeline.load(e.file()), names.get(e.label())));
        List<float[]> noise = new ArrayList<>();
        for (Path p : data.backgroundNoise()) noise.add(Pipeline.load(p));
        List<float[]> others = new ArrayList<>();
        if (distractors != null) for (Path p : wavs(distractors)) others.add(Pipeline.load(p));
        List<Labelled> out = new ArrayList<>();
        for (long seed : seeds) {
            StreamMix.Mixed m = StreamMix.build(clips, noise, others, settings.withSeed(seed));
            out.add(new Labelled(split.id() + " stream seed " + seed, m.audio(), m.truths()));
        }
        return out;
    }

    /** A user's recording (any rate, resampled) with the keywords of its label file. */
    static Labelled labelled(Path wav, Path labels, List<String> names) {
        float[] audio = Resampler.toRate(WavReader.read(wav), KeywordSession.SAMPLE_RATE).samples();
        List<Truth> truths = dev.lmuformer.spot.LabelFile.read(labels, names, (double) audio.length / KeywordSession.SAMPLE_RATE);
        return new Labelled(wav.toString(), audio, truths);
    }

    /** The events of {@code rule} on a recording, as detections with class names. */
    static List<Detection> detections(Recording r, ContinuousRule rule, List<String> names) {
        List<Detection> out = new ArrayList<>();
        for (KeywordSession.Keyword k : r.trace().events(rule)) out.add(new Detection(names.get(k.label()), k.score(), k.seconds(), k.knownAt()));
        return out;
    }

    /** The events of {@code rule} on every recording, matched and added up. */
    static Match match(List<Recording> recordings, ContinuousRule rule, List<String> names) {
        Match total = null;
        for (Recording r : recordings) {
            Match m = EventMatcher.match(r.truths(), detections(r, rule, names), r.seconds());
            total = total == null ? m : total.plus(m);
        }
        return total;
    }

    /** {@code rule} at every threshold of {@link #SWEEP}. */
    static List<OperatingPoint> sweep(List<Recording> recordings, ContinuousRule rule, List<String> names) {
        List<OperatingPoint> points = new ArrayList<>();
        for (double t : SWEEP) points.add(OperatingPoint.of(t, match(recordings, rule.withThreshold(t), names)));
        return points;
    }

    /** The speech margins (dB) {@link #tune} tries. */
    static final double[] SPEECH_MARGINS = {0, 5, 10, 15, 20, 25, 30};
    /** The false-alarm rate a tuned operating point must keep, with {@link #CONFIDENCE}, on the streams it is chosen on. */
    static final double MAX_FALSE_ALARMS_PER_HOUR = 2;
    /** How sure those streams must make it that the point keeps the false-alarm budget. */
    static final double CONFIDENCE = 0.95;
    /**
     * Seeds of the validation streams operating points are chosen on: 2 h of audio on the bundled set, so that a point
     * can show 2 false alarms per hour or fewer with {@link #CONFIDENCE} (with no false alarm there: 3.0 expected at most, under 4).
     */
    static final List<Long> TUNING_SEEDS = java.util.stream.LongStream.rangeClosed(11, 40).boxed().toList();

    /**
     * An operating point chosen by {@link #tune}: the speech margin, the readout window it was chosen at, the point at
     * them (null when no margin met the budget), and for each margin tried, the best recall and threshold, as text.
     */
    record Tuned(double margin, int window, OperatingPoint point, String tried) {
        /** {@code rule} at this margin and, where one met the budget, this threshold. */
        ContinuousRule apply(ContinuousRule rule) {
            ContinuousRule r = rule.withSpeechMargin(margin);
            return point == null ? r : r.withThreshold(point.threshold());
        }

        /** The checkpoint metadata that makes {@code stream}, {@code serve} and {@code eval --stream} default to this point. */
        Map<String, String> metadata() {
            if (point == null) return Map.of();
            return Map.of(ContinuousRule.THRESHOLD_METADATA, Double.toString(point.threshold()),
                    ContinuousRule.SPEECH_MARGIN_METADATA, Double.toString(margin), ContinuousRule.WINDOW_METADATA, Integer.toString(window));
        }
    }

    /** What {@link #tune} maximises among the points that keep the false-alarm budget. */
    enum Objective {
        /** Recall; wrong words inside a keyword (substitutions) do not count: the demo's, as its documented figures were measured. */
        RECALL,
        /** Hits minus substitutions: a wrong word said during a keyword costs as much as the right one gains (ties: the higher threshold). */
        NET;

        static Objective parse(String s) {
            for (Objective o : values()) if (o.name().equalsIgnoreCase(s)) return o;
            throw new IllegalArgumentException("--tune-for must be recall or net, got '" + dev.lmuformer.io.Excerpt.of(s) + "'");
        }

        /** What this objective maximises at {@code p}. */
        double score(OperatingPoint p) {
            return this == RECALL ? p.recall() : p.hits() - p.substitutions();
        }

        /** The best point of {@code sweep} whose false alarms over {@code hours} keep the budget with {@link #CONFIDENCE}, or null. */
        OperatingPoint best(List<OperatingPoint> sweep, double hours) {
            if (this == RECALL) return DetCurve.bestConfident(sweep, MAX_FALSE_ALARMS_PER_HOUR, hours, CONFIDENCE);
            OperatingPoint best = null;
            for (OperatingPoint p : sweep) {
                if (DetCurve.poissonUpper(p.falseAlarms(), CONFIDENCE) > MAX_FALSE_ALARMS_PER_HOUR * hours) continue;
                if (best == null || score(p) > score(best) || score(p) == score(best) && p.threshold() > best.threshold()) best = p;
            }
            return best;
        }
    }

    /**
     * The speech margin and threshold best by {@code objective} on {@code streams} among those whose false-alarm rate stays within
     * {@link #MAX_FALSE_ALARMS_PER_HOUR} with {@link #CONFIDENCE} (ties: the smaller margin), from {@code rule}'s other settings;
     * its readout window goes with the point into the metadata.
     */
    static Tuned tune(Scorer scorer, ContinuousRule rule, List<Labelled> streams, List<String> names, Objective objective) {
        double hours = hours(streams);
        OperatingPoint chosen = null;
        double margin = 0;
        StringBuilder tried = new StringBuilder();
        for (double db : SPEECH_MARGINS) {
            ContinuousRule candidate = rule.withSpeechMargin(db);
            List<Recording> scored = scorer.score(streams, candidate);
            OperatingPoint best = objective.best(sweep(scored, candidate, names), hours);
            tried.append(String.format("%s%.0f dB: %s", tried.length() == 0 ? "" : ", ", db, best == null ? "–"
                    : String.format("%.1f %% at %s", 100 * best.recall(), best.threshold()) + (objective == Objective.NET ? " (" + best.substitutions()
                    + " substitutions)" : "")));
            if (best != null && (chosen == null || objective.score(best) > objective.score(chosen))) {
                margin = db;
                chosen = best;
            }
        }
        return new Tuned(margin, rule.window(), chosen, tried.toString());
    }

    /** The length of {@code streams} in hours. */
    static double hours(List<Labelled> streams) {
        return streams.stream().mapToDouble(l -> l.audio().length).sum() / KeywordSession.SAMPLE_RATE / 3600;
    }

    /** How many false alarms {@code streams} may show for a point {@link #tune} accepts. */
    static int allowedFalseAlarms(List<Labelled> streams) {
        double hours = hours(streams);
        int allowed = -1;
        while (DetCurve.poissonUpper(allowed + 1, CONFIDENCE) <= MAX_FALSE_ALARMS_PER_HOUR * hours) allowed++;
        return allowed;
    }

    /** The report lines of one evaluation at {@code rule}, with the sweep's recall at 1 and 0.1 false alarms per hour. */
    static List<String> summary(Match m, List<OperatingPoint> sweep) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format("%d keywords in %.1f min of audio: recall %.1f %% (%d hits), %d substitutions, %d false alarms (%.1f per hour)",
                m.keywords(), m.hours() * 60, 100 * m.recall(), m.hits(), m.substitutions(), m.falseAlarms(), m.falseAlarmsPerHour()));
        lines.add(String.format("threshold sweep: recall %s at ≤ 1 false alarm per hour, %s at ≤ 0.1 (%.2f h of audio: one false alarm is %.1f per hour)",
                percent(DetCurve.recallAt(sweep, 1)), percent(DetCurve.recallAt(sweep, 0.1)), m.hours(), 1 / m.hours()));
        return lines;
    }

    /** How many frames an energy gate at {@code gate} dBFS kept from the model. */
    static String gateLine(List<Recording> recordings, double gate) {
        long total = 0, stepped = 0;
        dev.lmuformer.audio.Fbank fbank = dev.lmuformer.audio.Fbank.forRate(KeywordSession.SAMPLE_RATE);
        for (Recording r : recordings) {
            total += fbank.numFrames(r.audio().length);
            stepped += r.trace().frames();
        }
        return String.format("energy gate %.0f dBFS: %d of %d frames (%.1f %%) skipped the model step", gate, total - stepped, total,
                100.0 * (total - stepped) / total);
    }

    /** The per-keyword table as Markdown rows. */
    static List<String> wordTable(Match m) {
        List<String> rows = new ArrayList<>();
        rows.add("| keyword | in the streams | hits | substitutions | recall |");
        rows.add("|---|---:|---:|---:|---:|");
        for (WordStats w : m.words()) {
            rows.add(String.format("| %s | %d | %d | %d | %.0f %% |", w.word(), w.keywords(), w.hits(), w.substitutions(), 100 * w.recall()));
        }
        return rows;
    }

    /**
     * Writes {@code det.csv}, {@code det.png}, {@code keywords.csv}, {@code events.csv} (every event at the rule with its outcome,
     * and every missed keyword; for a false alarm, the keyword before it) and the first recording's {@code timeline.png} into {@code out}.
     */
    static void write(Path out, String title, List<Recording> recordings, ContinuousRule rule, List<String> names, Match m,
                      List<OperatingPoint> sweep) {
        try {
            Files.createDirectories(out);
            DetCurve.writeCsv(out.resolve("det.csv"), sweep);
            Map<String, List<OperatingPoint>> curves = new LinkedHashMap<>();
            curves.put(title, sweep);
            SpotPlots.det(out.resolve("det.png"), "DET: " + title, curves);
            List<String> csv = new ArrayList<>();
            csv.add("word,keywords,hits,substitutions,recall");
            for (WordStats w : m.words()) csv.add(w.word() + "," + w.keywords() + "," + w.hits() + "," + w.substitutions() + "," + w.recall());
            Files.write(out.resolve("keywords.csv"), csv);
            List<String> events = new ArrayList<>();
            events.add("recording,word,time,score,outcome,keyword,keyword_start,keyword_end");
            for (Recording r : recordings) {
                Match one = EventMatcher.match(r.truths(), detections(r, rule, names), r.seconds());
                for (Match.Verdict v : one.verdicts()) {
                    Truth k = v.truth() >= 0 ? one.truths().get(v.truth()) : before(one.truths(), v.event().time());
                    events.add(row(r.name(), v.event().word(), v.event().time(), String.format(java.util.Locale.ROOT, "%.4f", v.event().score()),
                            v.outcome().name().toLowerCase(java.util.Locale.ROOT), k));
                }
                for (int t = 0; t < one.truths().size(); t++) {
                    if (!one.hitPerTruth()[t]) events.add(row(r.name(), "", Double.NaN, "", "missed", one.truths().get(t)));
                }
            }
            Files.write(out.resolve("events.csv"), events);
            timeline(out.resolve("timeline.png"), title + ": " + recordings.get(0).name(), recordings.get(0), rule, names, 60);
        } catch (IOException e) {
            throw new IllegalArgumentException(out + ": cannot write (" + e.getMessage() + ")");
        }
    }

    /** The last keyword that starts before {@code time}, or null. */
    private static Truth before(List<Truth> truths, double time) {
        Truth last = null;
        for (Truth t : truths) if (t.start() <= time) last = t;
        return last;
    }

    /** One line of {@code events.csv}; for a false alarm, {@code k} is the keyword before it (context), else the one it concerns. */
    private static String row(String recording, String word, double time, String score, String outcome, Truth k) {
        return String.join(",", recording, word, Double.isNaN(time) ? "" : String.format(java.util.Locale.ROOT, "%.3f", time), score, outcome,
                k == null ? "" : k.word(), k == null ? "" : String.format(java.util.Locale.ROOT, "%.3f", k.start()),
                k == null ? "" : String.format(java.util.Locale.ROOT, "%.3f", k.end()));
    }

    /** The first {@code seconds} of a recording: waveform, top score per frame, keywords and detections. */
    static void timeline(Path png, String title, Recording r, ContinuousRule rule, List<String> names, double seconds) {
        ReadoutTrace t = r.trace();
        int frames = 0;
        while (frames < t.frames() && t.frame(frames) < seconds * SpotOptions.FRAMES_PER_SECOND) frames++;
        double[] times = new double[frames];
        float[] top = new float[frames];
        String[] word = new String[frames];
        for (int f = 0; f < frames; f++) {
            times[f] = KeywordSession.frameSeconds(t.frame(f));
            int best = -1;
            for (int c = 0; c < t.classes(); c++) if (rule.threshold(c) <= 1 && (best < 0 || t.score(f, c) > t.score(f, best))) best = c;
            top[f] = best < 0 ? 0f : (float) t.score(f, best);
            word[f] = best < 0 ? "" : names.get(best);
        }
        double end = Math.min(seconds, r.seconds());
        int samples = Math.min(r.audio().length, (int) (end * KeywordSession.SAMPLE_RATE));
        List<Truth> truths = r.truths().stream().filter(k -> k.start() < end).toList();
        List<Detection> events = detections(r, rule, names).stream().filter(d -> d.time() < end).toList();
        double threshold = Double.NaN;
        for (int c = 0; c < rule.classes(); c++) if (rule.threshold(c) <= 1) threshold = rule.threshold(c);
        SpotPlots.timeline(png, title, java.util.Arrays.copyOf(r.audio(), samples), KeywordSession.SAMPLE_RATE, times, top, word, truths, events,
                threshold);
    }

    private static String percent(double v) {
        return Double.isNaN(v) ? "– (no threshold that low)" : String.format("%.1f %%", 100 * v);
    }

    private static List<Path> wavs(Path dir) {
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException(dir + ": not a directory (--distractors takes a folder of WAV files)");
        try (Stream<Path> s = Files.walk(dir)) {
            List<Path> l = s.filter(p -> p.toString().toLowerCase(java.util.Locale.ROOT).endsWith(".wav")).sorted().toList();
            if (l.isEmpty()) throw new IllegalArgumentException(dir + ": no WAV files (--distractors)");
            return l;
        } catch (IOException e) {
            throw new IllegalArgumentException(dir + ": cannot list (" + e.getMessage() + ")");
        }
    }

    /** Prints a summary and the per-keyword table. */
    static void print(PrintWriter o, Match m, List<OperatingPoint> sweep) {
        summary(m, sweep).forEach(o::println);
        wordTable(m).forEach(o::println);
    }
}
