package dev.lmuformer.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code lmuformer train}: the reference recipe on a Speech Commands folder. */
@Command(name = "train", description = "Train on a Speech Commands folder with the reference recipe (keys of gsc.yml).",
        footer = {"", "Examples:",
                "  lmuformer train --config ../shared/reference/gsc.yml --data DIR --out runs/gsc",
                "  lmuformer train --data data/keywords --set model=lmu_rnn_conv1d --set dim=64 --epochs 20 --out runs/small",
                "  lmuformer train --data data/keywords --out runs/small --resume   # continue an interrupted run",
                "  lmuformer train --task psmnist --data mnist/ --out runs/psmnist   # IDX files, the notebook's recipe"})
final class TrainCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--task", defaultValue = "speechcommands", description = "speechcommands or psmnist (default: ${DEFAULT-VALUE}).")
    String task;

    @Option(names = "--config", description = "YAML file with the reference's keys (model, dim, lr, n_epochs, …).")
    Path config;

    @Option(names = "--data", defaultValue = "data/keywords", description = "Speech Commands folder (default: ${DEFAULT-VALUE}).")
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
        boolean psmnist;
        if (task.equals("psmnist")) {
            psmnist = true;
        } else if (task.equals("speechcommands")) {
            psmnist = false;
        } else {
            throw new IllegalArgumentException("--task must be speechcommands or psmnist, got '" + task + "'");
        }
        TrainConfig cfg = config == null ? new TrainConfig() : TrainConfig.read(config);
        if (psmnist && config == null) cfg.psmnistDefaults();
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
            if (psmnist) {
                TrainRun.runPsmnist(cfg, data, out, resume, err);
            } else {
                TrainRun.run(cfg, data, out, dev.lmuformer.engine.Parallel.threads(), resume, err);
            }
        } finally {
            finished.set(true);
        }
        return 0;
    }
}
