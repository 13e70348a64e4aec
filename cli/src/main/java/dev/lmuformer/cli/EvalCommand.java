package dev.lmuformer.cli;

import dev.lmuformer.stream.StreamingReadout;
import dev.lmuformer.stream.KeywordSpotter;
import dev.lmuformer.audio.ModelInput;
import dev.lmuformer.checkpoint.Checkpoint;
import dev.lmuformer.data.speech.Augment;
import dev.lmuformer.data.BatchSource;
import dev.lmuformer.data.mnist.Idx;
import dev.lmuformer.data.lra.LraTask;
import dev.lmuformer.data.mnist.PermutedMnist;
import dev.lmuformer.data.lra.TokenBatches;
import dev.lmuformer.data.lra.TokenSet;
import dev.lmuformer.data.speech.Loader;
import dev.lmuformer.data.speech.Pipeline;
import dev.lmuformer.data.speech.SpeechCommands;
import dev.lmuformer.data.Split;
import dev.lmuformer.model.SequenceModel;
import dev.lmuformer.spot.Match;
import dev.lmuformer.spot.OperatingPoint;
import dev.lmuformer.spot.StreamMix;
import dev.lmuformer.stream.ContinuousRule;
import dev.lmuformer.stream.EarlyDecision;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code lmuformer eval}: metrics of a checkpoint on a split, and the accuracy-versus-frames analysis. */
@Command(name = "eval", description = "Evaluate a checkpoint on a split of its task (accuracy, mAP, mean AUC, d'): Speech Commands, "
        + "or the Long Range Arena or MNIST task it was trained on (its 'task' metadata).",
        footer = {"", "Examples:",
                "  lmuformer eval                                        # the shipped model on the bundled test split",
                "  lmuformer eval --checkpoint runs/demo/best.safetensors --data data/keywords",
                "  lmuformer eval --checkpoint best.safetensors --data DIR --all-seq --out runs/eval   # accuracy after every frame",
                "  lmuformer eval --checkpoint best.safetensors --all-seq --threshold 0.8 --hold 3   # early decisions",
                "  lmuformer eval --checkpoint best.safetensors --stream --out runs/streams   # recall, false alarms per hour, DET",
                "  lmuformer eval --checkpoint best.safetensors --recording day.wav --labels day.csv   # your own recording",
                "  lmuformer eval --checkpoint runs/listops/best.safetensors --data lra/listops   # a task of train --task"})
final class EvalCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--checkpoint", description = "Checkpoint (.safetensors, or a PyTorch .pth state_dict; "
            + "default: the shipped model, models/lmu_rnn_conv1d.safetensors).")
    Path checkpoint;

    @Option(names = "--data", description = "The task's data folder: a Speech Commands folder (default: data/keywords), "
            + "or for a checkpoint of train --task the same folder as there.")
    Path data;

    @Option(names = "--split", defaultValue = "test", description = "test or validation (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--all-seq", description = "Accuracy of the streaming readout after every frame (CSV, plot, frames saved) "
            + "and of early decisions.")
    boolean allSeq;

    @Option(names = "--stream", description = "Continuous spotting on long streams built from the split: every clip at a random offset "
            + "with background noise between (--seeds, --snr, --gaps, --distractors); recall, substitutions, false alarms per hour, "
            + "a threshold sweep (det.csv, det.png) and a timeline in --out.")
    boolean stream;

    @Option(names = "--tune", description = "--stream/--recording: choose the speech margin and threshold on these streams (the best by "
            + "--tune-for with at most 2 false alarms per hour at 95 %% confidence; give --split validation: the seeds default to 11-40, "
            + "2 h on the bundled set) "
            + "and write them, with the --window they were chosen at, into the checkpoint's metadata, where stream, serve and eval --stream find them.")
    boolean tune;

    @Option(names = "--tune-for", defaultValue = "net", paramLabel = "net|recall", description = "--tune: maximise hits minus substitutions "
            + "(wrong words said during a keyword), or recall alone, as the demo does (default: ${DEFAULT-VALUE}).")
    String tuneFor;

    @Option(names = "--recording", paramLabel = "FILE.wav", description = "Continuous spotting on your own recording, scored against --labels.")
    Path recording;

    @Option(names = "--labels", paramLabel = "FILE.csv", description = "The keywords of --recording: lines word,start,end in seconds.")
    Path labels;

    @Option(names = "--seeds", split = ",", defaultValue = "1,2,3", description = "--stream: one stream per seed (default: ${DEFAULT-VALUE}).")
    List<Long> seeds;

    @Option(names = "--snr", defaultValue = "20",
            description = "--stream: background noise this many dB below the keywords' speech (default: ${DEFAULT-VALUE}).")
    double snr;

    @Option(names = "--gaps", split = ",", defaultValue = "1,4", paramLabel = "MIN,MAX",
            description = "--stream: seconds of background before each clip, uniform in [MIN, MAX] (default: ${DEFAULT-VALUE}).")
    List<Double> gaps;

    @Option(names = "--distractors", paramLabel = "DIR", description = "--stream: a folder of recordings without keywords, laid into half of the gaps.")
    Path distractors;

    @Option(names = "--readout", defaultValue = "continuous", paramLabel = "continuous|staggered:K",
            description = "--stream/--recording: the session's sliding readout (default), or K windowed states started N/K frames apart "
                    + "(the design measured against it).")
    String readout;

    @CommandLine.Mixin
    SpotOptions spot;

    @Option(names = "--out", defaultValue = "runs/eval", description = "Folder for the --all-seq CSV and plot (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--threads", defaultValue = "0", description = "Threads (0 = all cores).")
    int threads;

    @Override
    public Integer call() {
        Main.applyThreads(threads);
        PrintWriter o = spec.commandLine().getOut();
        Split s = Split.parse(split);
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        boolean continuous = stream || recording != null;
        if (!allSeq && !continuous && (parsed.hasMatchedOption("--threshold") || parsed.hasMatchedOption("--hold"))) {
            throw new IllegalArgumentException("--threshold and --hold apply to --all-seq, --stream and --recording");
        }
        if (spot.windowed) throw new IllegalArgumentException("--windowed is an option of stream; eval --stream evaluates continuous spotting");
        if (stream && recording != null) throw new IllegalArgumentException("--stream and --recording: give one of them");
        if ((recording == null) != (labels == null)) throw new IllegalArgumentException("--recording and --labels go together");
        if (continuous && allSeq) throw new IllegalArgumentException("--all-seq evaluates clips; leave it out with --stream or --recording");
        if (tune && !continuous) throw new IllegalArgumentException("--tune chooses an operating point on --stream or --recording");
        if (!tune && parsed.hasMatchedOption("--tune-for")) throw new IllegalArgumentException("--tune-for applies to --tune");
        if (tune && checkpoint == null) throw new IllegalArgumentException("--tune writes into the checkpoint: name it with --checkpoint");
        if (tune && (parsed.hasMatchedOption("--threshold") || parsed.hasMatchedOption("--speech-margin"))) {
            throw new IllegalArgumentException("--tune chooses the threshold and speech margin; leave out --threshold and --speech-margin");
        }
        if (tune && !parsed.hasMatchedOption("--seeds")) seeds = StreamEval.TUNING_SEEDS;
        StreamEval.Readout how = StreamEval.Readout.parse(readout);
        if (!continuous && !how.equals(StreamEval.Readout.CONTINUOUS)) throw new IllegalArgumentException("--readout applies to --stream and --recording");
        EarlyDecision rule = spot.earlyDecision();
        if (s == Split.TRAIN) throw new IllegalArgumentException("--split must be test or validation");
        Checkpoint.Loaded loaded = Checkpoint.load(ShippedModel.orDefault(checkpoint));
        SequenceModel model = loaded.model();
        String task = loaded.metadata().get("task");
        if (task != null) {
            if (allSeq) throw new IllegalArgumentException("--all-seq applies to Speech Commands checkpoints; this one is of task '" + task + "'");
            if (data == null) throw new IllegalArgumentException("this checkpoint is of task '" + task + "': give its data folder with --data");
            o.println(s.id() + ": " + Evaluator.run(model, taskBatches(task, loaded, s)).metrics().describe());
            return 0;
        }
        if (recording != null) return continuous(o, loaded, null, s, how);
        if (data == null) data = Path.of("data/keywords");
        SpeechCommands dataset = SpeechCommands.open(data);
        if (dataset.labels().size() != model.numClasses()) {
            throw new IllegalArgumentException("the model has " + model.numClasses() + " classes but " + data + " has " + dataset.labels().size());
        }
        if (continuous) return continuous(o, loaded, dataset, s, how);
        Pipeline pipe = new Pipeline(Augment.NONE, KeywordSpotter.modelInput(loaded), model.numClasses());
        try (Loader loader = new Loader(dataset.examples(s), pipe, 256, false, 1, dev.lmuformer.engine.Parallel.threads(), 2)) {
            Metrics m = Evaluator.run(model, loader).metrics();
            o.println(s.id() + ": " + m.describe());
            if (allSeq) {
                StreamingReadout r = StreamingReadout.of(model, loader, rule);
                report(o, r.accuracyPerFrame(), out);
                o.println(earlyLine(r, rule));
            }
        }
        return 0;
    }

    /** {@code --stream} (on {@code dataset}) or {@code --recording}: event-level figures at the rule, and the sweep, written to {@code --out}. */
    private int continuous(PrintWriter o, Checkpoint.Loaded loaded, SpeechCommands dataset, Split s, StreamEval.Readout how) {
        SequenceModel model = loaded.model();
        List<String> names = KeywordSpotter.words(loaded.metadata(), model.numClasses());
        ContinuousRule rule = spot.continuous(names, loaded.metadata());
        ModelInput input = KeywordSpotter.modelInput(loaded);
        List<StreamEval.Labelled> streams;
        if (recording != null) {
            streams = List.of(StreamEval.labelled(recording, labels, names));
        } else {
            if (gaps.size() != 2) throw new IllegalArgumentException("--gaps takes MIN,MAX seconds, got " + gaps);
            StreamMix.Settings settings = new StreamMix.Settings(1, gaps.get(0), gaps.get(1), snr, distractors == null ? 0 : 0.5);
            streams = StreamEval.streams(dataset, s, seeds, settings, distractors);
        }
        StreamEval.Scorer scorer = StreamEval.Scorer.of(model, input, how);
        if (tune) {
            StreamEval.Tuned tuned = StreamEval.tune(scorer, rule, streams, names, StreamEval.Objective.parse(tuneFor));
            o.println("speech margins tried: " + tuned.tried());
            if (tuned.point() == null) {
                throw new IllegalArgumentException("no threshold at any speech margin keeps " + (int) StreamEval.MAX_FALSE_ALARMS_PER_HOUR
                        + " false alarms per hour with " + (int) (100 * StreamEval.CONFIDENCE) + " % confidence on these streams; the checkpoint is unchanged");
            }
            rule = tuned.apply(rule);
            Checkpoint.withMetadata(checkpoint, tuned.metadata());
            o.printf("wrote the operating point into %s: speech margin %.0f dB, threshold %s, readout window %d frames%n", checkpoint, tuned.margin(),
                    tuned.point().threshold(), tuned.window());
        }
        List<StreamEval.Recording> recordings = scorer.score(streams, rule);
        o.println((recording != null ? recording.toString() : s.id() + " streams, seeds " + seeds + String.format(", background %.0f dB below speech", snr))
                + "; " + how + " readout, " + SpotOptions.describe(rule, names));
        Match m = StreamEval.match(recordings, rule, names);
        List<OperatingPoint> sweep = StreamEval.sweep(recordings, rule, names);
        StreamEval.print(o, m, sweep);
        if (rule.gate() != ContinuousRule.NO_GATE) o.println(StreamEval.gateLine(recordings, rule.gate()));
        StreamEval.write(out, model.arch(), recordings, rule, names, m, sweep);
        o.println("written: " + out.resolve("det.csv") + ", " + out.resolve("det.png") + ", " + out.resolve("keywords.csv") + ", "
                + out.resolve("timeline.png"));
        return 0;
    }

    /** The {@code split} of the data of {@code train --task task}, batched as there. */
    private BatchSource taskBatches(String task, Checkpoint.Loaded loaded, Split split) {
        SequenceModel model = loaded.model();
        LraTask lra = LraTask.byId(task);
        if (lra != null) {
            LraTask.Splits splits = lra.read(data, model.config().seqLen());
            TokenSet set = split == Split.TEST ? splits.test() : splits.validation();
            if (set.classes() > model.numClasses()) {
                throw new IllegalArgumentException(data + " has " + set.classes() + " classes but the model has " + model.numClasses());
            }
            return new TokenBatches(set, 32, false, 0);
        }
        boolean permuted = task.equals("psmnist");
        if (!permuted && !task.equals("smnist")) throw new IllegalArgumentException("unknown task '" + task + "' in the checkpoint's metadata");
        if (split != Split.TEST) throw new IllegalArgumentException("--task " + task + " has only a test split (its training validates on it)");
        Idx images = PermutedMnist.read(data, "t10k", "images");
        Idx labels = PermutedMnist.read(data, "t10k", "labels");
        int pixels = images.itemSize();
        int[] order = java.util.stream.IntStream.range(0, pixels).toArray();
        if (permuted) {
            String stored = loaded.metadata().get("permutation");
            if (stored == null) throw new IllegalArgumentException("a psmnist checkpoint without its 'permutation' metadata");
            order = java.util.Arrays.stream(stored.split(",")).mapToInt(Integer::parseInt).toArray();
        }
        if (order.length != pixels || pixels != model.config().seqLen()) {
            throw new IllegalArgumentException("the model reads " + model.config().seqLen() + " pixels but " + data + " has images of " + pixels);
        }
        return new PermutedMnist(images, labels, order, 256, false, 0);
    }

    /** One line on the early decisions of {@code rule}. */
    static String earlyLine(StreamingReadout r, EarlyDecision rule) {
        return String.format("early decisions (%s): accuracy %.2f %%, %d of %d clips decided early, %.1f %% of the frames read on average"
                        + " (a clip without a decision counts with its final-frame prediction and all its frames)",
                SpotOptions.describe(rule), 100 * r.earlyAccuracy(), r.decided(), r.clips(), 100 * r.framesUsed());
    }

    /** Writes accuracy_per_frame.csv and .png and prints the paper's frames-saved figure. */
    static void report(PrintWriter o, double[] acc, Path out) {
        try {
            Files.createDirectories(out);
            List<String> lines = new ArrayList<>(List.of("frames,accuracy"));
            for (int t = 0; t < acc.length; t++) lines.add((t + 1) + "," + acc[t]);
            Files.write(out.resolve("accuracy_per_frame.csv"), lines);
        } catch (IOException e) {
            throw new IllegalArgumentException(out + ": cannot write (" + e.getMessage() + ")");
        }
        double[] frames = new double[acc.length];
        double[] pct = new double[acc.length];
        for (int t = 0; t < acc.length; t++) {
            frames[t] = t + 1;
            pct[t] = 100 * acc[t];
        }
        Plots.lineChart(out.resolve("accuracy_per_frame.png"), "Accuracy of the streaming readout", "frames seen", "accuracy (%)",
                List.of(new Plots.Series("accuracy", frames, pct)));
        int shortest = StreamingReadout.shortestPrefixWithin(acc, 1.0);
        o.printf("accuracy after all %d frames %.2f %%; within 1 point (%.2f %%) after %d frames: %.2f %% of the input saved%n",
                acc.length, 100 * acc[acc.length - 1], 100 * acc[shortest - 1], shortest, 100.0 * (acc.length - shortest) / acc.length);
        o.println("wrote " + out.resolve("accuracy_per_frame.csv") + " and " + out.resolve("accuracy_per_frame.png"));
    }
}
