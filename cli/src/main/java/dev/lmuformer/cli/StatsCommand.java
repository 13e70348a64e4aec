package dev.lmuformer.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.lmuformer.audio.ModelInput;
import dev.lmuformer.data.speech.Augment;
import dev.lmuformer.data.speech.FeatureStats;
import dev.lmuformer.data.speech.Pipeline;
import dev.lmuformer.data.Split;
import dev.lmuformer.data.speech.SpeechCommands;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code lmuformer stats}: a dataset split's feature mean and standard deviation (the normalisation constants). */
@Command(name = "stats", description = "Feature mean and std of a Speech Commands-layout dataset split (normalisation constants).",
        footer = {"", "Examples:",
                "  lmuformer stats --data data/keywords",
                "  lmuformer stats --data speech_commands_v0.02 --split validation --threads 2 --json"})
final class StatsCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", required = true, description = "Dataset root (word folders, validation_list.txt, testing_list.txt).")
    Path data;

    @Option(names = "--split", defaultValue = "train", description = "train, validation or test (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--frames", defaultValue = "128", description = "Model length N in frames (default: ${DEFAULT-VALUE}).")
    int frames;

    @Option(names = "--threads", defaultValue = "0", description = "Threads (0 = all cores).")
    int threads;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        java.io.PrintWriter out = spec.commandLine().getOut();
        Main.applyThreads(threads);
        if (frames < 1) throw new IllegalArgumentException("--frames must be positive, got " + frames);
        Split s = Split.parse(split);
        SpeechCommands ds = SpeechCommands.open(data);
        var examples = ds.examples(s);
        if (examples.isEmpty()) throw new IllegalArgumentException(data + ": the " + s.id() + " split is empty");
        Pipeline pipeline = new Pipeline(Augment.NONE, new ModelInput(frames, ModelInput.DEFAULT_MEAN, ModelInput.DEFAULT_STD), ds.labels().size());
        FeatureStats st = FeatureStats.compute(examples, pipeline);
        if (json) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("data", data.toString());
            r.put("split", s.id());
            r.put("clips", st.clips());
            r.put("values", st.values());
            r.put("frames", frames);
            r.put("mean", st.mean());
            r.put("std", st.std());
            out.println(JSON.std.asString(r));
        } else {
            out.printf("%s %s: %d clips, %d frames each: mean %.6f, std %.6f (Speech Commands V2: %.6f, %.7f)%n",
                    data, s.id(), st.clips(), frames, st.mean(), st.std(), ModelInput.DEFAULT_MEAN, ModelInput.DEFAULT_STD);
        }
        return 0;
    }
}
