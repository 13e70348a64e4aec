package dev.lmuformer.testing;

import dev.lmuformer.nn.Parameter;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Finite-difference gradient checks. The scalar under test is {@code L = Σ w_i·y_i} with fixed
 * random weights w, so backward is called with dy = w. Central differences in double, on a
 * sample of coordinates of the input and of every parameter.
 */
public final class GradCheck {
    private GradCheck() {
    }

    /** A function under test: forward from x, and backward that adds dL/dx into dx. */
    public interface Fn {
        /** y = f(x); may return an internal buffer. */
        float[] forward(float[] x);

        /** Adds parameter gradients and {@code dL/dx} into dx, for dy = dL/dy. */
        void backward(float[] dy, float[] dx);
    }

    /**
     * Checks dL/dx (unless {@code checkInput} is false) and dL/dθ for each parameter against
     * central differences with step {@code eps}; fails when the relative error of the sampled
     * gradient vector exceeds {@code tol}.
     */
    public static void check(String label, Fn f, float[] x, int outputs, List<Parameter> params,
                             boolean checkInput, double eps, double tol, long seed) {
        Random rnd = new Random(seed);
        float[] w = new float[outputs];
        for (int i = 0; i < outputs; i++) w[i] = (float) rnd.nextGaussian();
        for (Parameter p : params) p.zeroGrad();
        f.forward(x);
        float[] dx = new float[x.length];
        f.backward(w, dx);
        if (checkInput) compare(label + " d/dx", f, x, x, dx, w, eps, tol, rnd);
        for (Parameter p : params) {
            compare(label + " d/d" + p.name(), f, x, p.data, p.grad.clone(), w, eps, tol, rnd);
        }
    }

    private static void compare(String label, Fn f, float[] x, float[] target, float[] analytic, float[] w,
                                double eps, double tol, Random rnd) {
        int samples = Math.min(target.length, 24);
        double num2 = 0, diff2 = 0;
        StringBuilder detail = new StringBuilder();
        for (int s = 0; s < samples; s++) {
            int i = samples == target.length ? s : rnd.nextInt(target.length);
            float saved = target[i];
            target[i] = (float) (saved + eps);
            double plus = loss(f.forward(x), w);
            target[i] = (float) (saved - eps);
            double minus = loss(f.forward(x), w);
            target[i] = saved;
            double numeric = (plus - minus) / (2 * eps);
            num2 += numeric * numeric;
            diff2 += (numeric - analytic[i]) * (numeric - analytic[i]);
            if (s < 3) detail.append(String.format(" [%d] fd %.6g an %.6g;", i, numeric, analytic[i]));
        }
        f.forward(x);
        double rel = Math.sqrt(diff2) / Math.max(Math.sqrt(num2), 1e-12);
        assertTrue(rel <= tol, String.format("%s: relative error %.3e > %.1e;%s", label, rel, tol, detail));
    }

    private static double loss(float[] y, float[] w) {
        double s = 0;
        for (int i = 0; i < w.length; i++) s += (double) w[i] * y[i];
        return s;
    }

    /** Gaussian random values. */
    public static float[] randn(Random rnd, int n, double scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (rnd.nextGaussian() * scale);
        return x;
    }
}
