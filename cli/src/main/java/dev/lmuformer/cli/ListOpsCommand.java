package dev.lmuformer.cli;

import dev.lmuformer.data.lra.ListOpsGenerator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code lmuformer listops}: a ListOps data set in the LRA grammar and TSV format, for {@code train --task listops}. */
@Command(name = "listops", description = "Generate ListOps expressions (LRA grammar: MIN, MAX, MED, SM, nested) as "
        + "basic_train.tsv, basic_val.tsv and basic_test.tsv.",
        footer = {"", "The defaults are the LRA release's settings (depth 10, 10 arguments, lengths 500-2000, 96,000 / 2,000 / 2,000).",
                "", "Examples:",
                "  lmuformer listops --out lra/listops",
                "  lmuformer listops --out lra/listops-short --train 4000 --val 500 --test 500 --max-depth 4 --max-args 5 --min-length 20 --max-length 300"})
final class ListOpsCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", required = true, description = "Folder for the three TSV files.")
    Path out;

    @Option(names = "--train", defaultValue = "96000", description = "Training expressions (default: ${DEFAULT-VALUE}).")
    int train;

    @Option(names = "--val", defaultValue = "2000", description = "Validation expressions (default: ${DEFAULT-VALUE}).")
    int val;

    @Option(names = "--test", defaultValue = "2000", description = "Test expressions (default: ${DEFAULT-VALUE}).")
    int test;

    @Option(names = "--max-depth", defaultValue = "10", description = "Deepest nesting (default: ${DEFAULT-VALUE}).")
    int maxDepth;

    @Option(names = "--max-args", defaultValue = "10", description = "Most arguments of an operator (default: ${DEFAULT-VALUE}).")
    int maxArgs;

    @Option(names = "--min-length", defaultValue = "500", description = "Shortest expression in symbols, parentheses not counted (default: ${DEFAULT-VALUE}).")
    int minLength;

    @Option(names = "--max-length", defaultValue = "2000", description = "Longest expression (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        if (train < 1 || val < 1 || test < 1) throw new IllegalArgumentException("--train, --val and --test must be positive");
        ListOpsGenerator g = new ListOpsGenerator(maxDepth, maxArgs, minLength, maxLength, seed);
        String[] names = {"basic_train.tsv", "basic_val.tsv", "basic_test.tsv"};
        int[] counts = {train, val, test};
        for (int i = 0; i < names.length; i++) {
            g.write(out.resolve(names[i]), counts[i]);
            spec.commandLine().getOut().printf("wrote %s (%,d expressions)%n", out.resolve(names[i]), counts[i]);
        }
        return 0;
    }
}
