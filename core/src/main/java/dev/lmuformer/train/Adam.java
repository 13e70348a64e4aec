package dev.lmuformer.train;

import dev.lmuformer.engine.Parallel;
import dev.lmuformer.nn.Parameter;

import java.util.List;

/**
 * {@code torch.optim.Adam} with PyTorch's semantics (amsgrad off): with step t,
 * {@code m = β1·m + (1−β1)·g}, {@code v = β2·v + (1−β2)·g²},
 * {@code p −= lr/(1−β1^t) · m / (√v/√(1−β2^t) + eps)}; L2 weight decay adds {@code wd·p} to g.
 */
public final class Adam {
    private final List<Parameter> params;
    private final float[][] expAvg;
    private final float[][] expAvgSq;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private double lr;
    private long step;

    /** Adam over {@code params} with the given hyper-parameters. */
    public Adam(List<Parameter> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        if (!(lr >= 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps >= 0) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("invalid Adam settings: lr " + lr + ", betas " + beta1 + "/" + beta2 + ", eps " + eps + ", weight decay "
                    + weightDecay);
        }
        this.params = List.copyOf(params);
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        expAvg = new float[this.params.size()][];
        expAvgSq = new float[this.params.size()][];
        for (int i = 0; i < this.params.size(); i++) {
            expAvg[i] = new float[this.params.get(i).size()];
            expAvgSq[i] = new float[this.params.get(i).size()];
        }
    }

    /** One update of every parameter from its gradient. */
    public void step() {
        step++;
        double bias1 = 1 - Math.pow(beta1, step);
        double bias2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        float stepSize = (float) (lr / bias1);
        // 1 − β in double first: 1 − (float) 0.999 would be off by 1e-5 relative.
        float b1 = (float) beta1, b2 = (float) beta2, c1 = (float) (1 - beta1), c2 = (float) (1 - beta2);
        Parallel.forEach(params.size(), k -> {
            Parameter p = params.get(k);
            float[] m = expAvg[k], v = expAvgSq[k], w = p.data, g = p.grad;
            for (int i = 0; i < w.length; i++) {
                float gi = weightDecay == 0 ? g[i] : (float) (g[i] + weightDecay * w[i]);
                m[i] = m[i] * b1 + c1 * gi;
                v[i] = v[i] * b2 + c2 * gi * gi;
                float denom = (float) (Math.sqrt(v[i]) / bias2Sqrt + eps);
                w[i] -= stepSize * m[i] / denom;
            }
        });
    }

    /** Current learning rate. */
    public double learningRate() {
        return lr;
    }

    /** Sets the learning rate (the schedule does this each epoch). */
    public void setLearningRate(double lr) {
        if (!(lr >= 0)) throw new IllegalArgumentException("learning rate must be ≥ 0, got " + lr);
        this.lr = lr;
    }

    /** Steps taken. */
    public long steps() {
        return step;
    }

    /** First-moment state of parameter k (live array, for checkpoints). */
    public float[] expAvg(int k) {
        return expAvg[k];
    }

    /** Second-moment state of parameter k (live array, for checkpoints). */
    public float[] expAvgSq(int k) {
        return expAvgSq[k];
    }

    /** Restores the step count (with the moment arrays filled through {@link #expAvg}, {@link #expAvgSq}). */
    public void setSteps(long steps) {
        if (steps < 0) throw new IllegalArgumentException("steps must be ≥ 0");
        step = steps;
    }

    /** The parameters, in state order. */
    public List<Parameter> parameters() {
        return params;
    }
}
