package dev.lmuformer.cli;

import dev.lmuformer.stream.StreamingReadout;
import dev.lmuformer.model.Init;
import dev.lmuformer.train.TrainConfig;
import dev.lmuformer.train.Training;
import dev.lmuformer.stream.KeywordSpotter;
import dev.lmuformer.audio.ModelInput;
import dev.lmuformer.audio.Resampler;
import dev.lmuformer.audio.WavReader;
import dev.lmuformer.checkpoint.Checkpoint;
import dev.lmuformer.data.speech.Augment;
import dev.lmuformer.data.speech.Example;
import dev.lmuformer.data.speech.Loader;
import dev.lmuformer.data.speech.Pipeline;
import dev.lmuformer.data.speech.SpeechCommands;
import dev.lmuformer.data.Split;
import dev.lmuformer.model.SequenceModel;
import dev.lmuformer.spot.DetCurve;
import dev.lmuformer.spot.Match;
import dev.lmuformer.spot.OperatingPoint;
import dev.lmuformer.spot.StreamMix;
import dev.lmuformer.stream.ContinuousRule;
import dev.lmuformer.stream.EarlyDecision;
import dev.lmuformer.stream.KeywordSession;
import dev.lmuformer.stream.StreamingModel;
import dev.lmuformer.train.Evaluator;
import dev.lmuformer.train.Metrics;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code lmuformer demo}: the whole path on the bundled keyword set — train LMUFormer and Spiking
 * LMUFormer, evaluate them, analyse accuracy against frames, stream one test clip frame by
 * frame — and a report with plots under {@code runs/demo/}.
 */
@Command(name = "demo", description = "Train and evaluate LMUFormer and Spiking LMUFormer on the bundled keywords; report in runs/demo.",
        footer = {"", "Example:", "  lmuformer demo            # about 15 minutes on 2 cores; open runs/demo/report.md"})
final class DemoCommand implements java.util.concurrent.Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", defaultValue = "data/keywords", description = "Speech Commands folder (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--out", defaultValue = "runs/demo", description = "Output folder, replaced on each run (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--epochs", defaultValue = "300", description = "Epochs per model (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--threads", defaultValue = "0", description = "Threads (0 = all cores).")
    int threads;

    @Option(names = "--init", defaultValue = "reference", description = "How the weights start: reference (the authors' initialisation, as train)"
            + " or pytorch (PyTorch's defaults everywhere) (default: ${DEFAULT-VALUE}).")
    String init;

    /**
     * The demo recipe, the keyword-spotting recipe of docs/keyword-spotting.md: the reference's, scaled to a
     * 350-clip set (width 64, batch 32, milder augmentation), with background for continuous
     * spotting — a fifth of the examples cut from _background_noise_, every clip laid into 1.28 s
     * of background — with the reference's BCE, whose all-zero target on background and sigmoid
     * scores beat cross-entropy's flat target on the bundled streams (docs/keyword-spotting.md); the spiking model with
     * cross-entropy, which it needs to learn this set; 300 epochs (the LMUFormer's clip accuracy on test: 43 % after 60, 67 % after 150, 69 % after 300).
     */
    private TrainConfig recipe(String model) {
        TrainConfig c = new TrainConfig();
        c.set("demo", "model", model);
        if (model.startsWith("slmu")) c.set("demo", "loss", "CE"); // the spiking model does not learn this small set with BCE
        c.set("demo", "background_share", BACKGROUND_SHARE);
        c.set("demo", "background_context", true);
        c.set("demo", "dim", 64);
        c.set("demo", "batch_size", 32);
        c.set("demo", "mixup", 0);
        c.set("demo", "freqm", 16);
        c.set("demo", "timem", 16);
        c.set("demo", "n_epochs", epochs);
        c.set("demo", "lrscheduler_start", Math.max(1, epochs * 2 / 3));
        c.set("--init", "init", init);
        return c;
    }

    /** Share of background examples in the demo's training sets. */
    static final double BACKGROUND_SHARE = 0.2;
    /** Seeds of the demo's test streams. */
    static final List<Long> SEEDS = List.of(1L, 2L, 3L);
    /** Seeds of the validation streams the operating points are chosen on. */
    static final List<Long> VALIDATION_SEEDS = StreamEval.TUNING_SEEDS;

    /**
     * A model the demo reports: a checkpoint, its clip metrics on the test split, and whether the demo chooses its
     * operating point (a model it trained) or keeps the one the checkpoint carries (the shipped model).
     */
    private record Reported(String name, String folder, Path checkpoint, Metrics test, boolean tune) {
    }

    @Override
    public Integer call() {
        Main.applyThreads(threads);
        Init.Scheme scheme = Init.Scheme.parse(init); // before the output folder is cleared
        PrintWriter o = spec.commandLine().getOut();
        long start = System.nanoTime();
        clear(out);
        List<String> report = new ArrayList<>();
        report.add("# LMUFormer demo");
        report.add("");
        report.add("Bundled keyword set `" + data + "` (synthetic speech, 35 words); " + Main.engineLine() + ".");
        report.add("Recipe: the reference's (Adam 2.5e-3, betas 0.95/0.999, BCE, step schedule) at width 64, batch 32, "
                + epochs + " epochs, no mixup, masks up to 16, with background for continuous spotting (" + (int) (100 * BACKGROUND_SHARE)
                + " % background examples, clips laid into 1.28 s of background, word fragments as background); the spiking model with cross-entropy;"
                + " weights initialised as " + (scheme == Init.Scheme.REFERENCE ? "the reference's" : "PyTorch's defaults") + ".");
        report.add("");
        report.add("| model | parameters | best epoch | validation accuracy | test accuracy | test mAP | test AUC | d' |");
        report.add("|---|---|---|---|---|---|---|---|");
        TrainRun.Result lmu = null;
        List<Reported> results = new ArrayList<>();
        for (String arch : List.of("lmu_rnn_conv1d", "slmu_rnn_ms_conv1d")) {
            o.println("== training " + arch);
            o.flush();
            TrainRun.Result r = TrainRun.run(Training.speechCommands(recipe(arch), data), out.resolve(arch), dev.lmuformer.engine.Parallel.threads(), false, o);
            if (lmu == null) lmu = r;
            results.add(new Reported(arch, arch, r.best(), r.test(), true));
            Metrics t = r.test();
            report.add(String.format("| %s | %,d | %d | %.1f %% | %.1f %% | %.3f | %.3f | %.2f |", arch,
                    Checkpoint.load(r.best()).model().parameterCount(), r.state().bestEpoch() + 1, 100 * r.state().bestAccuracy(),
                    100 * t.accuracy(), t.meanAp(), t.meanAuc(), t.dPrime()));
        }
        shipped(results, report, o);
        report.add("");
        report.add("Chance is 2.9 %. Training curves: `lmu_rnn_conv1d/curves.png`, `slmu_rnn_ms_conv1d/curves.png`.");
        report.add("");
        continuous(results, report, o);
        o.println("== accuracy against frames (LMUFormer, test split)");
        SequenceModel model = Checkpoint.load(lmu.best()).model();
        SpeechCommands dataset = SpeechCommands.open(data);
        Pipeline pipe = new Pipeline(Augment.NONE, ModelInput.DEFAULT, model.numClasses());
        java.io.StringWriter analysis = new java.io.StringWriter();
        try (Loader test = new Loader(dataset.examples(Split.TEST), pipe, 256, false, 1, dev.lmuformer.engine.Parallel.threads(), 2)) {
            EvalCommand.report(new PrintWriter(analysis, true), StreamingReadout.perFrameAccuracy(model, test), out);
        }
        o.print(analysis);
        report.add("## Accuracy against frames");
        report.add("");
        report.add("The streaming readout `head(mean of features so far)` after each frame (`accuracy_per_frame.csv`):");
        report.add("");
        report.add("![accuracy per frame](accuracy_per_frame.png)");
        report.add("");
        report.add("    " + analysis.toString().lines().findFirst().orElse(""));
        report.add("");
        o.println("== streaming one test clip (LMUFormer)");
        List<String> stream = streamClip(model, dataset);
        stream.forEach(o::println);
        report.add("## One test clip, streamed 10 ms at a time");
        report.add("");
        stream.forEach(l -> report.add("    " + l));
        report.add("");
        report.add(String.format("Demo time: %.0f s.", (System.nanoTime() - start) / 1e9));
        try {
            Files.write(out.resolve("report.md"), report);
        } catch (IOException e) {
            throw new IllegalArgumentException(out + ": cannot write the report (" + e.getMessage() + ")");
        }
        o.printf("report: %s (%.0f s)%n", out.resolve("report.md"), (System.nanoTime() - start) / 1e9);
        return 0;
    }

    /**
     * The shipped models ({@link ShippedModel#ALL}) beside the ones just trained: a row of the clip table each, and an
     * entry for the continuous section at the operating point each carries. A note after the table for a file that is
     * not there or does not fit the data.
     */
    private void shipped(List<Reported> results, List<String> report, PrintWriter o) {
        List<String> notes = new ArrayList<>();
        SpeechCommands dataset = SpeechCommands.open(data);
        for (Path relative : ShippedModel.ALL) {
            Path file = ShippedModel.find(relative).orElse(null);
            if (file == null) {
                notes.add("The shipped model " + relative + " was not found beside this code, so it is not compared here.");
                continue;
            }
            o.println("== the shipped model (" + file + ")");
            Checkpoint.Loaded loaded = Checkpoint.load(file);
            SequenceModel model = loaded.model();
            if (dataset.labels().size() != model.numClasses()) {
                notes.add("The shipped model " + relative + " has " + model.numClasses() + " classes, " + data + " " + dataset.labels().size()
                        + ": not compared here.");
                continue;
            }
            Pipeline pipe = new Pipeline(Augment.NONE, KeywordSpotter.modelInput(loaded), model.numClasses());
            Metrics t;
            try (Loader test = new Loader(dataset.examples(Split.TEST), pipe, 256, false, 1, dev.lmuformer.engine.Parallel.threads(), 2)) {
                t = Evaluator.run(model, test).metrics();
            }
            o.println("test: " + t.describe());
            String name = "shipped " + model.arch();
            report.add(String.format("| %s (`%s`, trained on the rich synthetic set: models/README.md) | %,d | – | – | %.1f %% | %.3f | %.3f | %.2f |",
                    name, relative, model.parameterCount(), 100 * t.accuracy(), t.meanAp(), t.meanAuc(), t.dPrime()));
            results.add(new Reported(name, "shipped/" + model.arch(), file, t, false));
        }
        for (String note : notes) {
            report.add("");
            report.add(note);
        }
    }

    /**
     * The first test clip through a {@link KeywordSession}, 10 ms of audio at a time: every change of
     * the top class of the streaming readout, and the session's decision.
     */
    private static List<String> streamClip(SequenceModel model, SpeechCommands dataset) {
        Example clip = dataset.examples(Split.TEST).get(0);
        List<String> names = dataset.labels().names();
        List<String> lines = new ArrayList<>();
        lines.add("clip " + dataset.root().relativize(clip.file()) + " (word: " + names.get(clip.label()) + "), "
                + SpotOptions.describe(EarlyDecision.DEFAULT));
        int classes = model.numClasses();
        float[] audio = Resampler.toRate(WavReader.read(clip.file()), Resampler.MODEL_RATE).samples();
        double length = (double) audio.length / Resampler.MODEL_RATE;
        KeywordSession.Listener listener = new KeywordSession.Listener() {
            private int previous = -1;

            @Override
            public void onFrame(long frame, double seconds, float[] logits) {
                int top = Metrics.argMax(logits, 0, classes);
                if (top != previous) lines.add(String.format("  frame %3d (%.3f s): %s", frame, seconds, names.get(top)));
                previous = top;
            }

            @Override
            public void onDecision(KeywordSession.Decision d) {
                lines.add(String.format("  %s: %s at %.3f s (p %.2f, known at %.3f s of %.3f s) %s",
                        d.early() ? "early decision" : "no early decision, last frame", names.get(d.label()), d.seconds(),
                        d.probability(), d.knownAt(), length, d.label() == clip.label() ? "(right)" : "(wrong)"));
            }
        };
        KeywordSession session = new KeywordSession(StreamingModel.of(model), ModelInput.DEFAULT, EarlyDecision.DEFAULT, listener);
        for (int at = 0; at < audio.length; at += 160) session.push(audio, at, Math.min(160, audio.length - at));
        session.finish();
        return lines;
    }

    /**
     * Continuous spotting of each trained model on long streams: the speech margin and threshold chosen on the
     * validation streams (the best recall with at most {@link #MAX_FALSE_ALARMS_PER_HOUR} at {@link #CONFIDENCE}), then the
     * test streams at it, beside the clip accuracy; a DET plot of both models and a timeline.
     */
    private void continuous(List<Reported> results, List<String> report, PrintWriter o) {
        SpeechCommands dataset = SpeechCommands.open(data);
        List<String> names = dataset.labels().names();
        StreamMix.Settings settings = StreamMix.Settings.DEFAULT;
        report.add("## Continuous keyword spotting");
        report.add("");
        // the streams are the same for every model: laid out once
        List<StreamEval.Labelled> validationStreams = StreamEval.streams(dataset, Split.VALIDATION, VALIDATION_SEEDS, settings, null);
        List<StreamEval.Labelled> testStreams = StreamEval.streams(dataset, Split.TEST, SEEDS, settings, null);
        double validationHours = StreamEval.hours(validationStreams);
        int allowed = StreamEval.allowedFalseAlarms(validationStreams);
        report.add(String.format("Each split's clips laid into one long stream per seed, %.0f–%.0f s of background noise before each, "
                + "the noise %.0f dB below the speech; the speech margin and the threshold chosen on %d validation streams (seeds %d–%d, %.2f h: "
                + "the best recall whose false-alarm rate is at most %.0f per hour with %.0f %% confidence — %s there), "
                + "then the test streams (seeds %s) at them (`lmuformer eval --stream`).", settings.minGap(),
                settings.maxGap(), settings.snrDb(), VALIDATION_SEEDS.size(), VALIDATION_SEEDS.get(0), VALIDATION_SEEDS.get(VALIDATION_SEEDS.size() - 1),
                validationHours, StreamEval.MAX_FALSE_ALARMS_PER_HOUR, 100 * StreamEval.CONFIDENCE,
                allowed == 0 ? "no false alarm at all" : "at most " + allowed + " false alarm" + (allowed == 1 ? "" : "s"), SEEDS));
        report.add("");
        report.add("| model | clip test accuracy | speech margin | threshold | stream recall | substitutions | false alarms per hour"
                + " | recall at ≤ 1 FA/h (sweep) |");
        report.add("|---|---|---|---|---|---|---|---|");
        List<String> margins = new ArrayList<>();
        Map<String, List<OperatingPoint>> curves = new LinkedHashMap<>();
        List<String> tables = new ArrayList<>();
        double[] hours = new double[1];
        for (Reported r : results) {
            Checkpoint.Loaded loaded = Checkpoint.load(r.checkpoint());
            SequenceModel model = loaded.model();
            o.println("== continuous spotting (" + r.name() + ")");
            StreamEval.Scorer scorer = StreamEval.Scorer.of(model, KeywordSpotter.modelInput(loaded), StreamEval.Readout.CONTINUOUS);
            ContinuousRule rule;
            String note = "";
            if (r.tune()) {
                rule = ContinuousRule.defaults(model.numClasses(), KeywordSpotter.scores(loaded.metadata()));
                StreamEval.Tuned tuned = StreamEval.tune(scorer, rule, validationStreams, names, StreamEval.Objective.RECALL);
                margins.add("- " + r.name() + ": " + tuned.tried() + String.format(" → %.0f dB", tuned.margin()));
                rule = tuned.apply(rule);
                if (tuned.point() == null) note = " (none met the limit on validation; the default)";
                // the operating point travels with the model: stream and eval --stream default to it
                Checkpoint.withMetadata(r.checkpoint(), tuned.metadata());
            } else {
                rule = new KeywordSpotter(loaded).rule();
                note = " (its own)";
            }
            List<StreamEval.Recording> test = scorer.score(testStreams, rule);
            Match m = StreamEval.match(test, rule, names);
            hours[0] = m.hours();
            List<OperatingPoint> sweep = StreamEval.sweep(test, rule, names);
            StreamEval.print(o, m, sweep);
            curves.put(r.name(), sweep);
            Path dir = out.resolve(r.folder()).resolve("streams");
            StreamEval.write(dir, r.name(), test, rule, names, m, sweep);
            double at1 = DetCurve.recallAt(sweep, 1);
            report.add(String.format("| %s | %.1f %% | %.0f dB | %s%s | %.1f %% (%d of %d) | %d | %.1f | %s |", r.name(), 100 * r.test().accuracy(),
                    rule.speechMargin(), rule.threshold(0), note, 100 * m.recall(), m.hits(),
                    m.keywords(), m.substitutions(), m.falseAlarmsPerHour(), Double.isNaN(at1) ? "–" : String.format("%.1f %%", 100 * at1)));
            tables.add("### " + r.name() + ": per keyword (test streams)");
            tables.add("");
            tables.addAll(StreamEval.wordTable(m));
            tables.add("");
            tables.add("![timeline](" + r.folder() + "/streams/timeline.png)");
            tables.add("");
        }
        SpotPlots.det(out.resolve("det.png"), "DET on the test streams (" + SEEDS.size() + " seeds)", curves);
        report.add("");
        report.add(String.format("%.2f h of test streams: one false alarm is %.1f per hour, so rates below that are not resolved.", hours[0], 1 / hours[0]));
        report.add("");
        report.add("Speech margins tried on the validation streams (best recall with at most " + (int) StreamEval.MAX_FALSE_ALARMS_PER_HOUR
                + " false alarms per hour with " + (int) (100 * StreamEval.CONFIDENCE) + " % confidence, at its threshold; the margin with the best is kept):");
        report.add("");
        report.addAll(margins);
        report.add("");
        report.add("![DET](det.png)");
        report.add("");
        report.addAll(tables);
    }

    private static void clear(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot clear " + dir + ": " + e.getMessage());
        }
    }
}
