package dev.lmuformer.train;

import dev.lmuformer.checkpoint.Checkpoint;
import dev.lmuformer.data.Batch;
import dev.lmuformer.data.BatchSource;
import dev.lmuformer.model.SequenceModel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/**
 * The reference training recipe (REFERENCE §5): Adam, a step learning-rate schedule per epoch,
 * validation after every epoch, the best epoch's model kept by validation accuracy. After each
 * epoch the run writes {@code last.safetensors} (a {@link TrainingState}, for {@code --resume})
 * and, when validation accuracy improved, {@code best.safetensors} (a {@link Checkpoint}); both
 * atomically, so an interrupted run always leaves usable files.
 */
public final class Trainer {
    /** File name of the resumable training state. */
    public static final String LAST = "last.safetensors";
    /** File name of the best model. */
    public static final String BEST = "best.safetensors";

    /** What the trainer reports. */
    public interface Listener {
        /** After each optimisation step. */
        default void batch(int epoch, int index, int batches, double loss, double accuracy, double samplesPerSecond) {
        }

        /** After an epoch's last step, before its validation. */
        default void validating(int epoch) {
        }

        /** After each epoch's validation. */
        default void epoch(EpochResult result) {
        }
    }

    /**
     * One epoch's figures.
     *
     * @param epoch         0-based epoch
     * @param learningRate  the rate used
     * @param trainLoss     mean training loss
     * @param trainAccuracy training accuracy against the (mixup) target's top class
     * @param validation    validation metrics
     * @param seconds       wall time of the epoch (training and validation)
     * @param best          whether this epoch is the best so far
     */
    public record EpochResult(int epoch, double learningRate, double trainLoss, double trainAccuracy, Metrics validation,
                              double seconds, boolean best) {
        /** The epoch's line in a run's log: {@code epoch E/N: lr …, train loss …, train acc …; validation … (s)}. */
        public String describe(int epochs) {
            return String.format("epoch %d/%d: lr %.3g, train loss %.4f, train acc %.3f; validation %s%s (%.1f s)", epoch + 1, epochs,
                    learningRate, trainLoss, trainAccuracy, validation.describe(), best ? " *best*" : "", seconds);
        }
    }

    private final SequenceModel model;
    private final TrainStep step;
    private final StepLr schedule;
    private final int epochs;
    private final String settings;
    private final Map<String, String> metadata;

    /**
     * @param recipe   the loss, optimiser, schedule and epochs
     * @param model    the model (initialised or loaded)
     * @param settings the run's settings as a string, stored with the state and checked on resume
     * @param metadata extra checkpoint metadata (labels, normalisation …)
     */
    public Trainer(Recipe recipe, SequenceModel model, String settings, Map<String, String> metadata) {
        this.model = model;
        this.step = recipe.step(model);
        this.schedule = recipe.schedule();
        this.epochs = recipe.epochs();
        this.settings = settings;
        this.metadata = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metadata)); // keeps the order: files are reproducible
    }

    /**
     * The optimisation steps of one epoch, at the learning rate already set on the step's optimiser:
     * on this machine one batch after another ({@link #local}), or spread over workers whose models
     * are averaged (the spark module). Validation and checkpoints stay with the {@link Trainer}.
     */
    @FunctionalInterface
    public interface EpochSteps {
        /**
         * Takes the steps of epoch {@code epoch} (0-based) with {@code step} and returns their totals.
         *
         * @throws ArithmeticException when a loss is not finite, its message naming the batch
         */
        EpochTotals run(int epoch, TrainStep step, Listener listener);
    }

    /**
     * What an epoch's steps saw.
     *
     * @param lossSum the losses weighted by batch size
     * @param correct examples whose top logit was the target's top class
     * @param seen    examples
     */
    public record EpochTotals(double lossSum, long correct, long seen) {
        /** Totals of two parts of an epoch. */
        public EpochTotals plus(EpochTotals o) {
            return new EpochTotals(lossSum + o.lossSum, correct + o.correct, seen + o.seen);
        }
    }

    /** The steps of an epoch on this machine: every batch of {@code train}'s epoch, in order. */
    public static EpochSteps local(BatchSource train) {
        return (epoch, step, listener) -> {
            EpochTotals totals = new EpochTotals(0, 0, 0);
            int index = 0;
            for (Iterator<Batch> it = train.epoch(epoch); it.hasNext(); index++) {
                Batch b = it.next();
                long t0 = System.nanoTime();
                totals = totals.plus(step(step, b, index));
                listener.batch(epoch, index, train.batchesPerEpoch(), totals.lossSum() / totals.seen(), (double) totals.correct() / totals.seen(),
                        b.size() / ((System.nanoTime() - t0) / 1e9));
            }
            return totals;
        };
    }

    /**
     * One optimisation step on batch {@code index} of an epoch, and its totals.
     *
     * @throws ArithmeticException when the loss is not finite (the parameters are left unchanged)
     */
    public static EpochTotals step(TrainStep step, Batch b, int index) {
        double loss;
        try {
            loss = step.run(b.inputs().data, b.targets().data, b.size(), b.inputs().dim(1));
        } catch (ArithmeticException e) {
            throw new ArithmeticException("batch " + (index + 1) + ": " + e.getMessage());
        }
        int classes = b.targets().dim(1);
        float[] logits = step.lastLogits();
        long correct = 0;
        for (int i = 0; i < b.size(); i++) {
            if (Metrics.argMax(logits, i * classes, classes) == Metrics.argMax(b.targets().data, i * classes, classes)) correct++;
        }
        return new EpochTotals(loss * b.size(), correct, b.size());
    }

    /**
     * Trains from {@code state} (a fresh one or a restored one) to the last epoch, one batch of
     * {@code train} after another.
     *
     * @throws ArithmeticException when a loss is not finite; the files of the last completed
     *                             epoch are left as they were
     */
    public TrainingState run(BatchSource train, BatchSource validation, Path outDir, TrainingState state, Listener listener) {
        return run(local(train), validation, outDir, state, listener);
    }

    /**
     * Trains from {@code state} to the last epoch with each epoch's steps taken by {@code steps}.
     *
     * @throws ArithmeticException when a loss is not finite; the files of the last completed
     *                             epoch are left as they were
     */
    public TrainingState run(EpochSteps steps, BatchSource validation, Path outDir, TrainingState state, Listener listener) {
        try {
            Files.createDirectories(outDir);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot create " + outDir + ": " + e.getMessage(), e);
        }
        TrainingState current = state;
        for (int epoch = state.epochsDone(); epoch < epochs; epoch++) {
            long start = System.nanoTime();
            double lr = schedule.lrAt(epoch);
            step.optimizer().setLearningRate(lr);
            EpochTotals totals;
            try {
                totals = steps.run(epoch, step, listener);
            } catch (ArithmeticException e) {
                throw new ArithmeticException("epoch " + (epoch + 1) + ", " + e.getMessage() + "; the last good checkpoint is " + outDir.resolve(LAST));
            }
            listener.validating(epoch);
            Metrics val = Evaluator.run(model, validation).metrics();
            boolean best = Double.isNaN(current.bestAccuracy()) || val.accuracy() > current.bestAccuracy();
            if (best) Checkpoint.save(outDir.resolve(BEST), model, metadata);
            current = new TrainingState(epoch + 1, step.optimizer().steps(), best ? val.accuracy() : current.bestAccuracy(),
                    best ? epoch : current.bestEpoch(), settings);
            current.save(outDir.resolve(LAST), model, step.optimizer(), metadata);
            double trainLoss = totals.lossSum() / totals.seen();
            double trainAccuracy = (double) totals.correct() / totals.seen();
            listener.epoch(new EpochResult(epoch, lr, trainLoss, trainAccuracy, val, (System.nanoTime() - start) / 1e9, best));
        }
        return current;
    }

    /** The step: the model's training forward, the loss, backward and the optimiser. */
    public TrainStep step() {
        return step;
    }

    /** The optimiser. */
    public Adam optimizer() {
        return step.optimizer();
    }
}
