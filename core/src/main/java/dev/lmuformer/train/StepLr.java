package dev.lmuformer.train;

/**
 * The reference's learning-rate schedule (REFERENCE §5, gsc.yml {@code lrscheduler_*}): the base
 * rate multiplied by {@code decay} at epochs start, start + step, start + 2·step, … (0-based epochs).
 */
public record StepLr(double baseLr, int start, int step, double decay) {
    /** Validates the settings. */
    public StepLr {
        if (!(baseLr > 0) || start < 0 || step < 1 || !(decay > 0)) {
            throw new IllegalArgumentException("invalid schedule: lr " + baseLr + ", start " + start + ", step " + step + ", decay " + decay);
        }
    }

    /** The learning rate for a 0-based epoch. */
    public double lrAt(int epoch) {
        if (epoch < start) return baseLr;
        return baseLr * Math.pow(decay, (epoch - start) / step + 1);
    }
}
