package dev.lmuformer.train;

/**
 * {@code torch.nn.BCEWithLogitsLoss()} (mean over batch × classes) on soft targets, as the
 * reference trains Speech Commands (REFERENCE §5): per element
 * {@code max(x, 0) − x·y + log(1 + e^{−|x|})}, stable for any logit.
 */
public final class BceWithLogitsLoss implements Loss {
    @Override
    public double forward(float[] logits, float[] targets, int batch, int classes) {
        double sum = 0;
        for (int i = 0; i < batch * classes; i++) {
            double x = logits[i];
            sum += Math.max(x, 0) - x * targets[i] + Math.log1p(Math.exp(-Math.abs(x)));
        }
        return sum / ((double) batch * classes);
    }

    @Override
    public void backward(float[] logits, float[] targets, int batch, int classes, float[] dLogits) {
        double scale = 1.0 / ((double) batch * classes);
        for (int i = 0; i < batch * classes; i++) {
            double sigmoid = 1 / (1 + Math.exp(-logits[i]));
            dLogits[i] = (float) ((sigmoid - targets[i]) * scale);
        }
    }
}
