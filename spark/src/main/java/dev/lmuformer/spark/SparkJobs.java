package dev.lmuformer.spark;

import dev.lmuformer.data.Split;
import dev.lmuformer.data.speech.PreparedFeatures;
import dev.lmuformer.train.Evaluator;
import dev.lmuformer.train.Metrics;
import dev.lmuformer.train.TrainConfig;
import dev.lmuformer.train.Trainer;
import dev.lmuformer.train.Training;
import dev.lmuformer.train.TrainingState;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/** The Spark side of the {@code spark} commands: one session per job, stopped when it ends. */
final class SparkJobs {
    /**
     * What {@code spark predict} wrote.
     *
     * @param files  rows written, one per file
     * @param errors files that could not be read
     * @param events keyword events in all files
     */
    record Spotted(long files, long errors, long events) {
    }

    private SparkJobs() {
    }

    /** Spots keywords in the files of {@code input} and writes the rows of {@link BatchSpotting#SCHEMA} to {@code output}. */
    static Spotted predict(String master, Path checkpoint, String input, String output, String format, boolean overwrite) {
        byte[] bytes = read(checkpoint);
        SparkSession spark = SparkSessions.start(master, "lmuformer spark predict");
        try {
            Dataset<Row> rows = BatchSpotting.spot(spark, AudioFiles.read(spark, input), checkpoint.toString(), bytes);
            var writer = rows.write().mode(overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists);
            try {
                // a null column is written as null, so that every line has path, logits, top, probability, events and error
                if (format.equals("json")) writer.option("ignoreNullFields", "false").json(output);
                else writer.parquet(output);
            } catch (Exception e) {
                throw SparkSessions.writeFailure(output, e);
            }
            // the written rows, read back rather than scored twice
            Dataset<Row> written = (format.equals("json") ? spark.read().schema(BatchSpotting.SCHEMA).json(output) : spark.read().parquet(output)).cache();
            long files = written.count();
            long errors = written.filter(functions.col("error").isNotNull()).count();
            Row events = written.agg(functions.sum(functions.size(functions.coalesce(functions.col("events"), functions.array())))).first();
            return new Spotted(files, errors, events.isNullAt(0) ? 0 : events.getLong(0));
        } finally {
            spark.stop();
        }
    }

    /** Logits and targets of {@code split} of the collection at {@code data}. */
    static Evaluator.Outputs evaluate(String master, Path checkpoint, String data, Split split) {
        byte[] bytes = read(checkpoint);
        SparkSession spark = SparkSessions.start(master, "lmuformer spark eval");
        try {
            return DistributedEvaluation.evaluate(spark, data, split, checkpoint.toString(), bytes);
        } finally {
            spark.stop();
        }
    }

    /** Trains {@code config} on {@code data} over Spark tasks into {@code out}, printing a line per epoch and the test metrics of the best epoch. */
    static void train(String master, TrainConfig config, String data, String features, Path out, int workers, int localSteps, boolean resume,
                      int threads, PrintWriter o) {
        DataParallelTraining.Settings settings = new DataParallelTraining.Settings(workers, localSteps);
        SparkSession spark = SparkSessions.start(master, "lmuformer spark train");
        try {
            int epochs = config.recipe().epochs();
            PreparedFeatures prepared = features == null ? null : FeaturePreparation.read(spark, features);
            o.printf("%s on %s: %d workers, %d local steps between averagings, master %s%n", config.model(),
                    prepared == null ? data : features + " (" + FeaturePreparation.describe(prepared) + " clips)", workers, localSteps,
                    spark.sparkContext().master());
            o.flush();
            long start = System.nanoTime();
            Trainer.Listener lines = new Trainer.Listener() {
                @Override
                public void epoch(Trainer.EpochResult r) {
                    o.println(r.describe(epochs));
                    o.flush();
                }
            };
            TrainingState s = prepared == null
                    ? DataParallelTraining.run(spark, config, data, out, settings, resume, threads, lines)
                    : DataParallelTraining.run(spark, config, prepared, out, settings, resume, threads, lines);
            double seconds = (System.nanoTime() - start) / 1e9;
            Training local = prepared == null ? Training.of(config, Path.of(data)) : Training.prepared(config, prepared);
            Metrics test = local.test(out.resolve(Trainer.BEST), threads);
            o.printf("best epoch %d (validation accuracy %.4f); test: %s%n", s.bestEpoch() + 1, s.bestAccuracy(), test.describe());
            o.printf("trained in %.1f s; written: %s, %s%n", seconds, out.resolve(Trainer.BEST), out.resolve(Trainer.LAST));
        } finally {
            spark.stop();
        }
    }

    /** Writes the filterbanks of the dataset at {@code data} to {@code output}; returns the clips written. */
    static long features(String master, Path data, int frames, String output, boolean overwrite) {
        SparkSession spark = SparkSessions.start(master, "lmuformer spark features");
        try {
            return FeaturePreparation.write(spark, data, frames, output, overwrite);
        } finally {
            spark.stop();
        }
    }

    private static byte[] read(Path checkpoint) {
        try {
            return Files.readAllBytes(checkpoint);
        } catch (IOException e) {
            throw new IllegalArgumentException(checkpoint + ": cannot read the checkpoint (" + e.getMessage() + ")", e);
        }
    }
}
