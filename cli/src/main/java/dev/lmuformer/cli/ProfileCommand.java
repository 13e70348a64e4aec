package dev.lmuformer.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.lmuformer.audio.ModelInput;
import dev.lmuformer.checkpoint.Checkpoint;
import dev.lmuformer.data.speech.Augment;
import dev.lmuformer.data.speech.Example;
import dev.lmuformer.data.speech.Pipeline;
import dev.lmuformer.data.Split;
import dev.lmuformer.data.speech.SpeechCommands;
import dev.lmuformer.engine.Tensor;
import dev.lmuformer.io.Npy;
import dev.lmuformer.model.Init;
import dev.lmuformer.model.ModelConfig;
import dev.lmuformer.model.Models;
import dev.lmuformer.model.SequenceModel;
import dev.lmuformer.profile.Energy;
import dev.lmuformer.profile.ModelProfiler;
import dev.lmuformer.profile.Profile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code lmuformer profile}: parameters, operations, firing rates, energy estimate and streaming footprint of a model. */
@Command(name = "profile", description = "Parameters, operations (parallel and streaming), firing rates, energy estimate and streaming footprint.",
        footer = {"", "Examples:",
                "  lmuformer profile --checkpoint model.safetensors --data data/keywords --limit 64",
                "  lmuformer profile --checkpoint model.safetensors --features x.npy --json",
                "  lmuformer profile --model slmu_rnn_ms_conv1d --seed 1 --data data/keywords --e-mac 3.7 --e-ac 0.9"})
final class ProfileCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--checkpoint", description = "Checkpoint (.safetensors, or a PyTorch .pth state_dict).")
    Path checkpoint;

    @Option(names = "--model", description = "Instead of a checkpoint: an untrained model of this architecture at its default sizes.")
    String arch;

    @Option(names = "--seed", defaultValue = "1", description = "With --model: seed of the PyTorch-default initialisation (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--data", description = "Measure firing rates on the test split of this Speech Commands-layout dataset.")
    Path data;

    @Option(names = "--limit", defaultValue = "64", description = "With --data: test clips to use (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--features", description = "Measure firing rates on this .npy input, [B, N, F] or [N, F].")
    Path features;

    @Option(names = "--batch", defaultValue = "16", description = "Sequences per forward pass while measuring (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--batch-stats", description = "Measure with training-mode batch statistics instead of the running ones"
            + " (for untrained models, whose running statistics are still the initial 0 and 1).")
    boolean batchStats;

    @Option(names = "--e-mac", defaultValue = "4.6", description = "Energy of a multiply-accumulate, pJ (default: ${DEFAULT-VALUE}).")
    double eMac;

    @Option(names = "--e-ac", defaultValue = "0.9", description = "Energy of an accumulation, pJ (default: ${DEFAULT-VALUE}).")
    double eAc;

    @Option(names = "--threads", defaultValue = "0", description = "Threads (0 = all cores).")
    int threads;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        java.io.PrintWriter out = spec.commandLine().getOut();
        Main.applyThreads(threads);
        if ((checkpoint == null) == (arch == null)) throw new IllegalArgumentException("give exactly one of --checkpoint and --model");
        if (data != null && features != null) throw new IllegalArgumentException("give at most one of --data and --features");
        if (batch < 1) throw new IllegalArgumentException("--batch must be positive, got " + batch);
        Energy energy = new Energy(eMac, eAc);
        SequenceModel model = checkpoint != null ? Checkpoint.load(checkpoint).model() : untrained(arch, seed);
        Profile p;
        String source;
        if (features != null) {
            Tensor x = readFeatures(model);
            p = ModelProfiler.profile(model, x.data, x.dim(0), x.dim(1), batch, batchStats, energy);
            source = features.toString();
        } else if (data != null) {
            Tensor x = readClips(model);
            p = ModelProfiler.profile(model, x.data, x.dim(0), x.dim(1), batch, batchStats, energy);
            source = x.dim(0) + " test clips of " + data;
        } else {
            p = ModelProfiler.profile(model, model.config().seqLen(), energy);
            source = null;
        }
        if (json) {
            var m = p.toMap();
            m.put("model", checkpoint != null ? checkpoint.toString() : "untrained, seed " + seed);
            m.put("inputs", source);
            out.println(JSON.std.with(JSON.Feature.WRITE_NULL_PROPERTIES).asString(m)); // keep nulls: "not causal", "not measured"
        } else {
            ProfileText.print(out, p, checkpoint != null ? checkpoint.toString() : "untrained, Init.pytorchDefault seed " + seed, source);
        }
        return 0;
    }

    private static SequenceModel untrained(String arch, long seed) {
        SequenceModel m = Models.create(ModelConfig.defaults(arch));
        Init.pytorchDefault(m, seed);
        return m;
    }

    private Tensor readFeatures(SequenceModel model) {
        Tensor x = Npy.read(features);
        if (x.rank() == 2) x = x.reshape(1, x.dim(0), x.dim(1));
        if (x.rank() != 3) throw new IllegalArgumentException(features + ": expected a [B, N, F] array, got shape " + x.shapeString());
        if (x.dim(2) != model.inputFeatures()) {
            throw new IllegalArgumentException(features + ": " + x.dim(2) + " features per frame but the model expects " + model.inputFeatures());
        }
        if (x.dim(0) == 0 || x.dim(1) == 0) throw new IllegalArgumentException(features + ": empty input, shape " + x.shapeString());
        if (x.dim(1) > model.config().seqLen()) {
            throw new IllegalArgumentException(features + ": " + x.dim(1) + " frames, more than the model's seq_len " + model.config().seqLen());
        }
        for (float v : x.data) if (!Float.isFinite(v)) throw new IllegalArgumentException(features + ": input contains NaN or infinite values");
        return x;
    }

    private Tensor readClips(SequenceModel model) {
        if (limit < 1) throw new IllegalArgumentException("--limit must be positive, got " + limit);
        if (model.inputFeatures() != 128) throw new IllegalArgumentException("--data needs a 128-mel-bin model; " + model.arch() + " reads "
                + model.inputFeatures() + " features");
        SpeechCommands ds = SpeechCommands.open(data);
        List<Example> test = ds.examples(Split.TEST);
        if (test.isEmpty()) throw new IllegalArgumentException(data + ": the test split is empty");
        int n = Math.min(limit, test.size());
        int frames = model.config().seqLen();
        Pipeline pipeline = new Pipeline(Augment.NONE, new ModelInput(frames, ModelInput.DEFAULT_MEAN, ModelInput.DEFAULT_STD), ds.labels().size());
        float[] x = new float[n * pipeline.inputSize()];
        float[] y = new float[pipeline.numClasses()];
        for (int i = 0; i < n; i++) pipeline.example(test, i, 0, x, i * pipeline.inputSize(), y, 0);
        return new Tensor(x, n, frames, 128);
    }
}
