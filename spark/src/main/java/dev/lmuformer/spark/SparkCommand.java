package dev.lmuformer.spark;

import picocli.CommandLine.Command;

/**
 * {@code lmuformer spark}: the jobs that run on Apache Spark. The command classes hold no Spark types,
 * so the command line that lists them loads without Spark; a job checks for Spark when it starts
 * ({@link #requireSpark()}) and does its Spark work in {@link SparkJobs}.
 */
@Command(name = "spark", description = "Keyword spotting and evaluation over audio collections, and data-parallel training, on Apache Spark "
        + "(a cluster through spark-submit, or local mode on this machine).",
        subcommands = {SparkPredictCommand.class, SparkEvalCommand.class, SparkFeaturesCommand.class, SparkTrainCommand.class},
        footer = {"", "Examples:",
                "  lmuformer spark predict --checkpoint best.safetensors --input calls/ --output runs/spotted",
                "  lmuformer spark eval --checkpoint best.safetensors --data data/keywords",
                "  lmuformer spark train --data data/keywords --out runs/spark --workers 2",
                "  spark-submit --master spark://host:7077 --class dev.lmuformer.spark.SparkMain lmuformer-spark.jar predict …"})
public final class SparkCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Fails with what to do when Spark's classes are not on the class path (the plain {@code lmuformer.jar} has none). */
    static void requireSpark() {
        try {
            Class.forName("org.apache.spark.sql.SparkSession", false, SparkCommand.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("Spark is not on the class path: run ./lmuformer spark …, which adds it, "
                    + "or spark-submit --class dev.lmuformer.spark.SparkMain spark/target/lmuformer-spark.jar …");
        }
    }
}
