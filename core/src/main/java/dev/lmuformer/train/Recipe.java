package dev.lmuformer.train;

import dev.lmuformer.model.SequenceModel;

import java.util.Locale;

/**
 * How a model is optimised: the loss, Adam's settings, the learning-rate schedule, the epochs and
 * the batch size. The recipes of the paper's tasks are here and only here: {@link #speechCommands()}
 * (REFERENCE §5), {@link #psmnist()} (the notebook's, REFERENCE §4) and {@link #lra()} (the base of
 * the Long Range Arena files in {@code configs/lra}). {@link TrainConfig} starts from one of them and
 * lets YAML keys change its values; {@link #step} and {@link Trainer} train with it.
 *
 * @param loss        the loss over logits and target rows
 * @param lr          Adam's base learning rate
 * @param beta1       Adam's β₁
 * @param beta2       Adam's β₂
 * @param eps         Adam's ε
 * @param weightDecay L2 weight decay (0 in every paper recipe)
 * @param schedule    the learning rate per epoch; its base rate is {@code lr}
 * @param epochs      epochs to train
 * @param batchSize   training batch size
 */
public record Recipe(LossKind loss, double lr, double beta1, double beta2, double eps, double weightDecay, StepLr schedule, int epochs,
                     int batchSize) {

    /** A schedule start that no run reaches: the learning rate stays at its base value. */
    public static final int NO_DECAY = Integer.MAX_VALUE;

    /** The two losses of the paper's recipes. */
    public enum LossKind {
        /** {@code BCEWithLogitsLoss} on the (mixup) target rows: the Speech Commands recipe. */
        BCE,
        /** Cross-entropy against the target rows: psMNIST and the Long Range Arena. */
        CE;

        /** A loss object of this kind. */
        public Loss create() {
            return this == BCE ? new BceWithLogitsLoss() : new CrossEntropyLoss();
        }

        /** Parses {@code BCE} or {@code CE}, in any case. */
        public static LossKind parse(String name) {
            String n = name.trim().toUpperCase(Locale.ROOT);
            if (n.equals("BCE")) return BCE;
            if (n.equals("CE")) return CE;
            throw new IllegalArgumentException("loss must be BCE or CE, got '" + name + "'");
        }
    }

    /** Validates the settings; the schedule's base rate must be {@code lr}. */
    public Recipe {
        if (loss == null || schedule == null) throw new IllegalArgumentException("a recipe needs a loss and a schedule");
        if (!(lr > 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps >= 0) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("invalid Adam settings: lr " + lr + ", betas " + beta1 + "/" + beta2 + ", eps " + eps
                    + ", weight decay " + weightDecay);
        }
        if (schedule.baseLr() != lr) throw new IllegalArgumentException("the schedule's base rate " + schedule.baseLr() + " is not lr " + lr);
        if (epochs < 1 || batchSize < 1) throw new IllegalArgumentException("epochs and batch size must be positive, got " + epochs + ", " + batchSize);
    }

    /**
     * Speech Commands V2 ({@code gsc.yml}, REFERENCE §5): BCE with logits, Adam 2.5e-3 with betas
     * (0.95, 0.999), ε 1e-8, no weight decay, the rate × 0.85 at epochs 10, 20, 30 …, 200 epochs of
     * batch 128.
     */
    public static Recipe speechCommands() {
        return new Recipe(LossKind.BCE, 2.5e-3, 0.95, 0.999, 1e-8, 0, new StepLr(2.5e-3, 10, 10, 0.85), 200, 128);
    }

    /**
     * Sequential MNIST, permuted or not (the psMNIST notebook, REFERENCE §4): cross-entropy, Adam
     * with PyTorch's defaults (1e-3, betas 0.9/0.999, ε 1e-8), a constant rate, 50 epochs of batch 100.
     */
    public static Recipe psmnist() {
        return new Recipe(LossKind.CE, 1e-3, 0.9, 0.999, 1e-8, 0, new StepLr(1e-3, NO_DECAY, 1, 1), 50, 100);
    }

    /**
     * The base of the Long Range Arena tasks: cross-entropy and Adam with PyTorch's default
     * betas; the rate, its steps, the epochs and the batch of each task are in its
     * {@code configs/lra/<task>.yml} (REFERENCE §6 publishes results, not a recipe).
     */
    public static Recipe lra() {
        return new Recipe(LossKind.CE, 1e-3, 0.9, 0.999, 1e-8, 0, new StepLr(1e-3, 10, 5, 0.5), 20, 32);
    }

    /** The recipe a model is trained with in the paper: psMNIST's for {@code psmnist_*}, the LRA's for {@code lra_*}, else Speech Commands'. */
    public static Recipe forModel(String arch) {
        if (arch.startsWith("psmnist")) return psmnist();
        if (arch.startsWith("lra")) return lra();
        return speechCommands();
    }

    /** This recipe with another base learning rate (the schedule's base follows). */
    public Recipe withLr(double newLr) {
        return new Recipe(loss, newLr, beta1, beta2, eps, weightDecay,
                new StepLr(newLr, schedule.start(), schedule.step(), schedule.decay()), epochs, batchSize);
    }

    /** Adam over the model's parameters with this recipe's settings. */
    public Adam optimizer(SequenceModel model) {
        return new Adam(model.state().parameters(), lr, beta1, beta2, eps, weightDecay);
    }

    /** One optimisation step of this recipe over {@code model} (a fresh optimiser). */
    public TrainStep step(SequenceModel model) {
        return new TrainStep(model, loss.create(), optimizer(model));
    }

}
