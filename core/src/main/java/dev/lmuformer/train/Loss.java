package dev.lmuformer.train;

/** A loss over logits {@code [B, classes]} and target rows {@code [B, classes]}. */
public interface Loss {
    /** The mean loss, accumulated in double. */
    double forward(float[] logits, float[] targets, int batch, int classes);

    /** Writes dLoss/dLogits into {@code dLogits} {@code [B, classes]}. */
    void backward(float[] logits, float[] targets, int batch, int classes, float[] dLogits);
}
