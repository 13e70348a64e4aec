package dev.lmuformer.cli;

import dev.lmuformer.checkpoint.Checkpoint;
import dev.lmuformer.engine.Tensor;
import dev.lmuformer.io.Npy;
import dev.lmuformer.model.SequenceModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code lmuformer predict}: evaluation-mode logits for a batch of feature sequences. */
@Command(name = "predict", description = "Evaluation-mode logits for a [B, N, F] float32 .npy input.",
        footer = {"", "Examples:",
                "  lmuformer predict --checkpoint model.safetensors --features x.npy --output logits.npy",
                "  lmuformer predict --checkpoint model.safetensors --features x.npy --all-seq --output per_frame.npy"})
final class PredictCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--checkpoint", required = true, description = "Checkpoint (.safetensors, or a PyTorch .pth state_dict).")
    Path checkpoint;

    @Option(names = "--features", required = true, description = "Input .npy of shape [B, N, F] (or [N, F] for one sequence).")
    Path features;

    @Option(names = "--output", required = true, description = "Output .npy: [B, classes], or [N, B, classes] with --all-seq.")
    Path output;

    @Option(names = "--all-seq", description = "Streaming readout: logits after every frame, [N, B, classes].")
    boolean allSeq;

    @Option(names = "--threads", defaultValue = "0", description = "Threads (0 = all cores).")
    int threads;

    @Override
    public Integer call() {
        java.io.PrintWriter out = spec.commandLine().getOut();
        java.io.PrintWriter err = spec.commandLine().getErr();
        Main.applyThreads(threads);
        SequenceModel model = Checkpoint.load(checkpoint).model();
        Tensor x = Npy.read(features);
        if (x.rank() == 2) x = x.reshape(1, x.dim(0), x.dim(1));
        if (x.rank() != 3) {
            throw new IllegalArgumentException(features + ": expected a [B, N, F] array, got shape " + x.shapeString());
        }
        int batch = x.dim(0), frames = x.dim(1), feats = x.dim(2);
        if (feats != model.inputFeatures()) {
            throw new IllegalArgumentException(features + ": " + feats + " features per frame but the model expects "
                    + model.inputFeatures() + " (shape " + x.shapeString() + ")");
        }
        if (batch == 0 || frames == 0) throw new IllegalArgumentException(features + ": empty input, shape " + x.shapeString());
        for (float v : x.data) {
            if (!Float.isFinite(v)) throw new IllegalArgumentException(features + ": input contains NaN or infinite values");
        }
        Tensor y = allSeq
                ? new Tensor(model.allSeqLogits(x.data, batch, frames), frames, batch, model.numClasses())
                : new Tensor(model.forward(x.data, batch, frames, false), batch, model.numClasses());
        Npy.write(output, y);
        err.println("wrote " + output + " " + y.shapeString());
        return 0;
    }
}
