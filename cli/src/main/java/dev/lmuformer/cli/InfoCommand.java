package dev.lmuformer.cli;

import dev.lmuformer.checkpoint.Checkpoint;
import dev.lmuformer.model.SequenceModel;
import dev.lmuformer.model.StateDict;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code lmuformer info}: architecture, sizes and parameter count of a checkpoint. */
@Command(name = "info", description = "Show a checkpoint's architecture, sizes and parameter count.",
        footer = {"", "Example:", "  lmuformer info --checkpoint runs/demo/best.safetensors"})
final class InfoCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--checkpoint", required = true, description = "Checkpoint (.safetensors, or a PyTorch .pth state_dict).")
    Path checkpoint;

    @Option(names = "--tensors", description = "Also list every tensor with its shape.")
    boolean tensors;

    @Override
    public Integer call() {
        java.io.PrintWriter out = spec.commandLine().getOut();
        java.io.PrintWriter err = spec.commandLine().getErr();
        Checkpoint.Loaded loaded = Checkpoint.load(checkpoint);
        SequenceModel model = loaded.model();
        out.println("checkpoint   " + checkpoint);
        out.println("arch         " + model.arch());
        String inferred = loaded.metadata().get(Checkpoint.INFERRED);
        if (inferred != null) out.println("inferred     " + inferred);
        for (Map.Entry<String, Object> e : model.config().toMap().entrySet()) {
            out.printf("%-12s %s%n", e.getKey(), e.getValue());
        }
        out.printf("parameters   %,d%n", model.parameterCount());
        long buffers = 0;
        for (StateDict.Entry e : model.state().entries().values()) if (!e.trainable()) buffers += e.data().length;
        out.printf("buffers      %,d values%n", buffers);
        loaded.metadata().forEach((k, v) -> {
            if (!k.equals(Checkpoint.ARCH) && !k.equals(Checkpoint.CONFIG) && !k.equals(Checkpoint.INFERRED)) {
                out.printf("meta %-7s %s%n", k, v.length() > 100 ? v.substring(0, 97) + "..." : v);
            }
        });
        if (tensors) {
            for (StateDict.Entry e : model.state().entries().values()) {
                out.printf("  %-50s %s%s%n", e.name(), java.util.Arrays.toString(e.shape()), e.trainable() ? "" : " (buffer)");
            }
        }
        return 0;
    }
}
