package dev.lmuformer.cli;

import dev.lmuformer.audio.ModelInput;
import dev.lmuformer.audio.Resampler;
import dev.lmuformer.checkpoint.Checkpoint;
import dev.lmuformer.data.Augment;
import dev.lmuformer.data.BatchSource;
import dev.lmuformer.data.Example;
import dev.lmuformer.data.Idx;
import dev.lmuformer.data.PermutedMnist;
import dev.lmuformer.data.Loader;
import dev.lmuformer.data.LraTask;
import dev.lmuformer.data.Pipeline;
import dev.lmuformer.data.SpeechCommands;
import dev.lmuformer.data.Split;
import dev.lmuformer.data.TokenBatches;
import dev.lmuformer.data.TokenSet;
import dev.lmuformer.model.Init;
import dev.lmuformer.model.LraLmu;
import dev.lmuformer.model.ModelConfig;
import dev.lmuformer.model.Models;
import dev.lmuformer.model.SequenceModel;
import dev.lmuformer.train.Adam;
import dev.lmuformer.train.BceWithLogitsLoss;
import dev.lmuformer.train.CrossEntropyLoss;
import dev.lmuformer.train.Evaluator;
import dev.lmuformer.train.Metrics;
import dev.lmuformer.train.StepLr;
import dev.lmuformer.train.Trainer;
import dev.lmuformer.train.TrainingState;
import dev.lmuformer.train.TrainConfig;
import dev.lmuformer.train.KeywordTraining;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One training run — Speech Commands (shared by {@code train} and {@code demo}), sequential MNIST
 * or a Long Range Arena task: data, model, optimiser, progress bar, CSV log, curves, best
 * checkpoint, test metrics.
 */
final class TrainRun {
    static final String LOG = "log.csv";
    private static final String HEADER = "epoch,lr,train_loss,train_accuracy,val_accuracy,val_map,val_auc,val_dprime,seconds";

    private TrainRun() {
    }

    /** What a run produced. */
    record Result(Path best, Metrics test, TrainingState state) {
    }

    static Result run(TrainConfig cfg, Path data, Path out, int threads, boolean resume, PrintWriter log) {
        cfg.warnings().forEach(w -> log.println("warning: " + w));
        KeywordTraining training = new KeywordTraining(cfg, data);
        SequenceModel model = training.model();
        TrainingState state = startState(cfg, training.start(out, resume), out, log);
        SpeechCommands dataset = training.dataset();
        int train = dataset.examples(Split.TRAIN).size();
        log.printf("%s: %,d parameters; %d train / %d validation / %d test clips%s; %s%n", model.arch(), model.parameterCount(),
                train, dataset.examples(Split.VALIDATION).size(), dataset.examples(Split.TEST).size(),
                training.trainExamples().size() == train ? "" : String.format(" (+ %d background examples)", training.trainExamples().size() - train),
                Main.engineLine());
        log.flush();
        TrainingState done = training.run(out, state, threads, new Progress(out.resolve(LOG), log, cfg.nEpochs()));
        writeCurves(out);
        Metrics test = training.test(out.resolve(Trainer.BEST), threads);
        log.printf("best epoch %d (validation accuracy %.4f); test: %s%n", done.bestEpoch() + 1, done.bestAccuracy(), describe(test));
        return new Result(out.resolve(Trainer.BEST), test, done);
    }

    /**
     * Sequential MNIST with the psMNIST notebook's recipe (REFERENCE §4): IDX files in {@code data}
     * (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-…; raw or .gz), Adam with PyTorch's
     * default betas, cross-entropy, test accuracy reported after every epoch (the notebook
     * validates on the test set). Permuted (psMNIST): the pixel permutation comes from the seed and
     * is stored in the checkpoint; otherwise (sMNIST) the pixels are read in row-major order.
     */
    static Result runMnist(TrainConfig cfg, boolean permuted, Path data, Path out, boolean resume, PrintWriter log) {
        String task = permuted ? "psmnist" : "smnist";
        cfg.warnings().forEach(w -> log.println("warning: " + w));
        if (!cfg.model().startsWith("psmnist")) throw new IllegalArgumentException("--task " + task + " needs model psmnist_lmu or psmnist_slmu, got "
                + cfg.model());
        Idx trainImages = PermutedMnist.read(data, "train", "images");
        Idx trainLabels = PermutedMnist.read(data, "train", "labels");
        Idx testImages = PermutedMnist.read(data, "t10k", "images");
        Idx testLabels = PermutedMnist.read(data, "t10k", "labels");
        int pixels = trainImages.itemSize();
        int[] permutation = permuted ? PermutedMnist.permutation(pixels, cfg.seed()) : java.util.stream.IntStream.range(0, pixels).toArray();
        Map<String, Object> sizes = new LinkedHashMap<>();
        sizes.put("seq_len", pixels);
        sizes.put("theta", pixels);
        SequenceModel model = Models.create(ModelConfig.fromMap(cfg.model(), sizes));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("task", task);
        if (permuted) meta.put("permutation",
                java.util.Arrays.stream(permutation).mapToObj(Integer::toString).collect(java.util.stream.Collectors.joining(",")));
        PermutedMnist test = new PermutedMnist(testImages, testLabels, permutation, cfg.batchSize(), false, cfg.seed());
        return trainAndTest(cfg, model, new StepLr(cfg.lr(), Integer.MAX_VALUE, 1, 1), meta,
                new PermutedMnist(trainImages, trainLabels, permutation, cfg.batchSize(), true, cfg.seed()), test, test, out, resume, log,
                String.format("%d train / %d test images of %d pixels", trainImages.count(), testImages.count(), pixels));
    }

    /**
     * A Long Range Arena task (REFERENCE §6) with {@code lra_lmu}: the task's files in {@code data}
     * ({@link LraTask#layout()}), Adam with PyTorch's default betas, cross-entropy, the config's
     * learning-rate steps, the best epoch by validation accuracy, then the test set. The log
     * reports the majority-class rate: the test accuracy of always answering the most frequent
     * training label.
     */
    static Result runLra(LraTask task, TrainConfig cfg, Path data, Path out, boolean resume, PrintWriter log) {
        cfg.warnings().forEach(w -> log.println("warning: " + w));
        if (!cfg.model().equals(LraLmu.ARCH)) throw new IllegalArgumentException("--task " + task.id() + " needs model " + LraLmu.ARCH + ", got "
                + cfg.model());
        LraTask.Splits splits = task.read(data, cfg.seqLen());
        TokenSet train = splits.train();
        if (train.classes() != cfg.nClass()) throw new IllegalArgumentException("n_class is " + cfg.nClass() + " but " + task.id() + " has " + train.classes()
                + " classes");
        splits.notes().forEach(n -> log.println("note: " + n));
        Map<String, Object> sizes = new LinkedHashMap<>();
        sizes.put("embed_dims", cfg.dim());
        sizes.put("depths", cfg.layer());
        sizes.put("mlp_ratios", cfg.mlpRatio());
        sizes.put("vocab_size", train.vocabulary());
        sizes.put("towers", train.paired() ? 2 : 1);
        sizes.put("num_classes", train.classes());
        sizes.put("seq_len", cfg.seqLen());
        sizes.put("theta", cfg.theta());
        SequenceModel model = Models.create(ModelConfig.fromMap(LraLmu.ARCH, sizes));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("task", task.id());
        TokenSet test = splits.test();
        String dataLine = String.format("%s: %d train / %d validation / %d test examples, longest %d; majority class %.2f %% of test",
                task.id(), train.size(), splits.validation().size(), test.size(), train.longest(), 100 * test.share(train.majorityLabel()));
        return trainAndTest(cfg, model, new StepLr(cfg.lr(), cfg.lrschedulerStart(), cfg.lrschedulerStep(), cfg.lrschedulerDecay()), meta,
                new TokenBatches(train, cfg.batchSize(), true, cfg.seed()), new TokenBatches(splits.validation(), cfg.batchSize(), false, cfg.seed()),
                new TokenBatches(test, cfg.batchSize(), false, cfg.seed()), out, resume, log, dataLine);
    }

    /**
     * Initialises the model from the seed, trains it with Adam (PyTorch's default betas) and
     * cross-entropy, validating after every epoch, then tests the best epoch's checkpoint.
     */
    private static Result trainAndTest(TrainConfig cfg, SequenceModel model, StepLr schedule, Map<String, String> meta, BatchSource train,
                                       BatchSource validation, BatchSource test, Path out, boolean resume, PrintWriter log, String dataLine) {
        Init.pytorchDefault(model, cfg.seed());
        Adam adam = new Adam(model.state().parameters(), cfg.lr(), 0.9, 0.999, 1e-8, 0);
        Trainer trainer = new Trainer(model, new CrossEntropyLoss(), adam, schedule, cfg.nEpochs(), cfg.fingerprint(), meta);
        TrainingState state = startState(cfg, TrainingState.start(out, resume, model, adam, cfg.fingerprint()), out, log);
        log.printf("%s: %,d parameters; %s; %s%n", model.arch(), model.parameterCount(), dataLine, Main.engineLine());
        log.flush();
        TrainingState done = trainer.run(train, validation, out, state, new Progress(out.resolve(LOG), log, cfg.nEpochs()));
        writeCurves(out);
        Metrics m = Evaluator.run(Checkpoint.load(out.resolve(Trainer.BEST)).model(), test).metrics();
        log.printf("best epoch %d (validation accuracy %.4f); test: %s%n", done.bestEpoch() + 1, done.bestAccuracy(), describe(m));
        return new Result(out.resolve(Trainer.BEST), m, done);
    }

    /** Reports a resumed state and keeps the log rows of the epochs it has done. */
    private static TrainingState startState(TrainConfig cfg, TrainingState state, Path out, PrintWriter log) {
        if (state.epochsDone() > 0) {
            log.printf("resuming after epoch %d of %d (best validation accuracy %.4f)%n", state.epochsDone(), cfg.nEpochs(), state.bestAccuracy());
        }
        keepLogRows(out.resolve(LOG), state.epochsDone());
        return state;
    }

    static String describe(Metrics m) {
        return String.format("accuracy %.4f, mAP %.4f, mean AUC %.4f, d' %.3f (%d clips)", m.accuracy(), m.meanAp(), m.meanAuc(), m.dPrime(), m.clips());
    }

    /** Drops log rows of epochs that a resumed run will redo. */
    private static void keepLogRows(Path csv, int epochsDone) {
        try {
            List<String> keep = new ArrayList<>(List.of(HEADER));
            if (Files.exists(csv)) {
                for (String line : Files.readAllLines(csv)) {
                    if (line.equals(HEADER) || line.isBlank()) continue;
                    if (Integer.parseInt(line.substring(0, line.indexOf(','))) <= epochsDone) keep.add(line);
                }
            }
            Files.createDirectories(csv.toAbsolutePath().getParent());
            Files.write(csv, keep);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(csv + ": cannot prepare the log (" + e.getMessage() + ")");
        }
    }

    /** curves.png from log.csv: training loss and accuracies per epoch. */
    static void writeCurves(Path out) {
        List<double[]> rows = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(out.resolve(LOG))) {
                if (line.startsWith("epoch") || line.isBlank()) continue;
                String[] f = line.split(",");
                double[] r = new double[f.length];
                for (int i = 0; i < f.length; i++) r[i] = Double.parseDouble(f[i]);
                rows.add(r);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(out.resolve(LOG) + ": cannot read (" + e.getMessage() + ")");
        }
        double[] epoch = rows.stream().mapToDouble(r -> r[0]).toArray();
        Plots.lineChart(out.resolve("curves.png"), "Training", "epoch", "value", List.of(
                new Plots.Series("train loss", epoch, rows.stream().mapToDouble(r -> r[2]).toArray()),
                new Plots.Series("train accuracy", epoch, rows.stream().mapToDouble(r -> r[3]).toArray()),
                new Plots.Series("validation accuracy", epoch, rows.stream().mapToDouble(r -> r[4]).toArray())));
    }

    /** Progress bar per epoch and one CSV row and summary line per epoch. */
    private static final class Progress implements Trainer.Listener {
        private final Path csv;
        private final PrintWriter log;
        private final int epochs;
        private ProgressBar bar;

        Progress(Path csv, PrintWriter log, int epochs) {
            this.csv = csv;
            this.log = log;
            this.epochs = epochs;
        }

        @Override
        public void batch(int epoch, int index, int batches, double loss, double accuracy, double samplesPerSecond) {
            if (bar == null) {
                bar = new ProgressBarBuilder().setTaskName(String.format("epoch %d/%d", epoch + 1, epochs)).setInitialMax(batches)
                        .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).continuousUpdate().build();
            }
            bar.stepTo(index + 1);
            // short enough that an 80-column line keeps it whole, the rate's unit included, with 200 epochs of 664 batches
            // (Speech Commands); the accuracy is in the epoch's summary line
            bar.setExtraMessage(String.format(" loss %.3f, %.0f clips/s", loss, samplesPerSecond));
        }

        @Override
        public void validating(int epoch) {
            // the bar would sit at 100 % while validation runs: close it and say what is happening
            if (bar != null) bar.close();
            bar = null;
            log.printf("epoch %d/%d: validating%n", epoch + 1, epochs);
            log.flush();
        }

        @Override
        public void epoch(Trainer.EpochResult r) {
            if (bar != null) bar.close();
            bar = null;
            Metrics v = r.validation();
            String row = String.format(java.util.Locale.ROOT, "%d,%.6g,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.2f", r.epoch() + 1, r.learningRate(),
                    r.trainLoss(), r.trainAccuracy(), v.accuracy(), v.meanAp(), v.meanAuc(), v.dPrime(), r.seconds());
            try {
                Files.writeString(csv, row + System.lineSeparator(), java.nio.file.StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new IllegalArgumentException(csv + ": cannot append (" + e.getMessage() + ")");
            }
            log.printf("epoch %d/%d: lr %.3g, train loss %.4f, train acc %.3f; validation %s%s (%.1f s)%n", r.epoch() + 1, epochs,
                    r.learningRate(), r.trainLoss(), r.trainAccuracy(), describe(v), r.best() ? " *best*" : "", r.seconds());
            log.flush();
        }
    }
}
