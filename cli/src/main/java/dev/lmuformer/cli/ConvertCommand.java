package dev.lmuformer.cli;

import dev.lmuformer.checkpoint.Checkpoint;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code lmuformer convert}: between PyTorch {@code .pth} state_dicts and the project's safetensors checkpoints. */
@Command(name = "convert", description = {"Convert a checkpoint between PyTorch .pth and safetensors; every tensor keeps its bits.",
        "The output's format follows its extension: .pth or .pt (readable by torch.load(f, weights_only=True)), else safetensors."},
        footer = {"", "Examples:",
                "  lmuformer convert --input lmu_rnn_conv1d.pth --output model.safetensors",
                "  lmuformer convert --input runs/demo/best.safetensors --output best.pth",
                "  lmuformer convert --half --input runs/gsc/best.safetensors --output models/lmu_rnn_conv1d.safetensors"})
final class ConvertCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--input", required = true, description = "Checkpoint to read (.pth or .safetensors, told apart by content).")
    Path input;

    @Option(names = "--output", required = true, description = "Checkpoint to write (.pth / .pt or .safetensors).")
    Path output;

    @Option(names = "--half", description = {"Write a small safetensors file for shipping: weights of two or more dimensions in half precision,",
            "vectors in float32, the LMU's derived A, B, H left out (recomputed on load)."})
    boolean half;

    @Override
    public Integer call() {
        if (Files.exists(input) && Files.exists(output) && input.toAbsolutePath().normalize().equals(output.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("--output must differ from --input (" + input + ")");
        }
        Checkpoint.convert(input, output, half);
        spec.commandLine().getErr().println("wrote " + output + (Checkpoint.isPthName(output) ? " (torch.save zip)" : half ? " (safetensors, half precision)"
                : " (safetensors)"));
        return 0;
    }
}
