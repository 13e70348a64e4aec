package dev.lmuformer.spark;

import dev.lmuformer.data.Split;
import dev.lmuformer.train.Evaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

import java.io.IOException;
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
            } catch (Exception e) { // AnalysisException when the output exists
                if (String.valueOf(e.getMessage()).contains("already exists")) {
                    throw new IllegalArgumentException(output + " exists: give --overwrite to replace it", e);
                }
                throw e;
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

    private static byte[] read(Path checkpoint) {
        try {
            return Files.readAllBytes(checkpoint);
        } catch (IOException e) {
            throw new IllegalArgumentException(checkpoint + ": cannot read the checkpoint (" + e.getMessage() + ")", e);
        }
    }
}
