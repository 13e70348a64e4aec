package dev.lmuformer.spark;

import dev.lmuformer.data.Split;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code lmuformer spark eval}: the metrics of {@code eval} with the forward passes on Spark's executors. */
@Command(name = "eval", description = "Evaluate a Speech Commands checkpoint on a split of a labelled collection "
        + "(word/clip.wav with testing_list.txt and validation_list.txt): accuracy, mAP, mean AUC, d', the figures of eval.",
        footer = {"", "Examples:",
                "  lmuformer spark eval --checkpoint best.safetensors --data data/keywords",
                "  spark-submit --class dev.lmuformer.spark.SparkMain lmuformer-spark.jar eval --checkpoint best.safetensors "
                        + "--data hdfs:///speech_commands_v0.02"})
final class SparkEvalCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--master", description = "Spark master URL (default: the one spark-submit gives, else local[*]).")
    String master;

    @Option(names = "--checkpoint", required = true, description = "Checkpoint (.safetensors or .pth) on the driver's file system.")
    Path checkpoint;

    @Option(names = "--data", defaultValue = "data/keywords", description = "The collection, on any file system Spark reads "
            + "(default: ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--split", defaultValue = "test", description = "test or validation (default: ${DEFAULT-VALUE}).")
    String split;

    @Override
    public Integer call() {
        Split s = Split.parse(split);
        if (s == Split.TRAIN) throw new IllegalArgumentException("--split must be test or validation");
        SparkCommand.requireSpark();
        spec.commandLine().getOut().println(s.id() + ": " + SparkJobs.evaluate(master, checkpoint, data, s).metrics().describe());
        return 0;
    }
}
