package dev.lmuformer.train;

import dev.lmuformer.engine.MathF;

import java.util.Arrays;

/**
 * The reference's evaluation metrics over a set of clips (REFERENCE §5): accuracy (arg-max of the
 * logits against the arg-max of the target row), mean average precision and mean ROC AUC over
 * classes (one-vs-rest on the logits), and d′ = √2·Φ⁻¹(AUC).
 *
 * @param accuracy fraction of clips whose top class is right
 * @param meanAp   mean over classes with a positive clip of the average precision
 * @param meanAuc  mean over classes with positive and negative clips of the ROC AUC
 * @param dPrime   √2·Φ⁻¹(mean AUC)
 * @param clips    number of clips
 */
public record Metrics(double accuracy, double meanAp, double meanAuc, double dPrime, int clips) {

    /** Metrics of logits {@code [clips, classes]} against target rows {@code [clips, classes]}. */
    public static Metrics of(float[] logits, float[] targets, int clips, int classes) {
        if (clips == 0) return new Metrics(Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0);
        int correct = 0;
        for (int i = 0; i < clips; i++) {
            if (argMax(logits, i * classes, classes) == argMax(targets, i * classes, classes)) correct++;
        }
        double apSum = 0, aucSum = 0;
        int apClasses = 0, aucClasses = 0;
        Integer[] order = new Integer[clips];
        for (int c = 0; c < classes; c++) {
            final int cls = c;
            for (int i = 0; i < clips; i++) order[i] = i;
            Arrays.sort(order, (a, b) -> Float.compare(logits[b * classes + cls], logits[a * classes + cls]));
            int positives = 0;
            for (int i = 0; i < clips; i++) if (targets[i * classes + c] >= 0.5f) positives++;
            int negatives = clips - positives;
            if (positives == 0) continue;
            double precisionSum = 0;
            int seen = 0, hits = 0;
            long rankPairs = 0; // pairs (positive above negative)
            int negativesAbove = 0;
            for (Integer i : order) {
                seen++;
                if (targets[i * classes + c] >= 0.5f) {
                    hits++;
                    precisionSum += (double) hits / seen;
                    rankPairs += negatives - negativesAbove;
                } else {
                    negativesAbove++;
                }
            }
            apSum += precisionSum / positives;
            apClasses++;
            if (negatives > 0) {
                aucSum += (double) rankPairs / ((long) positives * negatives);
                aucClasses++;
            }
        }
        double auc = aucClasses == 0 ? Double.NaN : aucSum / aucClasses;
        return new Metrics((double) correct / clips, apClasses == 0 ? Double.NaN : apSum / apClasses, auc, dPrime(auc), clips);
    }

    /** One line, as {@code eval} and {@code train} print it: accuracy, mAP, mean AUC, d′ and the number of clips. */
    public String describe() {
        return String.format("accuracy %.4f, mAP %.4f, mean AUC %.4f, d' %.3f (%d clips)", accuracy, meanAp, meanAuc, dPrime, clips);
    }

    /** Index of the largest value in {@code x[off … off+n)} (the first on ties). */
    public static int argMax(float[] x, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) if (x[off + i] > x[off + best]) best = i;
        return best;
    }

    /** d′ = √2·Φ⁻¹(auc), by bisection on the normal distribution function. */
    static double dPrime(double auc) {
        if (!(auc > 0 && auc < 1)) return auc == 1 ? Double.POSITIVE_INFINITY : auc == 0 ? Double.NEGATIVE_INFINITY : Double.NaN;
        double lo = -9, hi = 9;
        for (int i = 0; i < 60; i++) {
            double mid = (lo + hi) / 2;
            double phi = 0.5 * (1 + MathF.erf((float) (mid / Math.sqrt(2))));
            if (phi < auc) lo = mid;
            else hi = mid;
        }
        return Math.sqrt(2) * (lo + hi) / 2;
    }
}
