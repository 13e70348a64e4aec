package dev.lmuformer.spark;

import dev.lmuformer.engine.Parallel;
import dev.lmuformer.train.TrainConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code lmuformer spark train}: the reference recipe, data-parallel over Spark tasks by parameter averaging. */
@Command(name = "train", description = "Train with the reference recipe (the configuration of train) data-parallel on Spark: "
        + "each round every worker takes --local-steps steps on its own share of the epoch's batches, then the driver averages "
        + "the weights and Adam's moments. One worker gives the model of train, bit for bit. Writes last.safetensors and "
        + "best.safetensors into --out as train does (and resumes as it does).",
        footer = {"", "Examples:",
                "  lmuformer spark train --data data/keywords --out runs/spark --workers 2 --local-steps 4",
                "  spark-submit --class dev.lmuformer.spark.SparkMain lmuformer-spark.jar train --data /shared/speech_commands_v0.02 "
                        + "--config gsc.yml --workers 16 --out runs/gsc"})
final class SparkTrainCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--master", description = "Spark master URL (default: the one spark-submit gives, else local[*]).")
    String master;

    @CommandLine.Mixin
    TrainConfigOptions configuration;

    @Option(names = "--data", defaultValue = "data/keywords", description = "Data folder, at a path every executor can read "
            + "(default: ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--features", paramLabel = "PARQUET", description = "Train from the filterbanks spark features wrote, instead of --data's "
            + "audio (needs mixup=0: mixup and background examples act on the audio).")
    String features;

    @Option(names = "--out", defaultValue = "runs/spark-train", description = "Output folder on the driver (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--workers", defaultValue = "2", description = "W: Spark tasks per round, each with 1/W of the batches (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--local-steps", defaultValue = "4", description = "K: steps each worker takes between averagings (default: ${DEFAULT-VALUE}).")
    int localSteps;

    @Option(names = "--resume", description = "Continue the run in --out from its last completed epoch.")
    boolean resume;

    @Option(names = "--threads", defaultValue = "0", description = "Engine and loader threads of this JVM (0 = all cores).")
    int threads;

    @Override
    public Integer call() {
        if (threads < 0) throw new IllegalArgumentException("--threads must be 0 (all cores) or positive, got " + threads);
        if (threads > 0) Parallel.setThreads(threads);
        TrainConfig cfg = configuration.config();
        cfg.warnings().forEach(w -> spec.commandLine().getErr().println("lmuformer: " + w));
        SparkCommand.requireSpark();
        if (features != null && spec.commandLine().getParseResult().hasMatchedOption("--data")) {
            throw new IllegalArgumentException("--data and --features: give one of them");
        }
        SparkJobs.train(master, cfg, data, features, out, workers, localSteps, resume, Parallel.threads(), spec.commandLine().getOut());
        return 0;
    }
}
