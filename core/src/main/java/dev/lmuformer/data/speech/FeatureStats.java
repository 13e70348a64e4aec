package dev.lmuformer.data.speech;

import dev.lmuformer.engine.Parallel;

import java.util.List;

/**
 * The normalisation constants of a dataset: mean and standard deviation of every value of the
 * unnormalised, unaugmented model-length filterbanks ({@link Pipeline#rawFeatures}, padding
 * frames included, as the reference's statistics script sees them).
 *
 * <p>Each clip's mean and sum of squared deviations are computed in double with two passes and
 * merged in list order with Chan et al.'s pairwise update, so the result does not depend on the
 * thread count. The reference averaged per-batch means and standard deviations instead, which
 * differs from these exact values by a fraction of a percent.
 *
 * @param clips  number of clips
 * @param values number of values (clips × frames × bins)
 * @param mean   mean of the values
 * @param std    standard deviation (denominator values − 1, as torch.std)
 */
public record FeatureStats(int clips, long values, double mean, double std) {
    /** Computes the statistics of {@code examples} on the engine's threads ({@link Parallel}). */
    public static FeatureStats compute(List<Example> examples, Pipeline pipeline) {
        if (examples.isEmpty()) throw new IllegalArgumentException("no examples to measure");
        int n = pipeline.inputSize();
        double[] means = new double[examples.size()];
        double[] m2s = new double[examples.size()];
        Parallel.forEach(examples.size(), i -> {
            float[] x = new float[n]; // [N, F]
            pipeline.rawFeatures(examples.get(i).file(), x, 0);
            double sum = 0;
            for (float v : x) sum += v;
            double mean = sum / n;
            double m2 = 0;
            for (float v : x) m2 += (v - mean) * (v - mean);
            means[i] = mean;
            m2s[i] = m2;
        });
        double mean = 0;
        double m2 = 0;
        long count = 0;
        for (int i = 0; i < means.length; i++) {
            long total = count + n;
            double delta = means[i] - mean;
            mean += delta * n / total;
            m2 += m2s[i] + delta * delta * ((double) count * n / total);
            count = total;
        }
        return new FeatureStats(examples.size(), count, mean, count > 1 ? Math.sqrt(m2 / (count - 1)) : 0.0);
    }
}
