package dev.lmuformer.spark;

import picocli.CommandLine;

/**
 * The entry point for {@code spark-submit --class dev.lmuformer.spark.SparkMain lmuformer-spark.jar COMMAND …}
 * ({@code predict} or {@code eval}), with the command line's error handling: one line per error, exit code 1,
 * the stack trace with {@code --stacktrace}.
 */
public final class SparkMain {
    private SparkMain() {
    }

    /** Runs {@code lmuformer spark} with {@code args} and exits with its code. */
    public static void main(String[] args) {
        boolean trace = java.util.Arrays.asList(args).contains("--stacktrace");
        String[] rest = java.util.Arrays.stream(args).filter(a -> !a.equals("--stacktrace")).toArray(String[]::new);
        CommandLine cl = new CommandLine(new SparkCommand()).setCommandName("lmuformer spark");
        cl.getCommandSpec().mixinStandardHelpOptions(true);
        for (CommandLine sub : cl.getSubcommands().values()) sub.getCommandSpec().mixinStandardHelpOptions(true);
        cl.setExecutionExceptionHandler((e, line, parse) -> {
            if (trace) e.printStackTrace(line.getErr());
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            line.getErr().println("lmuformer: " + msg.lines().findFirst().orElse(msg));
            return 1;
        });
        System.exit(cl.execute(rest));
    }
}
