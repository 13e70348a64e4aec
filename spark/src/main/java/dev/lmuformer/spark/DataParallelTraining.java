package dev.lmuformer.spark;

import dev.lmuformer.data.BatchSource;
import dev.lmuformer.data.speech.PreparedFeatures;
import dev.lmuformer.engine.Tensor;
import dev.lmuformer.model.SequenceModel;
import dev.lmuformer.model.StateDict;
import dev.lmuformer.nn.Dropout;
import dev.lmuformer.train.Adam;
import dev.lmuformer.train.TrainConfig;
import dev.lmuformer.train.TrainStep;
import dev.lmuformer.train.Trainer;
import dev.lmuformer.train.Training;
import dev.lmuformer.train.TrainingState;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Data-parallel training by synchronous parameter averaging. An epoch's batches are dealt to
 * {@code W} workers (batch i to worker i mod W); the epoch runs in rounds, and in each round the
 * driver broadcasts the model and Adam's state, every worker (a Spark task) takes its next {@code K}
 * steps of the reference recipe on its own batches, and the driver averages what comes back — the
 * parameters, the batch norms' running statistics and Adam's two moments, each the plain mean over
 * the workers that took a step, summed in double precision by a tree reduction. Validation,
 * checkpoints, the schedule and {@code --resume} are the single-machine {@link Trainer}'s.
 *
 * <p>Batches and augmentations are drawn from (seed, epoch, batch index), so a worker computes its
 * batches itself from the data folder, which every executor must be able to read (local mode, or a
 * shared file system). With one worker each round hands the state on unchanged, so the run equals
 * {@code train} bit for bit whatever K. With W workers an epoch takes 1/W of the optimiser steps
 * of a single machine, each an average over W batches.
 */
public final class DataParallelTraining {
    /**
     * How the work is spread.
     *
     * @param workers    W, the Spark tasks of a round (each on its own share of the batches)
     * @param localSteps K, the optimiser steps each worker takes between two averagings
     */
    public record Settings(int workers, int localSteps) {
        /** Checks both are positive. */
        public Settings {
            if (workers < 1) throw new IllegalArgumentException("--workers must be positive, got " + workers);
            if (localSteps < 1) throw new IllegalArgumentException("--local-steps must be positive, got " + localSteps);
        }
    }

    /**
     * What a worker needs to build its own run of the configuration: the configuration's keys, its task,
     * and the data folder or the prepared filterbanks (one of them null).
     */
    private record Job(Map<String, Object> keys, String task, String data, PreparedFeatures prepared, int loaderThreads) implements Serializable {
        Training training() {
            TrainConfig config = TrainConfig.forTask(task);
            keys.forEach((key, value) -> config.set("the driver's configuration", key, value));
            return prepared != null ? Training.prepared(config, prepared) : Training.of(config, Path.of(data));
        }
    }

    private DataParallelTraining() {
    }

    /**
     * Trains {@code config} on the data at {@code data} (a folder every executor reads) into {@code out}
     * on the driver's file system, and returns the final state; {@code out} gets what {@code train}
     * writes there ({@link Trainer#LAST}, {@link Trainer#BEST}).
     */
    public static TrainingState run(SparkSession spark, TrainConfig config, String data, Path out, Settings settings, boolean resume,
                                    int loaderThreads, Trainer.Listener listener) {
        return run(spark, new Job(new LinkedHashMap<>(config.keys()), config.task(), data, null, loaderThreads), out, settings, resume, listener);
    }

    /**
     * As {@link #run(SparkSession, TrainConfig, String, Path, Settings, boolean, int, Trainer.Listener)}, from
     * filterbanks prepared beforehand ({@link FeaturePreparation}), which travel to the executors once, as
     * a broadcast: they must fit in the driver's and each executor's memory.
     */
    public static TrainingState run(SparkSession spark, TrainConfig config, PreparedFeatures features, Path out, Settings settings, boolean resume,
                                    int loaderThreads, Trainer.Listener listener) {
        return run(spark, new Job(new LinkedHashMap<>(config.keys()), config.task(), null, features, loaderThreads), out, settings, resume, listener);
    }

    private static TrainingState run(SparkSession spark, Job spec, Path out, Settings settings, boolean resume, Trainer.Listener listener) {
        Training training = spec.training();
        TrainingState from = training.start(out, resume);
        int batches;
        BatchSource counted = training.trainingBatches(1);
        try {
            batches = counted.batchesPerEpoch();
        } finally {
            Worker.close(counted);
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<Job> job = jsc.broadcast(spec);
        try {
            Trainer.EpochSteps steps = (epoch, step, l) -> epoch(jsc, job, training.model(), step, epoch, batches, settings, l);
            return training.run(out, from, spec.loaderThreads(), listener, steps);
        } finally {
            job.destroy();
        }
    }

    private static Trainer.EpochTotals epoch(JavaSparkContext jsc, Broadcast<Job> job, SequenceModel model, TrainStep step, int epoch, int batches,
                                             Settings settings, Trainer.Listener listener) {
        int workers = settings.workers();
        int k = settings.localSteps();
        int perWorker = (batches + workers - 1) / workers;
        int rounds = (perWorker + k - 1) / k;
        double lr = step.optimizer().learningRate();
        List<Integer> tasks = IntStream.range(0, workers).boxed().toList();
        Trainer.EpochTotals totals = new Trainer.EpochTotals(0, 0, 0);
        for (int round = 0; round < rounds; round++) {
            long t0 = System.nanoTime();
            Broadcast<State> now = jsc.broadcast(State.of(model, step.optimizer()));
            int r = round;
            Part sum;
            try {
                sum = jsc.parallelize(tasks, workers)
                        .map(w -> Worker.round(job, now.value(), epoch, lr, r, w, workers, k, batches))
                        .treeReduce(Part::plus, 2);
            } catch (RuntimeException e) {
                throw nonFiniteLoss(e);
            } finally {
                now.destroy();
            }
            sum.averageInto(model, step.optimizer());
            totals = totals.plus(sum.totals());
            int done = Math.min(batches, (round + 1) * k * workers);
            listener.batch(epoch, done - 1, batches, totals.lossSum() / totals.seen(), (double) totals.correct() / totals.seen(),
                    sum.totals().seen() / ((System.nanoTime() - t0) / 1e9));
        }
        return totals;
    }

    /** A task's non-finite loss, which Spark reports as the job's failure, as the trainer's {@link ArithmeticException}; others as they are. */
    private static RuntimeException nonFiniteLoss(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) if (t instanceof ArithmeticException a) return new ArithmeticException(a.getMessage());
        String marker = ArithmeticException.class.getName() + ": ";
        String m = String.valueOf(e.getMessage());
        int at = m.indexOf(marker);
        return at < 0 ? e : new ArithmeticException(m.substring(at + marker.length()).lines().findFirst().orElse(""));
    }

    /**
     * A model's and optimiser's state as one flat vector: every state_dict entry in order, then for each
     * parameter Adam's first and second moment; with the optimiser's step count and the dropout layers'
     * random state.
     */
    record State(float[] values, long steps, long[] dropoutSeeds, long[] dropoutForwards) implements Serializable {
        static State of(SequenceModel model, Adam adam) {
            int n = 0;
            for (StateDict.Entry e : model.state().entries().values()) n += e.data().length;
            for (int p = 0; p < adam.parameters().size(); p++) n += 2 * adam.expAvg(p).length;
            float[] v = new float[n];
            int at = 0;
            for (StateDict.Entry e : model.state().entries().values()) at = put(e.data(), v, at);
            for (int p = 0; p < adam.parameters().size(); p++) {
                at = put(adam.expAvg(p), v, at);
                at = put(adam.expAvgSq(p), v, at);
            }
            List<Dropout> d = model.dropouts();
            return new State(v, adam.steps(), d.stream().mapToLong(Dropout::seed).toArray(), d.stream().mapToLong(Dropout::forwards).toArray());
        }

        /** Copies the state into {@code model} and {@code adam}. */
        void into(SequenceModel model, Adam adam) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            int at = 0;
            for (StateDict.Entry e : model.state().entries().values()) {
                float[] t = new float[e.data().length];
                System.arraycopy(values, at, t, 0, t.length);
                at += t.length;
                tensors.put(e.name(), new Tensor(t, e.shape()));
            }
            model.state().load(tensors); // through load, so that what is derived from the weights follows them
            for (int p = 0; p < adam.parameters().size(); p++) {
                at = get(values, at, adam.expAvg(p));
                at = get(values, at, adam.expAvgSq(p));
            }
            if (at != values.length) throw new IllegalStateException("a state of " + values.length + " values for a model and optimiser of " + at);
            adam.setSteps(steps);
            List<Dropout> d = model.dropouts();
            for (int i = 0; i < d.size(); i++) d.get(i).resume(dropoutSeeds[i], dropoutForwards[i]);
        }

        private static int put(float[] from, float[] into, int at) {
            System.arraycopy(from, 0, into, at, from.length);
            return at + from.length;
        }

        private static int get(float[] from, int at, float[] into) {
            System.arraycopy(from, at, into, 0, into.length);
            return at + into.length;
        }
    }

    /**
     * The sum of the states of the workers that took steps in a round, with their totals; the random
     * state and step count of the lowest-numbered of them.
     */
    record Part(double[] sum, int workers, State first, int firstWorker, double lossSum, long correct, long seen) implements Serializable {
        static Part of(State s, int worker, Trainer.EpochTotals t) {
            if (t.seen() == 0) return new Part(null, 0, null, Integer.MAX_VALUE, 0, 0, 0);
            double[] sum = new double[s.values().length];
            for (int i = 0; i < sum.length; i++) sum[i] = s.values()[i];
            return new Part(sum, 1, s, worker, t.lossSum(), t.correct(), t.seen());
        }

        static Part plus(Part a, Part b) {
            if (b.workers == 0) return new Part(a.sum, a.workers, a.first, a.firstWorker, a.lossSum + b.lossSum, a.correct + b.correct, a.seen + b.seen);
            if (a.workers == 0) return plus(b, a);
            double[] sum = a.sum;
            for (int i = 0; i < sum.length; i++) sum[i] += b.sum[i];
            boolean aFirst = a.firstWorker < b.firstWorker;
            return new Part(sum, a.workers + b.workers, aFirst ? a.first : b.first, Math.min(a.firstWorker, b.firstWorker),
                    a.lossSum + b.lossSum, a.correct + b.correct, a.seen + b.seen);
        }

        /** The round's training figures. */
        Trainer.EpochTotals totals() {
            return new Trainer.EpochTotals(lossSum, correct, seen);
        }

        /** The mean state into the driver's model and optimiser. */
        void averageInto(SequenceModel model, Adam adam) {
            if (workers == 0) throw new IllegalStateException("no worker took a step in a round");
            float[] mean = new float[sum.length];
            for (int i = 0; i < mean.length; i++) mean[i] = (float) (sum[i] / workers);
            new State(mean, first.steps(), first.dropoutSeeds(), first.dropoutForwards()).into(model, adam);
        }
    }

    /** A worker: its own run of the job's configuration (model, optimiser, training batches), kept by the executor across rounds. */
    private record Worker(Training training, BatchSource batches) implements AutoCloseable {
        static Part round(Broadcast<Job> job, State state, int epoch, double lr, int round, int worker, int workers, int k, int batches) {
            Worker w = ExecutorModels.borrow(job, Worker.class, () -> make(job.value()));
            try {
                TrainStep step = w.training.trainer().step();
                state.into(w.training.model(), step.optimizer());
                step.optimizer().setLearningRate(lr);
                Trainer.EpochTotals totals = new Trainer.EpochTotals(0, 0, 0);
                for (int j = 0; j < k; j++) {
                    int index = worker + (round * k + j) * workers; // this worker's batches: every W-th of the epoch
                    if (index >= batches) break;
                    totals = totals.plus(Trainer.step(step, w.batches.batch(epoch, index), index));
                }
                return Part.of(State.of(w.training.model(), step.optimizer()), worker, totals);
            } finally {
                ExecutorModels.giveBack(job, w);
            }
        }

        private static Worker make(Job job) {
            Training training = job.training();
            return new Worker(training, training.trainingBatches(job.loaderThreads()));
        }

        @Override
        public void close() {
            close(batches);
        }

        static void close(BatchSource source) {
            if (source instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException("cannot close the training batches: " + e.getMessage(), e);
                }
            }
        }
    }
}
