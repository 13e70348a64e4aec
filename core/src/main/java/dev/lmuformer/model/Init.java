package dev.lmuformer.model;

import dev.lmuformer.nn.BatchNorm1d;
import dev.lmuformer.nn.Embedding;
import dev.lmuformer.nn.Parameter;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Initialisations, seeded. {@link Scheme#REFERENCE} is what the authors' code does for each model
 * and what training uses by default; {@link Scheme#PYTORCH_DEFAULT} is PyTorch's default for every
 * layer. Running statistics can also be calibrated on data, for untrained spiking models.
 *
 * <p>PyTorch's defaults: Conv1d and Linear weights and biases uniform in ±1/√fan_in
 * (kaiming_uniform with a = √5), batch norm γ = 1 and β = 0 as constructed, embedding weights
 * standard normal with the padding row zero. The reference (REFERENCE §4, "Initialisation"): the
 * Speech Commands models ({@link ModelConfig.Keyword}) call {@code self.apply(self._init_weights)},
 * which gives every {@code nn.Linear} — the LMU cell's {@code W_u} and {@code W_h}, and the head —
 * weights from {@code trunc_normal_(std=0.02)} and bias 0; everything else, and the psMNIST and
 * Long Range Arena models entirely, keep PyTorch's defaults.
 */
public final class Init {
    /** Standard deviation of the reference's Linear weights. */
    public static final double LINEAR_STD = 0.02;
    /** {@code trunc_normal_}'s bounds, absolute (±100 σ at std 0.02: in effect untruncated, but honoured). */
    private static final double TRUNCATION = 2;

    /** How a model's weights start. */
    public enum Scheme {
        /** The authors' initialisation of each model (the default of training). */
        REFERENCE("reference"),
        /** PyTorch's default initialisation of every layer. */
        PYTORCH_DEFAULT("pytorch");

        private final String key;

        Scheme(String key) {
            this.key = key;
        }

        /** The name in configurations ({@code init: reference} or {@code init: pytorch}). */
        public String key() {
            return key;
        }

        /**
         * The scheme named {@code key}.
         *
         * @throws IllegalArgumentException for any other name
         */
        public static Scheme parse(String key) {
            for (Scheme s : values()) if (s.key.equals(key)) return s;
            throw new IllegalArgumentException("init must be reference or pytorch, got '" + key + "'");
        }
    }

    private Init() {
    }

    /** Initialises every weight and bias of a model by {@code scheme} from {@code seed}, and seeds its dropout masks from it. */
    public static void initialise(SequenceModel model, Scheme scheme, long seed) {
        boolean referenceLinears = scheme == Scheme.REFERENCE && model.config() instanceof ModelConfig.Keyword;
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, Integer> fanIn = new HashMap<>();
        Map<Parameter, Embedding> embeddings = new IdentityHashMap<>();
        for (Embedding e : model.state().embeddings()) embeddings.put(e.weight, e);
        Set<String> linears = new HashSet<>();
        for (Parameter p : model.state().parameters()) {
            if (embeddings.containsKey(p)) continue;
            int[] s = p.shape();
            if (s.length >= 2 && p.name().endsWith(".weight")) {
                int fan = 1;
                for (int i = 1; i < s.length; i++) fan *= s[i];
                String prefix = prefix(p);
                fanIn.put(prefix, fan);
                // the state_dict keeps PyTorch's layouts: a Linear's weight [O, I] is the only 2-D one (Conv1d's is [O, I, K])
                if (s.length == 2) linears.add(prefix);
            }
        }
        for (Parameter p : model.state().parameters()) {
            Embedding e = embeddings.get(p);
            if (e != null) {
                for (int i = 0; i < p.data.length; i++) p.data[i] = (float) rnd.nextGaussian();
                if (e.paddingIdx() >= 0) Arrays.fill(p.data, e.paddingIdx() * e.dim(), (e.paddingIdx() + 1) * e.dim(), 0f);
                continue;
            }
            String prefix = prefix(p);
            Integer fan = fanIn.get(prefix);
            if (fan == null) continue; // batch-norm γ and β keep 1 and 0
            if (referenceLinears && linears.contains(prefix)) {
                if (p.name().endsWith(".weight")) {
                    for (int i = 0; i < p.data.length; i++) p.data[i] = (float) truncatedNormal(rnd);
                } else {
                    Arrays.fill(p.data, 0f);
                }
                continue;
            }
            double bound = 1 / Math.sqrt(fan);
            for (int i = 0; i < p.data.length; i++) p.data[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
        }
        // the dropout masks follow the seed too; drawn after the weights, which stay as they were
        for (dev.lmuformer.nn.Dropout d : model.dropouts()) d.seed(rnd.nextLong());
    }

    /** {@link #initialise} with {@link Scheme#REFERENCE}. */
    public static void reference(SequenceModel model, long seed) {
        initialise(model, Scheme.REFERENCE, seed);
    }

    /** {@link #initialise} with {@link Scheme#PYTORCH_DEFAULT}. */
    public static void pytorchDefault(SequenceModel model, long seed) {
        initialise(model, Scheme.PYTORCH_DEFAULT, seed);
    }

    private static String prefix(Parameter p) {
        return p.name().substring(0, p.name().lastIndexOf('.'));
    }

    /** A normal sample of std {@link #LINEAR_STD} redrawn outside ±{@link #TRUNCATION}, as {@code trunc_normal_} bounds it. */
    private static double truncatedNormal(SplittableRandom rnd) {
        while (true) {
            double v = LINEAR_STD * rnd.nextGaussian();
            if (Math.abs(v) <= TRUNCATION) return v;
        }
    }

    /**
     * Sets every batch norm's running statistics to the batch statistics of one training-mode forward
     * over x {@code [B, N, F]} (each layer normalised with its batch statistics, as in training): from
     * zero, one update leaves {@link BatchNorm1d#MOMENTUM} times them. An untrained model's running
     * statistics (0 and 1) leave most spiking neurons silent in evaluation; with these they fire
     * about as often as in training, which is what benchmarks and demonstrations of untrained models need.
     */
    public static void calibrateNorms(SequenceModel model, float[] x, int batch, int frames) {
        List<BatchNorm1d> norms = model.state().norms();
        if (norms.isEmpty()) return;
        for (BatchNorm1d bn : norms) {
            Arrays.fill(bn.runningMean, 0f);
            Arrays.fill(bn.runningVar, 0f);
        }
        model.forward(x, batch, frames, true);
        for (BatchNorm1d bn : norms) {
            for (int c = 0; c < bn.channels(); c++) {
                bn.runningMean[c] = (float) (bn.runningMean[c] / BatchNorm1d.MOMENTUM);
                bn.runningVar[c] = (float) (bn.runningVar[c] / BatchNorm1d.MOMENTUM);
            }
        }
    }
}
