package dev.lmuformer.train;

/**
 * {@code torch.nn.CrossEntropyLoss()} (mean over the batch), as the psMNIST notebook trains.
 * Targets are given as probability rows (one-hot for hard labels); log-softmax is computed stably.
 */
public final class CrossEntropyLoss implements Loss {
    @Override
    public double forward(float[] logits, float[] targets, int batch, int classes) {
        double sum = 0;
        for (int b = 0; b < batch; b++) {
            double logZ = logSumExp(logits, b * classes, classes);
            for (int c = 0; c < classes; c++) {
                float y = targets[b * classes + c];
                if (y != 0f) sum -= y * (logits[b * classes + c] - logZ);
            }
        }
        return sum / batch;
    }

    @Override
    public void backward(float[] logits, float[] targets, int batch, int classes, float[] dLogits) {
        for (int b = 0; b < batch; b++) {
            int o = b * classes;
            double logZ = logSumExp(logits, o, classes);
            double mass = 0;
            for (int c = 0; c < classes; c++) mass += targets[o + c];
            for (int c = 0; c < classes; c++) {
                dLogits[o + c] = (float) ((Math.exp(logits[o + c] - logZ) * mass - targets[o + c]) / batch);
            }
        }
    }

    private static double logSumExp(float[] x, int off, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, x[off + i]);
        double s = 0;
        for (int i = 0; i < n; i++) s += Math.exp(x[off + i] - max);
        return max + Math.log(s);
    }

    /** One-hot rows {@code [B, classes]} from integer labels. */
    public static float[] oneHot(int[] labels, int classes) {
        float[] y = new float[labels.length * classes];
        for (int b = 0; b < labels.length; b++) {
            if (labels[b] < 0 || labels[b] >= classes) throw new IllegalArgumentException("label " + labels[b] + " outside [0, " + classes + ")");
            y[b * classes + labels[b]] = 1f;
        }
        return y;
    }
}
