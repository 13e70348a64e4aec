package dev.lmuformer.cli;

import dev.lmuformer.engine.Kernels;
import dev.lmuformer.engine.Parallel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Entry point of the {@code lmuformer} command. */
@Command(name = "lmuformer", mixinStandardHelpOptions = true, version = "lmuformer 0.1.0",
        description = "LMUFormer and Spiking LMUFormer for the JVM.",
        subcommands = {DemoCommand.class, TrainCommand.class, EvalCommand.class, InfoCommand.class, PredictCommand.class,
                ConvertCommand.class, ProfileCommand.class, BenchCommand.class, FeaturesCommand.class, StatsCommand.class,
                StreamCommand.class, ServeCommand.class, ListOpsCommand.class, DownloadCommand.class,
                dev.lmuformer.spark.SparkCommand.class},
        footer = {"", "Examples:",
                "  lmuformer demo",
                "  lmuformer download speechcommands       # Speech Commands V2 (2.3 GB)",
                "  lmuformer train --data data/keywords --out runs/mine",
                "  lmuformer info --checkpoint model.safetensors",
                "  lmuformer predict --checkpoint model.safetensors --features x.npy --output logits.npy",
                "  lmuformer stream --checkpoint model.safetensors yes.wav        # keyword decisions, frame by frame",
                "  lmuformer convert --input lmu_rnn_conv1d.pth --output model.safetensors",
                "  lmuformer bench --model lmu_rnn_conv1d --mode train --batch 128",
                "  lmuformer features --input yes.wav --output x.npy",
                "  lmuformer stats --data data/keywords --split train",
                "  lmuformer listops --out lra/listops",
                "  lmuformer profile --checkpoint model.safetensors --data data/keywords --json",
                "  lmuformer spark predict --checkpoint model.safetensors --input calls/ --output runs/spotted   # on Apache Spark"})
public final class Main implements Runnable {
    @Option(names = "--stacktrace", scope = CommandLine.ScopeType.INHERIT, description = "Print the full stack trace of an error.")
    boolean stacktrace;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Builds the command line with the project's error handling: one line per error, exit code 1. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        // -h/--help and -V/--version on every subcommand, nested ones included, added here once rather than on each class
        String[] version = cl.getCommandSpec().version();
        java.util.Deque<CommandLine> subs = new java.util.ArrayDeque<>(cl.getSubcommands().values());
        while (!subs.isEmpty()) {
            CommandLine sub = subs.pop();
            sub.getCommandSpec().mixinStandardHelpOptions(true);
            sub.getCommandSpec().version(version);
            subs.addAll(sub.getSubcommands().values());
        }
        cl.setExecutionExceptionHandler((e, line, parse) -> {
            boolean trace = false;
            for (CommandLine.ParseResult p = parse; p != null; p = p.subcommand()) trace |= p.matchedOption("--stacktrace") != null;
            if (trace) e.printStackTrace(line.getErr());
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            line.getErr().println("lmuformer: " + msg.lines().findFirst().orElse(msg));
            return 1;
        });
        return cl;
    }

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** Applies a --threads option (0 keeps the default: all cores). */
    static void applyThreads(int threads) {
        if (threads < 0) throw new IllegalArgumentException("--threads must be 0 (all cores) or positive, got " + threads);
        if (threads > 0) Parallel.setThreads(threads);
    }

    /** One line describing the engine: kernels and threads. */
    static String engineLine() {
        return "kernels " + Kernels.get().name() + ", threads " + Parallel.threads();
    }
}
