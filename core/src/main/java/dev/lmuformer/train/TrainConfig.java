package dev.lmuformer.train;

import dev.lmuformer.io.Excerpt;
import dev.lmuformer.model.Init;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A training configuration with the reference's keys ({@code gsc.yml}); defaults reproduce the
 * reference recipe (REFERENCE §5). Keys the reference uses for things this project does not do
 * (GPU id, data-list paths …) are accepted with a warning; unknown keys are warned about too;
 * malformed values are refused with a message naming the key.
 */
public final class TrainConfig {
    /** Aliases to lists and mappings a file may hold: a configuration needs few if any, an alias bomb many. */
    private static final int MAX_COLLECTION_ALIASES = 8;
    /** Keys of gsc.yml that have no meaning here. */
    private static final Set<String> IGNORED = Set.of("annotaiton", "annotation", "patch_size", "sr_ratios", "time_step", "gpu_id",
            "dataset", "bal", "data_train", "data_val", "data_eval", "label_csv", "metrics", "warmup", "exp_dir", "save_model",
            "test_only", "test_mode", "initial_checkpoint");

    private String model = "slmu_rnn_ms_conv1d";
    private int dim = 256;
    private int layer = 1;
    private int mlpRatio = 4;
    private int inChannels = 128;
    private int numHeads = 16;
    private int nClass = 35;
    private double theta = 128;
    private int freqm = 48;
    private int timem = 48;
    private double mixup = 0.6;
    private boolean noise = true;
    /** Share of training examples cut from _background_noise_ with a no-keyword target; 0 in the reference recipe. */
    private double backgroundShare = 0;
    /** Lay every training clip into 1.28 s of background noise (no zero padding), for continuous spotting; off in the reference recipe. */
    private boolean backgroundContext = false;
    private int audioLength = 128;
    /** Token tasks: the longest sequence (longer ones are cut) and the length the LMU impulse response covers. */
    private int seqLen = 0;
    private double datasetMean = -6.845978;
    private double datasetStd = 5.5654526;
    // the recipe's values, as the keys set them; the task's Recipe gives the defaults and the Adam settings that are no keys
    private Recipe base;
    private Recipe.LossKind loss;
    private double lr;
    private int nEpochs;
    private int batchSize;
    private int lrschedulerStart;
    private int lrschedulerStep;
    private double lrschedulerDecay;
    private long seed = 1;
    /** How the weights start; the reference's own initialisation unless set. */
    private Init.Scheme init = Init.Scheme.REFERENCE;
    /** The --task the defaults came from. */
    private String task = "speechcommands";
    private final List<String> warnings = new ArrayList<>();

    /** The reference recipe for Speech Commands V2 ({@code gsc.yml}: Spiking LMUFormer, 35 classes, {@link Recipe#speechCommands()}). */
    public TrainConfig() {
        startFrom(Recipe.speechCommands());
    }

    private void startFrom(Recipe r) {
        base = r;
        loss = r.loss();
        lr = r.lr();
        nEpochs = r.epochs();
        batchSize = r.batchSize();
        lrschedulerStart = r.schedule().start();
        lrschedulerStep = r.schedule().step();
        lrschedulerDecay = r.schedule().decay();
    }

    /**
     * The defaults of a task: {@link Recipe#speechCommands()} for Speech Commands; for psmnist and
     * smnist {@code psmnist_lmu} with {@link Recipe#psmnist()}; for a Long Range Arena task
     * {@link Recipe#lra()} changed by its file {@code configs/lra/<task>.yml}, bundled in the jar.
     */
    public static TrainConfig forTask(String task) {
        TrainConfig c = new TrainConfig();
        c.task = task;
        if (task.equals("psmnist") || task.equals("smnist")) {
            c.model = "psmnist_lmu";
            c.startFrom(Recipe.psmnist());
        } else if (!task.equals("speechcommands")) {
            c.startFrom(Recipe.lra());
            String resource = "/configs/lra/" + task + ".yml";
            try (java.io.InputStream in = TrainConfig.class.getResourceAsStream(resource)) {
                if (in == null) throw new IllegalStateException("missing resource " + resource + " (a build without configs/)");
                c.apply(resource, new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + resource + ": " + e.getMessage(), e);
            }
        }
        return c;
    }

    /** Sets the keys of a YAML file (safe constructor: plain maps, lists and scalars only). */
    public void apply(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read (" + e.getMessage() + ")");
        }
        apply(file.toString(), text);
    }

    private void apply(String source, String text) {
        Object root;
        try {
            // SafeConstructor: no tag makes a Java object; LoaderOptions' defaults bound nesting (50) and size (3 MB) and
            // refuse recursive keys and global tags, but their 50 aliases to collections build a key of 2^24 leaves (hashing it
            // takes half a second) or a value that prints as gigabytes
            LoaderOptions options = new LoaderOptions();
            options.setMaxAliasesForCollections(MAX_COLLECTION_ALIASES);
            root = new Yaml(new SafeConstructor(options)).load(text);
        } catch (RuntimeException e) {
            // besides YAMLException, SafeConstructor throws IllegalArgumentException (!!binary) and ClassCastException
            // (!!set on a scalar) for malformed tagged nodes: everything load throws is about the text
            throw new IllegalArgumentException(source + ": not valid YAML (" + problem(e) + ")");
        }
        if (root == null) return;
        if (!(root instanceof Map)) throw new IllegalArgumentException(source + ": expected a mapping of keys to values");
        for (Map.Entry<?, ?> e : ((Map<?, ?>) root).entrySet()) {
            if (!isScalar(e.getKey())) throw new IllegalArgumentException(source + ": a key must be a name, got " + shown(e.getKey()));
            set(source, String.valueOf(e.getKey()), e.getValue());
        }
    }

    /**
     * SnakeYAML's problem and where it is, as one short printable line: the problem may quote the
     * input (a tag, a character) raw and at any length.
     */
    private static String problem(RuntimeException e) {
        String problem;
        if (e instanceof MarkedYAMLException m && m.getProblem() != null) {
            problem = (m.getContext() == null ? "" : m.getContext() + ", ") + m.getProblem();
        } else if (e instanceof ClassCastException) {
            problem = "a tag that does not fit its value";
        } else {
            problem = String.valueOf(e.getMessage());
        }
        problem = Excerpt.ofMessage(problem);
        Mark mark = e instanceof MarkedYAMLException m ? m.getProblemMark() : null;
        return mark == null ? problem : "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ": " + problem;
    }

    /** Sets one key of the reference's configuration (e.g. {@code set("n_epochs", 2)}); returns this configuration. */
    public TrainConfig set(String key, Object value) {
        return set("TrainConfig.set", key, value);
    }

    /**
     * Sets one key; {@code source} names where it came from in messages.
     *
     * @throws IllegalArgumentException for a malformed value, naming the source and the key
     */
    public TrainConfig set(String source, String key, Object value) {
        String where = source + ": key " + Excerpt.of(key);
        switch (key) {
            case "model": model = string(where, value); break;
            case "dim": dim = positive(where, value); break;
            case "layer": layer = positive(where, value); break;
            case "mlp_ratio": mlpRatio = positive(where, value); break;
            case "in_channels": inChannels = positive(where, value); break;
            case "num_heads": numHeads = positive(where, value); break;
            case "n_class": nClass = positive(where, value); break;
            case "theta": theta = positiveNumber(where, value); break;
            case "freqm": freqm = nonNegative(where, value); break;
            case "timem": timem = nonNegative(where, value); break;
            case "mixup": mixup = probability(where, value); break;
            case "background_context": backgroundContext = bool(where, value); break;
            case "background_share":
                backgroundShare = probability(where, value);
                if (backgroundShare == 1) throw new IllegalArgumentException(where + " must be below 1, got " + shown(value));
                break;
            case "noise": noise = bool(where, value); break;
            case "audio_length": audioLength = positive(where, value); break;
            case "seq_len": seqLen = positive(where, value); break;
            case "batch_size": batchSize = positive(where, value); break;
            case "dataset_mean": datasetMean = number(where, value); break;
            case "dataset_std": datasetStd = positiveNumber(where, value); break;
            case "lr": lr = positiveNumber(where, value); break;
            case "n_epochs": nEpochs = positive(where, value); break;
            case "loss":
                try {
                    loss = Recipe.LossKind.parse(string(where, value));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(where + " must be BCE or CE, got " + shown(value));
                }
                break;
            case "lrscheduler_start": lrschedulerStart = nonNegative(where, value); break;
            case "lrscheduler_step": lrschedulerStep = positive(where, value); break;
            case "lrscheduler_decay": lrschedulerDecay = positiveNumber(where, value); break;
            case "seed": seed = (long) number(where, value); break;
            case "init":
                try {
                    init = Init.Scheme.parse(string(where, value));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(where + " must be reference or pytorch, got " + shown(value));
                }
                break;
            default:
                warnings.add(IGNORED.contains(key) ? "ignoring key " + Excerpt.of(key) + " (not used by this implementation)"
                        : "ignoring unknown key " + Excerpt.of(key));
        }
        return this;
    }

    private static String string(String where, Object v) {
        if (!isScalar(v)) throw new IllegalArgumentException(where + " must be a string, got " + shown(v));
        return String.valueOf(v).trim();
    }

    /** A string, number or boolean: not null, a collection, binary data or a timestamp. */
    private static boolean isScalar(Object v) {
        return v instanceof String || v instanceof Number || v instanceof Boolean;
    }

    /** A value as a message shows it: a short excerpt, and a collection by its kind (expanding an aliased one could take gigabytes). */
    private static String shown(Object v) {
        if (v instanceof Map) return "a mapping";
        if (v instanceof Collection) return "a list";
        if (v instanceof byte[]) return "binary data";
        return Excerpt.of(String.valueOf(v));
    }

    private static double number(String where, Object v) {
        if (v instanceof Number) return ((Number) v).doubleValue();
        if (!(v instanceof String)) throw new IllegalArgumentException(where + " must be a number, got " + shown(v));
        try {
            return Double.parseDouble(((String) v).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + " must be a number, got " + shown(v));
        }
    }

    private static double positiveNumber(String where, Object v) {
        double d = number(where, v);
        if (!(d > 0) || Double.isInfinite(d)) throw new IllegalArgumentException(where + " must be positive, got " + shown(v));
        return d;
    }

    private static double probability(String where, Object v) {
        double d = number(where, v);
        if (!(d >= 0 && d <= 1)) throw new IllegalArgumentException(where + " must be in [0, 1], got " + shown(v));
        return d;
    }

    private static int nonNegative(String where, Object v) {
        double d = number(where, v);
        if (d != Math.rint(d) || d < 0 || d > Integer.MAX_VALUE) throw new IllegalArgumentException(where + " must be a non-negative integer, got " + shown(v));
        return (int) d;
    }

    private static int positive(String where, Object v) {
        int i = nonNegative(where, v);
        if (i == 0) throw new IllegalArgumentException(where + " must be positive, got " + shown(v));
        return i;
    }

    private static boolean bool(String where, Object v) {
        if (v instanceof Boolean) return (Boolean) v;
        String s = v instanceof String ? ((String) v).trim().toLowerCase(java.util.Locale.ROOT) : "";
        if (s.equals("true") || s.equals("false")) return Boolean.parseBoolean(s);
        throw new IllegalArgumentException(where + " must be true or false, got " + shown(v));
    }

    // the values, by the keys' names in camel case

    /** {@code model}. */
    public String model() {
        return model;
    }

    /** {@code dim}. */
    public int dim() {
        return dim;
    }

    /** {@code layer}. */
    public int layer() {
        return layer;
    }

    /** {@code mlp_ratio}. */
    public int mlpRatio() {
        return mlpRatio;
    }

    /** {@code in_channels}. */
    public int inChannels() {
        return inChannels;
    }

    /** {@code num_heads}. */
    public int numHeads() {
        return numHeads;
    }

    /** {@code n_class}. */
    public int nClass() {
        return nClass;
    }

    /** {@code theta}. */
    public double theta() {
        return theta;
    }

    /** {@code freqm}. */
    public int freqm() {
        return freqm;
    }

    /** {@code timem}. */
    public int timem() {
        return timem;
    }

    /** {@code mixup}. */
    public double mixup() {
        return mixup;
    }

    /** {@code noise}. */
    public boolean noise() {
        return noise;
    }

    /** {@code background_share}. */
    public double backgroundShare() {
        return backgroundShare;
    }

    /** {@code background_context}. */
    public boolean backgroundContext() {
        return backgroundContext;
    }

    /** {@code audio_length}. */
    public int audioLength() {
        return audioLength;
    }

    /** {@code seq_len}. */
    public int seqLen() {
        return seqLen;
    }

    /** {@code dataset_mean}. */
    public double datasetMean() {
        return datasetMean;
    }

    /** {@code dataset_std}. */
    public double datasetStd() {
        return datasetStd;
    }

    /**
     * The recipe these keys make: the task's {@link Recipe} with {@code loss}, {@code lr},
     * {@code n_epochs}, {@code batch_size} and {@code lrscheduler_*} as set.
     *
     * @throws IllegalArgumentException when the values make no valid schedule
     */
    public Recipe recipe() {
        return new Recipe(loss, lr, base.beta1(), base.beta2(), base.eps(), base.weightDecay(),
                new StepLr(lr, lrschedulerStart, lrschedulerStep, lrschedulerDecay), nEpochs, batchSize);
    }

    /** {@code init}: how the weights start ({@link Init.Scheme#REFERENCE} unless set). */
    public Init.Scheme init() {
        return init;
    }

    /** {@code seed}. */
    public long seed() {
        return seed;
    }

    /** The task whose defaults this configuration started from ({@code speechcommands}, {@code psmnist}, an LRA task). */
    public String task() {
        return task;
    }

    /** Warnings about keys that were ignored. */
    public List<String> warnings() {
        return java.util.Collections.unmodifiableList(warnings);
    }

    /** The model sizes as reference argument names. */
    public Map<String, Object> modelConfig() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("embed_dims", dim);
        m.put("depths", layer);
        m.put("mlp_ratios", mlpRatio);
        m.put("in_channels", inChannels);
        m.put("num_classes", nClass);
        m.put("num_heads", numHeads);
        m.put("seq_len", audioLength);
        m.put("theta", theta);
        return m;
    }

    /**
     * The configuration as keys and values: {@code forTask(task())} with each of them {@link #set}
     * is this configuration again (how it travels to other machines, e.g. Spark's executors).
     */
    public Map<String, Object> keys() {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("model", model);
        k.put("dim", dim);
        k.put("layer", layer);
        k.put("mlp_ratio", mlpRatio);
        k.put("in_channels", inChannels);
        k.put("num_heads", numHeads);
        k.put("n_class", nClass);
        k.put("theta", theta);
        k.put("freqm", freqm);
        k.put("timem", timem);
        k.put("mixup", mixup);
        k.put("noise", noise);
        k.put("background_share", backgroundShare);
        k.put("background_context", backgroundContext);
        k.put("audio_length", audioLength);
        if (seqLen > 0) k.put("seq_len", seqLen);
        k.put("batch_size", batchSize);
        k.put("dataset_mean", datasetMean);
        k.put("dataset_std", datasetStd);
        k.put("lr", lr);
        k.put("n_epochs", nEpochs);
        k.put("loss", loss.name());
        k.put("lrscheduler_start", lrschedulerStart);
        k.put("lrscheduler_step", lrschedulerStep);
        k.put("lrscheduler_decay", lrschedulerDecay);
        k.put("seed", seed);
        k.put("init", init.key());
        return k;
    }

    /** Everything that shapes the run, to store with the training state and compare on resume. */
    public String fingerprint() {
        return String.join(",", "model=" + model, "dim=" + dim, "layer=" + layer, "mlp_ratio=" + mlpRatio, "in_channels=" + inChannels,
                "num_heads=" + numHeads, "n_class=" + nClass, "theta=" + theta, "freqm=" + freqm, "timem=" + timem, "mixup=" + mixup,
                "noise=" + noise, "audio_length=" + audioLength, "batch_size=" + batchSize, "dataset_mean=" + datasetMean,
                "dataset_std=" + datasetStd, "lr=" + lr, "n_epochs=" + nEpochs, "loss=" + loss, "lrscheduler=" + lrschedulerStart + "/"
                        + lrschedulerStep + "/" + lrschedulerDecay, "seed=" + seed)
                // keys added later say so only when set, so that earlier runs resume as before
                + (backgroundShare == 0 ? "" : ",background_share=" + backgroundShare)
                + (backgroundContext ? ",background_context=true" : "")
                + (init == Init.Scheme.REFERENCE ? "" : ",init=" + init.key())
                + (task.equals("speechcommands") || task.equals("psmnist") ? "" : ",task=" + task + ",seq_len=" + seqLen);
    }
}
