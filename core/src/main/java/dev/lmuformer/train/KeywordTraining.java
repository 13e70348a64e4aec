package dev.lmuformer.train;

import dev.lmuformer.audio.ModelInput;
import dev.lmuformer.audio.Resampler;
import dev.lmuformer.checkpoint.Checkpoint;
import dev.lmuformer.data.Augment;
import dev.lmuformer.data.Example;
import dev.lmuformer.data.Loader;
import dev.lmuformer.data.Pipeline;
import dev.lmuformer.data.SpeechCommands;
import dev.lmuformer.data.Split;
import dev.lmuformer.engine.Parallel;
import dev.lmuformer.model.Init;
import dev.lmuformer.model.ModelConfig;
import dev.lmuformer.model.Models;
import dev.lmuformer.model.SequenceModel;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Training a keyword model on a Speech Commands-layout folder with a {@link TrainConfig} (the
 * reference recipe, REFERENCE §5, unless the configuration changes it): the model initialised
 * from the seed, the augmentations, Adam (β₁ 0.95), the step schedule, the loss, validation after
 * every epoch, and checkpoints whose metadata ({@code labels}, normalisation, {@code loss}) let
 * {@code KeywordSpotter} use them.
 */
public final class KeywordTraining {
    private static final int EVAL_BATCH = 256;
    private static final int PREFETCH = 2;

    private final TrainConfig config;
    private final SpeechCommands dataset;
    private final SequenceModel model;
    private final Pipeline evalPipeline;
    private final Pipeline trainPipeline;
    private final List<Example> trainExamples;
    private final Trainer trainer;

    /**
     * Opens the dataset and builds the model and the recipe.
     *
     * @throws IllegalArgumentException when the dataset does not fit the configuration (class count,
     *                                  no background recordings where the recipe needs them)
     */
    public KeywordTraining(TrainConfig config, Path data) {
        this.config = config;
        this.dataset = SpeechCommands.open(data);
        if (dataset.labels().size() != config.nClass()) {
            throw new IllegalArgumentException("n_class is " + config.nClass() + " but " + data + " has " + dataset.labels().size() + " labels");
        }
        if (config.backgroundContext() && dataset.backgroundNoise().isEmpty()) {
            throw new IllegalArgumentException("background_context needs WAV recordings in " + data.resolve(SpeechCommands.BACKGROUND_NOISE));
        }
        model = Models.create(ModelConfig.fromMap(config.model(), config.modelConfig()));
        Init.pytorchDefault(model, config.seed());
        ModelInput input = new ModelInput(config.audioLength(), config.datasetMean(), config.datasetStd());
        boolean crossEntropy = config.loss().equals("CE");
        // background's target: no class (BCE), or a flat distribution (cross-entropy)
        float backgroundTarget = crossEntropy ? 1f / config.nClass() : 0f;
        trainPipeline = new Pipeline(new Augment(config.mixup(), config.freqm(), config.timem(), config.noise()), input, config.nClass(),
                backgroundTarget, config.backgroundContext() ? dataset.backgroundNoise() : List.of());
        trainExamples = dataset.withBackground(dataset.examples(Split.TRAIN), config.backgroundShare());
        evalPipeline = new Pipeline(Augment.NONE, input, config.nClass());
        Adam adam = new Adam(model.state().parameters(), config.lr(), 0.95, 0.999, 1e-8, 0);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("labels", String.join(",", dataset.labels().names()));
        meta.put("dataset_mean", Double.toString(config.datasetMean()));
        meta.put("dataset_std", Double.toString(config.datasetStd()));
        meta.put("sample_rate", Integer.toString(Resampler.MODEL_RATE));
        meta.put("loss", config.loss());
        meta.put("background_share", Double.toString(config.backgroundShare()));
        meta.put("background_context", Boolean.toString(config.backgroundContext()));
        trainer = new Trainer(model, crossEntropy ? new CrossEntropyLoss() : new BceWithLogitsLoss(), adam,
                new StepLr(config.lr(), config.lrschedulerStart(), config.lrschedulerStep(), config.lrschedulerDecay()), config.nEpochs(),
                config.fingerprint(), meta);
    }

    /** Trains from scratch into {@code out} on all cores, quietly, and returns the best checkpoint ({@link Trainer#BEST}). */
    public Path run(Path out) {
        run(out, start(out, false), Parallel.threads(), new Trainer.Listener() {
        });
        return out.resolve(Trainer.BEST);
    }

    /** The state a run into {@code out} starts from ({@link TrainingState#start}): fresh, or the interrupted run's when resuming. */
    public TrainingState start(Path out, boolean resume) {
        return TrainingState.start(out, resume, model, trainer.optimizer(), config.fingerprint());
    }

    /**
     * Trains from {@code from} to the last epoch, writing {@link Trainer#LAST} and {@link Trainer#BEST}
     * into {@code out}; {@code loaderThreads} prepare the batches.
     */
    public TrainingState run(Path out, TrainingState from, int loaderThreads, Trainer.Listener listener) {
        try (Loader train = new Loader(trainExamples, trainPipeline, config.batchSize(), true, config.seed(), loaderThreads, PREFETCH);
             Loader val = new Loader(dataset.examples(Split.VALIDATION), evalPipeline, EVAL_BATCH, false, config.seed(), loaderThreads, PREFETCH)) {
            return trainer.run(train, val, out, from, listener);
        }
    }

    /** The metrics of a checkpoint on the test split. */
    public Metrics test(Path checkpoint, int loaderThreads) {
        try (Loader test = new Loader(dataset.examples(Split.TEST), evalPipeline, EVAL_BATCH, false, config.seed(), loaderThreads, PREFETCH)) {
            return Evaluator.run(Checkpoint.load(checkpoint).model(), test).metrics();
        }
    }

    /** The model being trained. */
    public SequenceModel model() {
        return model;
    }

    /** The dataset. */
    public SpeechCommands dataset() {
        return dataset;
    }

    /** The training examples: the train split and, with {@code background_share}, the background examples. */
    public List<Example> trainExamples() {
        return trainExamples;
    }
}
