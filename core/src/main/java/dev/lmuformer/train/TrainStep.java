package dev.lmuformer.train;

import dev.lmuformer.model.SequenceModel;

/** One optimisation step: training forward, loss, backward, optimiser update ({@link Recipe#step} builds one). */
public final class TrainStep {
    private final SequenceModel model;
    private final Loss loss;
    private final Adam optimizer;
    private float[] dLogits;
    private float[] logits;

    /** A step over {@code model} with a loss and an optimiser built on the model's parameters. */
    public TrainStep(SequenceModel model, Loss loss, Adam optimizer) {
        this.model = model;
        this.loss = loss;
        this.optimizer = optimizer;
    }

    /**
     * Runs one step on x {@code [B, N, F]} with targets {@code [B, classes]}; returns the loss.
     *
     * @throws ArithmeticException when the loss is not finite (the parameters are left unchanged)
     */
    public double run(float[] x, float[] targets, int batch, int frames) {
        int classes = model.numClasses();
        logits = model.forward(x, batch, frames, true);
        double value = loss.forward(logits, targets, batch, classes);
        if (!Double.isFinite(value)) throw new ArithmeticException("loss is " + value + "; parameters left unchanged");
        if (dLogits == null || dLogits.length != batch * classes) dLogits = new float[batch * classes];
        loss.backward(logits, targets, batch, classes, dLogits);
        model.zeroGrad();
        model.backward(dLogits);
        optimizer.step();
        return value;
    }

    /** The logits of the last step's forward, {@code [B, classes]}. */
    public float[] lastLogits() {
        return logits;
    }

    /** The optimiser (for the schedule and checkpoints). */
    public Adam optimizer() {
        return optimizer;
    }
}
