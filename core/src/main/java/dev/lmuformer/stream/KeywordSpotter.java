package dev.lmuformer.stream;

import dev.lmuformer.audio.ModelInput;
import dev.lmuformer.audio.Resampler;
import dev.lmuformer.audio.Waveform;
import dev.lmuformer.checkpoint.Checkpoint;
import dev.lmuformer.data.speech.Labels;
import dev.lmuformer.model.SequenceModel;
import dev.lmuformer.train.Metrics;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A trained keyword model ready to use, with what its checkpoint says about it: the class names
 * ({@code labels} metadata), the input normalisation ({@code dataset_mean}, {@code dataset_std}), and
 * the continuous-spotting rule (scores from the {@code loss} metadata; threshold and speech margin
 * from {@code spot_threshold} and {@code spot_speech_margin} when a demo or an evaluation chose them).
 * It classifies clips with the parallel model and opens continuous sessions over its streaming form,
 * which every session shares.
 */
public final class KeywordSpotter {

    /**
     * A clip's class.
     *
     * @param word  the class name
     * @param label the class index
     * @param score the class's score under the spotter's rule (softmax or sigmoid of its logit)
     */
    public record Classification(String word, int label, double score) {
    }

    private final SequenceModel model;
    private final Map<String, String> metadata;
    private final List<String> words;
    private final ModelInput input;
    private final ContinuousRule rule;
    private StreamingModel streaming; // made on the first session: copying the weights is not needed to classify clips

    /** Reads a checkpoint ({@code .safetensors} or an authors' {@code .pth}). */
    public static KeywordSpotter load(Path checkpoint) {
        return new KeywordSpotter(Checkpoint.load(checkpoint));
    }

    /** A spotter over a loaded checkpoint. */
    public KeywordSpotter(Checkpoint.Loaded loaded) {
        this.model = loaded.model();
        this.metadata = Map.copyOf(loaded.metadata());
        this.words = words(metadata, model.numClasses());
        this.input = modelInput(loaded);
        ContinuousRule.Score scores = scores(metadata);
        this.rule = ContinuousRule.defaults(model.numClasses(), scores).withThreshold(threshold(metadata, scores))
                .withSpeechMargin(stored(metadata, ContinuousRule.SPEECH_MARGIN_METADATA, ContinuousRule.DEFAULT_SPEECH_MARGIN))
                .withWindow(window(metadata));
    }

    /** The class of a clip (any sample rate: it is resampled to 16 kHz), cut or padded to the model's length as in training. */
    public Classification classify(Waveform clip) {
        Waveform w = Resampler.toRate(clip, KeywordSession.SAMPLE_RATE);
        float[] x = input.fromWaveform(w).data;
        float[] logits = model.forward(x, 1, input.frames(), false);
        int top = Metrics.argMax(logits, 0, logits.length);
        double[] s = new double[logits.length];
        rule.score().of(logits, 0, s);
        return new Classification(words.get(top), top, s[top]);
    }

    /** A continuous session with {@link #rule()}: push 16 kHz audio, receive {@link KeywordSession.Keyword} events. */
    public KeywordSession session(KeywordSession.Listener listener) {
        return session(rule, listener);
    }

    /** A session with another rule: a {@link ContinuousRule} (e.g. {@code rule().withThreshold(…)}) or windowed {@link EarlyDecision}s. */
    public KeywordSession session(SpottingRule rule, KeywordSession.Listener listener) {
        if (streaming == null) streaming = StreamingModel.of(model);
        return new KeywordSession(streaming, input, rule, listener);
    }

    /** The class names, by class. */
    public List<String> words() {
        return words;
    }

    /** The name of class {@code label}. */
    public String word(int label) {
        return words.get(label);
    }

    /** The continuous rule sessions get by default. */
    public ContinuousRule rule() {
        return rule;
    }

    /** The frame normalisation and clip length. */
    public ModelInput input() {
        return input;
    }

    /** The parallel model (evaluation mode). */
    public SequenceModel model() {
        return model;
    }

    /** The checkpoint's metadata. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * Class names in label order: the checkpoint's {@code labels} metadata (written by training), else
     * the Speech Commands words for a 35-class model, else {@code class_0 …}.
     */
    public static List<String> words(Map<String, String> metadata, int classes) {
        String labels = metadata.get("labels");
        if (labels != null && labels.split(",").length == classes) return List.copyOf(Arrays.asList(labels.split(",")));
        Labels speechCommands = Labels.speechCommands();
        if (speechCommands.size() == classes) return speechCommands.names();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < classes; i++) names.add("class_" + i);
        return List.copyOf(names);
    }

    /** The model input a checkpoint was trained with: its model length, and the normalisation in its metadata (else the reference's). */
    public static ModelInput modelInput(Checkpoint.Loaded loaded) {
        Map<String, String> meta = loaded.metadata();
        return new ModelInput(loaded.model().config().seqLen(), stored(meta, "dataset_mean", ModelInput.DEFAULT_MEAN),
                stored(meta, "dataset_std", ModelInput.DEFAULT_STD));
    }

    /** Softmax for a checkpoint trained with cross-entropy (its {@code loss} metadata), else sigmoid (BCE, the reference recipe). */
    public static ContinuousRule.Score scores(Map<String, String> metadata) {
        return "CE".equals(metadata.get("loss")) ? ContinuousRule.Score.SOFTMAX : ContinuousRule.Score.SIGMOID;
    }

    /** The threshold chosen for a checkpoint (its {@code spot_threshold} metadata), else the default of its scores. */
    public static double threshold(Map<String, String> metadata, ContinuousRule.Score scores) {
        String stored = metadata.get(ContinuousRule.THRESHOLD_METADATA);
        if (stored == null) return ContinuousRule.defaultThreshold(scores);
        try {
            double t = Double.parseDouble(stored);
            if (t > 0 && t <= 1) return t;
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new IllegalArgumentException("the checkpoint's " + ContinuousRule.THRESHOLD_METADATA + " metadata is not a threshold in (0, 1]: '"
                + stored + "'");
    }

    /** The readout window the checkpoint's operating point was chosen at ({@link ContinuousRule#WINDOW_METADATA}), else the default. */
    public static int window(Map<String, String> metadata) {
        double w = stored(metadata, ContinuousRule.WINDOW_METADATA, ContinuousRule.DEFAULT_WINDOW);
        if (!(w >= 0 && w <= Integer.MAX_VALUE && w == Math.rint(w))) {
            throw new IllegalArgumentException("the checkpoint's " + ContinuousRule.WINDOW_METADATA + " metadata must be a whole number of frames, 0 or more: '"
                    + metadata.get(ContinuousRule.WINDOW_METADATA) + "'");
        }
        return (int) w;
    }

    /** A number stored in the checkpoint's metadata under {@code key}, else {@code otherwise}. */
    public static double stored(Map<String, String> metadata, String key, double otherwise) {
        String v = metadata.get(key);
        if (v == null) return otherwise;
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the checkpoint's " + key + " metadata is not a number: '" + v + "'");
        }
    }
}
