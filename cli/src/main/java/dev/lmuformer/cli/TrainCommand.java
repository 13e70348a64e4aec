package dev.lmuformer.cli;

import dev.lmuformer.train.TrainConfig;
import dev.lmuformer.train.Training;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code lmuformer train}: the reference recipe on a Speech Commands folder, or a sequence task. */
@Command(name = "train", description = "Train on a Speech Commands folder with the reference recipe (keys of gsc.yml), "
        + "on (permuted) sequential MNIST, or on a Long Range Arena task.",
        footer = {"", "Examples:",
                "  lmuformer train --config ../shared/reference/gsc.yml --data DIR --out runs/gsc",
                "  lmuformer train --data data/keywords --set model=lmu_rnn_conv1d --set dim=64 --epochs 20 --out runs/small",
                "  lmuformer train --data data/keywords --out runs/small --resume   # continue an interrupted run",
                "  lmuformer train --task psmnist --data mnist/ --out runs/psmnist   # IDX files, the notebook's recipe",
                "  lmuformer train --task smnist --data mnist/ --out runs/smnist     # the same, pixels in order",
                "  lmuformer listops --out lra/listops && lmuformer train --task listops --data lra/listops --out runs/listops",
                "  lmuformer train --task image --data cifar-10-batches-bin/ --config configs/lra/image.yml --set dim=32"})
final class TrainCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The tasks --task accepts. */
    static final java.util.List<String> TASKS = java.util.stream.Stream.concat(java.util.stream.Stream.of("speechcommands", "psmnist", "smnist"),
            java.util.Arrays.stream(dev.lmuformer.data.lra.LraTask.values()).map(dev.lmuformer.data.lra.LraTask::id)).toList();

    @Option(names = "--task", defaultValue = "speechcommands",
            description = "speechcommands, psmnist, smnist, listops, text, retrieval, image or pathfinder (default: ${DEFAULT-VALUE}).")
    String task;

    @Option(names = "--config", description = "YAML file with the reference's keys (model, dim, lr, n_epochs, …), over the task's defaults.")
    Path config;

    @Option(names = "--data", defaultValue = "data/keywords",
            description = "Data folder: Speech Commands, MNIST IDX files or the task's files (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--out", defaultValue = "runs/train", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--set", description = "Override a config key, e.g. --set dim=64 (repeatable).")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--epochs", description = "Override n_epochs.")
    Integer epochs;

    @Option(names = "--seed", description = "Override the seed (default 1).")
    Long seed;

    @Option(names = "--resume", description = "Continue the run in --out from its last completed epoch.")
    boolean resume;

    @Option(names = "--threads", defaultValue = "0", description = "Threads (0 = all cores).")
    int threads;

    @Override
    public Integer call() {
        Main.applyThreads(threads);
        java.io.PrintWriter err = spec.commandLine().getErr();
        if (!TASKS.contains(task)) throw new IllegalArgumentException("--task must be one of " + String.join(", ", TASKS) + ", got '" + task + "'");
        TrainConfig cfg = TrainConfig.forTask(task);
        if (config != null) cfg.apply(config);
        overrides.forEach((k, v) -> cfg.set("--set", k, v));
        if (epochs != null) cfg.set("--epochs", "n_epochs", epochs);
        if (seed != null) cfg.set("--seed", "seed", seed);
        java.util.concurrent.atomic.AtomicBoolean finished = new java.util.concurrent.atomic.AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (!finished.get()) {
                System.err.println("lmuformer: stopped; the last completed epoch is in " + out.resolve("last.safetensors") + " (continue with --resume)");
            }
        }));
        try {
            TrainRun.run(Training.of(cfg, data), out, dev.lmuformer.engine.Parallel.threads(), resume, err);
        } finally {
            finished.set(true);
        }
        return 0;
    }
}
