package dev.lmuformer.spark;

import dev.lmuformer.data.lra.LraTask;
import dev.lmuformer.train.TrainConfig;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The options that choose a training configuration — {@code --task}, {@code --config}, {@code --set},
 * {@code --epochs}, {@code --seed} — as a picocli mixin, shared by {@code train} and {@code spark train}
 * so that both read a configuration the same way.
 */
public final class TrainConfigOptions {
    /** The tasks {@code --task} accepts. */
    public static final List<String> TASKS = Stream.concat(Stream.of("speechcommands", "psmnist", "smnist"),
            java.util.Arrays.stream(LraTask.values()).map(LraTask::id)).toList();

    @Option(names = "--task", defaultValue = "speechcommands",
            description = "speechcommands, psmnist, smnist, listops, text, retrieval, image or pathfinder (default: ${DEFAULT-VALUE}).")
    String task;

    @Option(names = "--config", description = "YAML file with the reference's keys (model, dim, lr, n_epochs, …), over the task's defaults.")
    Path config;

    @Option(names = "--set", description = "Override a config key, e.g. --set dim=64 (repeatable).")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--epochs", description = "Override n_epochs.")
    Integer epochs;

    @Option(names = "--seed", description = "Override the seed (default 1).")
    Long seed;

    /**
     * The task's defaults, then the {@code --config} file, then each {@code --set}, {@code --epochs} and {@code --seed}.
     *
     * @throws IllegalArgumentException for an unknown task or a malformed key or value, naming it
     */
    public TrainConfig config() {
        if (!TASKS.contains(task)) throw new IllegalArgumentException("--task must be one of " + String.join(", ", TASKS) + ", got '" + task + "'");
        TrainConfig cfg = TrainConfig.forTask(task);
        if (config != null) cfg.apply(config);
        overrides.forEach((k, v) -> cfg.set("--set", k, v));
        if (epochs != null) cfg.set("--epochs", "n_epochs", epochs);
        if (seed != null) cfg.set("--seed", "seed", seed);
        return cfg;
    }
}
