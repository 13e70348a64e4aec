package dev.lmuformer.server;

import dev.lmuformer.audio.ModelInput;
import dev.lmuformer.stream.ContinuousRule;
import dev.lmuformer.stream.StreamingModel;

import java.util.ArrayList;
import java.util.List;

/**
 * What a server spots with: a model prepared for streaming, its input normalisation, the continuous
 * rule of every stream (a client may narrow it: {@link ClientConfig}) and the class names.
 *
 * @param model the streaming model, shared by every session
 * @param input the model's frame normalisation
 * @param rule  the rule a stream gets unless its config says otherwise ({@code stream}'s, for the same options)
 * @param words class names, by class
 * @param arch  the model's name, told to clients
 */
public record Spotter(StreamingModel model, ModelInput input, ContinuousRule rule, List<String> words, String arch) {
    /** Checks that rule, words and model agree. */
    public Spotter {
        words = List.copyOf(words);
        if (rule.classes() != model.numClasses() || words.size() != model.numClasses()) {
            throw new IllegalArgumentException("the model has " + model.numClasses() + " classes, the rule " + rule.classes() + ", the names " + words.size());
        }
    }

    /** The rule of a stream with {@code config}: the server's, narrowed to its keywords, at its threshold. */
    ContinuousRule ruleFor(ClientConfig config) {
        ContinuousRule r = rule;
        if (!config.keywords().isEmpty()) {
            List<Integer> classes = new ArrayList<>();
            for (String w : config.keywords()) classes.add(words.indexOf(w)); // ClientConfig checked the names
            r = r.only(classes);
        }
        if (!Double.isNaN(config.threshold())) r = r.withThreshold(config.threshold());
        return r;
    }

    /** The words spotted under {@code r}. */
    List<String> spotted(ContinuousRule r) {
        List<String> out = new ArrayList<>();
        for (int c = 0; c < words.size(); c++) if (r.threshold(c) <= 1) out.add(words.get(c));
        return out;
    }
}
