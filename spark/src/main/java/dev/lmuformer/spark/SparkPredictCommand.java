package dev.lmuformer.spark;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code lmuformer spark predict}: logits, top class and keyword events of every WAV file of a collection. */
@Command(name = "predict", description = "Spot keywords in every WAV file of a folder or glob: per file its logits, top class and probability "
        + "(the file as one clip, as features + predict), and the keyword events of continuous spotting over the whole file "
        + "(as stream --json). A file that cannot be read gets an 'error' and the job goes on.",
        footer = {"", "Examples:",
                "  lmuformer spark predict --checkpoint best.safetensors --input data/keywords --output runs/spotted",
                "  lmuformer spark predict --master local[2] --checkpoint best.safetensors --input 'calls/2026-*/*.wav' "
                        + "--output runs/calls --format parquet"})
final class SparkPredictCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--master", description = "Spark master URL (default: the one spark-submit gives, else local[*]).")
    String master;

    @Option(names = "--checkpoint", required = true, description = "Checkpoint (.safetensors or .pth) on the driver's file system; "
            + "it is broadcast to the executors.")
    Path checkpoint;

    @Option(names = "--input", required = true, paramLabel = "DIR|GLOB", description = "A folder (searched recursively for *.wav) "
            + "or a glob, on any file system Spark reads.")
    String input;

    @Option(names = "--output", required = true, description = "Output folder (Spark writes part files into it).")
    String output;

    @Option(names = "--format", defaultValue = "json", paramLabel = "json|parquet",
            description = "JSON lines or Parquet (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--overwrite", description = "Replace --output if it exists.")
    boolean overwrite;

    @Override
    public Integer call() {
        if (!format.equals("json") && !format.equals("parquet")) throw new IllegalArgumentException("--format is json or parquet, got '" + format + "'");
        SparkCommand.requireSpark();
        SparkJobs.Spotted s = SparkJobs.predict(master, checkpoint, input, output, format, overwrite);
        spec.commandLine().getOut().printf("%d files: %d scored (%d keyword events), %d could not be read; written to %s (%s)%n",
                s.files(), s.files() - s.errors(), s.events(), s.errors(), output, format);
        return 0;
    }
}
