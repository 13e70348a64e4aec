package dev.lmuformer.cli;

import dev.lmuformer.model.SequenceModel;
import dev.lmuformer.train.Metrics;
import dev.lmuformer.train.TrainConfig;
import dev.lmuformer.train.Trainer;
import dev.lmuformer.train.Training;
import dev.lmuformer.train.TrainingState;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The CLI's side of a {@link Training} (shared by {@code train} and {@code demo}): warnings, a progress
 * bar, the CSV log, the curves, the best checkpoint's test metrics.
 */
final class TrainRun {
    static final String LOG = "log.csv";
    private static final String HEADER = "epoch,lr,train_loss,train_accuracy,val_accuracy,val_map,val_auc,val_dprime,seconds";

    private TrainRun() {
    }

    /** What a run produced. */
    record Result(Path best, Metrics test, TrainingState state) {
    }

    /** Trains {@code training} into {@code out} with a progress bar, {@code log.csv} and {@code curves.png}, then tests the best epoch. */
    static Result run(Training training, Path out, int threads, boolean resume, PrintWriter log) {
        TrainConfig cfg = training.config();
        cfg.warnings().forEach(w -> log.println("warning: " + w));
        SequenceModel model = training.model();
        int epochs = cfg.recipe().epochs();
        TrainingState state = training.start(out, resume);
        if (state.epochsDone() > 0) {
            log.printf("resuming after epoch %d of %d (best validation accuracy %.4f)%n", state.epochsDone(), epochs, state.bestAccuracy());
        }
        keepLogRows(out.resolve(LOG), state.epochsDone());
        log.printf("%s: %,d parameters; %s; %s%n", model.arch(), model.parameterCount(), training.description(), Main.engineLine());
        log.flush();
        TrainingState done = training.run(out, state, threads, new Progress(out.resolve(LOG), log, epochs));
        writeCurves(out);
        Metrics test = training.test(out.resolve(Trainer.BEST), threads);
        log.printf("best epoch %d (validation accuracy %.4f); test: %s%n", done.bestEpoch() + 1, done.bestAccuracy(), test.describe());
        return new Result(out.resolve(Trainer.BEST), test, done);
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
            log.println(r.describe(epochs));
            log.flush();
        }
    }
}
