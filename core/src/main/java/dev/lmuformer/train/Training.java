package dev.lmuformer.train;

import dev.lmuformer.audio.ModelInput;
import dev.lmuformer.audio.Resampler;
import dev.lmuformer.checkpoint.Checkpoint;
import dev.lmuformer.data.speech.Augment;
import dev.lmuformer.data.BatchSource;
import dev.lmuformer.data.speech.Example;
import dev.lmuformer.data.mnist.Idx;
import dev.lmuformer.data.speech.Loader;
import dev.lmuformer.data.lra.LraTask;
import dev.lmuformer.data.mnist.PermutedMnist;
import dev.lmuformer.data.speech.Pipeline;
import dev.lmuformer.data.speech.PreparedFeatures;
import dev.lmuformer.data.speech.SpeechCommands;
import dev.lmuformer.data.Split;
import dev.lmuformer.data.lra.TokenBatches;
import dev.lmuformer.data.lra.TokenSet;
import dev.lmuformer.engine.Parallel;
import dev.lmuformer.model.Init;
import dev.lmuformer.model.LraLmu;
import dev.lmuformer.model.ModelConfig;
import dev.lmuformer.model.Models;
import dev.lmuformer.model.SequenceModel;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * One training run of a {@link TrainConfig} on a task's data, from Java: the model built from the
 * configuration and initialised from its seed, its {@link Recipe} (Adam, schedule, loss, epochs),
 * validation after every epoch, the best epoch kept, then its test metrics. {@link #of} reads the
 * configuration's task: Speech Commands (a folder in its layout, with the augmentations), psMNIST
 * and sMNIST (IDX files) or a Long Range Arena task. The CLI's {@code train} is this class with a
 * progress bar and a log.
 *
 * <pre>{@code
 * TrainConfig config = new TrainConfig().set("model", "lmu_rnn_conv1d").set("n_class", 10);
 * Path best = Training.of(config, Path.of("data/keywords")).run(Path.of("runs/example"));
 * }</pre>
 */
public final class Training {
    private static final int EVAL_BATCH = 256;
    private static final int PREFETCH = 2;

    /** Opens the batches of a split; sources that are {@link AutoCloseable} are closed after use. */
    @FunctionalInterface
    public interface Splits {
        /** The batches of {@code split}, prepared by {@code loaderThreads} where the source prepares them in the background. */
        BatchSource open(Split split, int loaderThreads);
    }

    private final TrainConfig config;
    private final SequenceModel model;
    private final Splits splits;
    private final Trainer trainer;
    private final String description;

    /**
     * A run of {@code model} (initialised here by the configuration's {@code init} from its seed) with the
     * configuration's recipe.
     *
     * @param description one line on the data, for logs
     * @param metadata    checkpoint metadata beside the model's (labels, normalisation, task …)
     */
    public Training(TrainConfig config, SequenceModel model, Splits splits, Map<String, String> metadata, String description) {
        this.config = config;
        this.model = model;
        this.splits = splits;
        this.description = description;
        Init.initialise(model, config.init(), config.seed());
        trainer = new Trainer(config.recipe(), model, config.fingerprint(), metadata);
    }

    /** The run of the configuration's task ({@link TrainConfig#task()}) on the data in {@code data}. */
    public static Training of(TrainConfig config, Path data) {
        return switch (config.task()) {
            case "speechcommands" -> speechCommands(config, data);
            case "psmnist", "smnist" -> mnist(config, data);
            default -> lra(config, data);
        };
    }

    /**
     * Speech Commands in its folder layout: the augmentations of the configuration, validation on
     * the validation list; checkpoints carry the labels, the normalisation and the loss that
     * {@code KeywordSpotter} reads.
     *
     * @throws IllegalArgumentException when the dataset does not fit the configuration (class count,
     *                                  no background recordings where the configuration needs them)
     */
    public static Training speechCommands(TrainConfig config, Path data) {
        SpeechCommands dataset = SpeechCommands.open(data);
        if (dataset.labels().size() != config.nClass()) {
            throw new IllegalArgumentException("n_class is " + config.nClass() + " but " + data + " has " + dataset.labels().size() + " labels");
        }
        if (config.backgroundContext() && dataset.backgroundNoise().isEmpty()) {
            throw new IllegalArgumentException("background_context needs WAV recordings in " + data.resolve(SpeechCommands.BACKGROUND_NOISE));
        }
        SequenceModel model = Models.create(ModelConfig.fromMap(config.model(), config.modelConfig()));
        Recipe recipe = config.recipe();
        ModelInput input = new ModelInput(config.audioLength(), config.datasetMean(), config.datasetStd());
        // background's target: no class (BCE), or a flat distribution (cross-entropy)
        float backgroundTarget = recipe.loss() == Recipe.LossKind.CE ? 1f / config.nClass() : 0f;
        Pipeline trainPipeline = new Pipeline(new Augment(config.mixup(), config.freqm(), config.timem(), config.noise()), input, config.nClass(),
                backgroundTarget, config.backgroundContext() ? dataset.backgroundNoise() : List.of());
        Pipeline evalPipeline = new Pipeline(Augment.NONE, input, config.nClass());
        List<Example> trainExamples = dataset.withBackground(dataset.examples(Split.TRAIN), config.backgroundShare());
        Splits splits = (split, threads) -> split == Split.TRAIN
                ? new Loader(trainExamples, trainPipeline, recipe.batchSize(), true, config.seed(), threads, PREFETCH)
                : new Loader(dataset.examples(split), evalPipeline, EVAL_BATCH, false, config.seed(), threads, PREFETCH);
        int train = dataset.examples(Split.TRAIN).size();
        String line = String.format("%d train / %d validation / %d test clips%s", train, dataset.examples(Split.VALIDATION).size(),
                dataset.examples(Split.TEST).size(), trainExamples.size() == train ? "" : String.format(" (+ %d background examples)",
                        trainExamples.size() - train));
        return new Training(config, model, splits, keywordMetadata(config, dataset.labels().names()), line);
    }

    /**
     * Speech Commands from filterbanks prepared beforehand ({@code spark features}): the batches of
     * {@link #speechCommands} from the same clips, seed and configuration, for a configuration
     * without mixup and background examples, which need the audio.
     *
     * @throws IllegalArgumentException when the configuration mixes, uses background, or does not fit the features
     */
    public static Training prepared(TrainConfig config, PreparedFeatures features) {
        if (config.mixup() > 0 || config.backgroundContext() || config.backgroundShare() > 0) {
            throw new IllegalArgumentException("mixup, background_context and background_share act on the audio: "
                    + "set mixup=0 (and leave the background keys unset) to train from prepared filterbanks");
        }
        if (features.words().size() != config.nClass()) {
            throw new IllegalArgumentException("n_class is " + config.nClass() + " but the features have " + features.words().size() + " labels");
        }
        if (features.frames() != config.audioLength() || features.bins() != config.inChannels()) {
            throw new IllegalArgumentException("the features are " + features.frames() + " frames of " + features.bins() + " bins but the configuration reads "
                    + config.audioLength() + " of " + config.inChannels());
        }
        SequenceModel model = Models.create(ModelConfig.fromMap(config.model(), config.modelConfig()));
        Recipe recipe = config.recipe();
        ModelInput input = new ModelInput(config.audioLength(), config.datasetMean(), config.datasetStd());
        Pipeline trainPipeline = new Pipeline(new Augment(0, config.freqm(), config.timem(), config.noise()), input, config.nClass());
        Pipeline evalPipeline = new Pipeline(Augment.NONE, input, config.nClass());
        Splits splits = (split, threads) -> split == Split.TRAIN
                ? Loader.prepared(features.train(), trainPipeline, recipe.batchSize(), true, config.seed(), threads, PREFETCH)
                : Loader.prepared(features.split(split), evalPipeline, EVAL_BATCH, false, config.seed(), threads, PREFETCH);
        String line = String.format("%d train / %d validation / %d test clips, prepared filterbanks", features.train().size(),
                features.validation().size(), features.test().size());
        return new Training(config, model, splits, keywordMetadata(config, features.words()), line);
    }

    /** What a keyword checkpoint carries for {@code KeywordSpotter}: class names, normalisation, rate, loss, background settings. */
    private static Map<String, String> keywordMetadata(TrainConfig config, List<String> words) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("labels", String.join(",", words));
        meta.put("dataset_mean", Double.toString(config.datasetMean()));
        meta.put("dataset_std", Double.toString(config.datasetStd()));
        meta.put("sample_rate", Integer.toString(Resampler.MODEL_RATE));
        meta.put("loss", config.recipe().loss().name());
        meta.put("background_share", Double.toString(config.backgroundShare()));
        meta.put("background_context", Boolean.toString(config.backgroundContext()));
        return meta;
    }

    /**
     * Sequential MNIST (task {@code psmnist}: permuted; {@code smnist}: row-major pixels) from IDX
     * files in {@code data} (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-…; raw or .gz).
     * As the notebook does, the test set is also the validation set. The permutation comes from the
     * seed and is stored in the checkpoint.
     */
    public static Training mnist(TrainConfig config, Path data) {
        boolean permuted = config.task().equals("psmnist");
        String task = permuted ? "psmnist" : "smnist";
        if (!config.model().startsWith("psmnist")) {
            throw new IllegalArgumentException("--task " + task + " needs model psmnist_lmu or psmnist_slmu, got " + config.model());
        }
        Idx trainImages = PermutedMnist.read(data, "train", "images");
        Idx trainLabels = PermutedMnist.read(data, "train", "labels");
        Idx testImages = PermutedMnist.read(data, "t10k", "images");
        Idx testLabels = PermutedMnist.read(data, "t10k", "labels");
        int pixels = trainImages.itemSize();
        int[] permutation = permuted ? PermutedMnist.permutation(pixels, config.seed()) : IntStream.range(0, pixels).toArray();
        Map<String, Object> sizes = new LinkedHashMap<>();
        sizes.put("seq_len", pixels);
        sizes.put("theta", pixels);
        SequenceModel model = Models.create(ModelConfig.fromMap(config.model(), sizes));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("task", task);
        if (permuted) meta.put("permutation", Arrays.stream(permutation).mapToObj(Integer::toString).collect(Collectors.joining(",")));
        int batch = config.recipe().batchSize();
        PermutedMnist train = new PermutedMnist(trainImages, trainLabels, permutation, batch, true, config.seed());
        PermutedMnist test = new PermutedMnist(testImages, testLabels, permutation, batch, false, config.seed());
        return new Training(config, model, (split, threads) -> split == Split.TRAIN ? train : test, meta,
                String.format("%d train / %d test images of %d pixels", trainImages.count(), testImages.count(), pixels));
    }

    /**
     * A Long Range Arena task (REFERENCE §6) with {@code lra_lmu}: the task's files in {@code data}
     * ({@link LraTask#layout()}); the model's vocabulary and towers come from the data. The
     * description gives the majority-class rate: the test accuracy of always answering the most
     * frequent training label.
     */
    public static Training lra(TrainConfig config, Path data) {
        LraTask task = LraTask.byId(config.task());
        if (!config.model().equals(LraLmu.ARCH)) {
            throw new IllegalArgumentException("--task " + task.id() + " needs model " + LraLmu.ARCH + ", got " + config.model());
        }
        LraTask.Splits sets = task.read(data, config.seqLen());
        TokenSet train = sets.train();
        if (train.classes() != config.nClass()) {
            throw new IllegalArgumentException("n_class is " + config.nClass() + " but " + task.id() + " has " + train.classes() + " classes");
        }
        Map<String, Object> sizes = new LinkedHashMap<>();
        sizes.put("embed_dims", config.dim());
        sizes.put("depths", config.layer());
        sizes.put("mlp_ratios", config.mlpRatio());
        sizes.put("vocab_size", train.vocabulary());
        sizes.put("towers", train.paired() ? 2 : 1);
        sizes.put("num_classes", train.classes());
        sizes.put("seq_len", config.seqLen());
        sizes.put("theta", config.theta());
        SequenceModel model = Models.create(ModelConfig.fromMap(LraLmu.ARCH, sizes));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("task", task.id());
        TokenSet test = sets.test();
        String line = String.format("%s: %d train / %d validation / %d test examples, longest %d; majority class %.2f %% of test",
                task.id(), train.size(), sets.validation().size(), test.size(), train.longest(), 100 * test.share(train.majorityLabel()));
        for (String note : sets.notes()) line += "; note: " + note;
        int batch = config.recipe().batchSize();
        Splits splits = (split, threads) -> switch (split) {
            case TRAIN -> new TokenBatches(train, batch, true, config.seed());
            case VALIDATION -> new TokenBatches(sets.validation(), batch, false, config.seed());
            case TEST -> new TokenBatches(test, batch, false, config.seed());
        };
        return new Training(config, model, splits, meta, line);
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
        BatchSource train = splits.open(Split.TRAIN, loaderThreads);
        try {
            BatchSource validation = splits.open(Split.VALIDATION, loaderThreads);
            try {
                return trainer.run(train, validation, out, from, listener);
            } finally {
                close(validation);
            }
        } finally {
            close(train);
        }
    }

    /**
     * Trains from {@code from} to the last epoch as {@link #run(Path, TrainingState, int, Trainer.Listener)} does,
     * with each epoch's steps taken by {@code steps} (which holds its own training batches, e.g. spread
     * over workers); validation and checkpoints as there.
     */
    public TrainingState run(Path out, TrainingState from, int loaderThreads, Trainer.Listener listener, Trainer.EpochSteps steps) {
        BatchSource validation = splits.open(Split.VALIDATION, loaderThreads);
        try {
            return trainer.run(steps, validation, out, from, listener);
        } finally {
            close(validation);
        }
    }

    /** The training batches, prepared by {@code loaderThreads}; close them after use when they are {@link AutoCloseable}. */
    public BatchSource trainingBatches(int loaderThreads) {
        return splits.open(Split.TRAIN, loaderThreads);
    }

    /** The trainer: its step and optimiser. */
    public Trainer trainer() {
        return trainer;
    }

    /** The metrics of a checkpoint on the test split. */
    public Metrics test(Path checkpoint, int loaderThreads) {
        BatchSource test = splits.open(Split.TEST, loaderThreads);
        try {
            return Evaluator.run(Checkpoint.load(checkpoint).model(), test).metrics();
        } finally {
            close(test);
        }
    }

    private static void close(BatchSource source) {
        if (source instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot close the batches: " + e.getMessage(), e);
            }
        }
    }

    /** The model being trained. */
    public SequenceModel model() {
        return model;
    }

    /** The configuration. */
    public TrainConfig config() {
        return config;
    }

    /** One line on the data (splits and their sizes), for logs. */
    public String description() {
        return description;
    }
}
