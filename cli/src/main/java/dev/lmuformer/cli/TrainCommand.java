package dev.lmuformer.cli;

import dev.lmuformer.spark.TrainConfigOptions;
import dev.lmuformer.train.TrainConfig;
import dev.lmuformer.train.Training;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
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

    @CommandLine.Mixin
    TrainConfigOptions configuration;

    @Option(names = "--data", defaultValue = "data/keywords",
            description = "Data folder: Speech Commands, MNIST IDX files or the task's files (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--out", defaultValue = "runs/train", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--resume", description = "Continue the run in --out from its last completed epoch.")
    boolean resume;

    @Option(names = "--threads", defaultValue = "0", description = "Threads (0 = all cores).")
    int threads;

    @Override
    public Integer call() {
        Main.applyThreads(threads);
        java.io.PrintWriter err = spec.commandLine().getErr();
        TrainConfig cfg = configuration.config();
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
