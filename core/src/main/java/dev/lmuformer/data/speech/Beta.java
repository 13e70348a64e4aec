package dev.lmuformer.data.speech;

import java.util.SplittableRandom;

/**
 * Beta and Gamma variates from a seeded {@link SplittableRandom}, for mixup's λ ~ Beta(10, 10)
 * (REFERENCE.md §5). Beta(a, b) = X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b); Gamma by
 * Marsaglia and Tsang's squeeze method ("A simple method for generating gamma variables", 2000),
 * boosted with U^(1/a) for shapes below 1. Deterministic: the same generator state gives the same value.
 */
public final class Beta {
    private Beta() {
    }

    /** One draw of Beta({@code a}, {@code b}), both shapes positive; the result lies in [0, 1]. */
    public static double sample(SplittableRandom rng, double a, double b) {
        double x = gamma(rng, a);
        double y = gamma(rng, b);
        return x / (x + y);
    }

    /** One draw of Gamma({@code shape}, scale 1), shape positive. */
    public static double gamma(SplittableRandom rng, double shape) {
        if (!(shape > 0) || Double.isInfinite(shape)) throw new IllegalArgumentException("shape must be positive and finite: " + shape);
        if (shape < 1) {
            // Gamma(a) = Gamma(a + 1) · U^(1/a): the squeeze below needs a ≥ 1.
            double u = 1.0 - rng.nextDouble(); // (0, 1], so the power is never 0^(1/a) from a 0 draw
            return gamma(rng, shape + 1) * Math.pow(u, 1 / shape);
        }
        double d = shape - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x = rng.nextGaussian();
            double v = 1 + c * x;
            if (v <= 0) continue;
            v = v * v * v;
            double u = rng.nextDouble();
            double x2 = x * x;
            if (u < 1 - 0.0331 * x2 * x2) return d * v;
            if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
        }
    }
}
