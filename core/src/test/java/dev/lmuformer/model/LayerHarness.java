package dev.lmuformer.model;

import dev.lmuformer.testing.Tolerances;
import dev.lmuformer.engine.Tensor;
import dev.lmuformer.io.Safetensors;
import dev.lmuformer.nn.Parameter;

import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

import static dev.lmuformer.testing.TensorAssert.assertTensorClose;
import static dev.lmuformer.testing.TensorAssert.maxAbs;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs one module of a golden compact file from its golden input ({@code act.X.in}) and checks
 * its output ({@code act.X.out}), its input gradient from the golden output gradient
 * ({@code gradact.X.in} from {@code gradact.X.out}) and its parameter gradients ({@code grad.*}).
 */
final class LayerHarness {
    static final double ACT_TOL = 1e-4;
    static final double GRAD_TOL = 1e-3;
    /** A LIF output may differ from the reference in at most this share of its spikes. */
    static final double SPIKE_TOL = Tolerances.SPIKE_FLIPS;

    private LayerHarness() {
    }

    /** Activation layouts of the golden files. */
    enum Layout {
        /** {@code [B, C, N]} (Conv1d, BatchNorm). */
        CHANNELS_FIRST,
        /** {@code [B, N, C]} (Linear, the LMU cell). */
        CHANNELS_LAST,
        /** {@code [N, C, B]} (most neurons). */
        TIME_CHANNEL_BATCH,
        /** {@code [N, B, C]} (the cell's f_u and f_h). */
        TIME_BATCH_CHANNEL
    }

    /** One module: how to run it, and whether its output is spikes. */
    record Module(String name, Layout layout, Function<float[], float[]> forward, BiConsumer<float[], float[]> backward,
                  List<Parameter> params, boolean spiking) {
        Module(String name, Layout layout, Function<float[], float[]> forward, BiConsumer<float[], float[]> backward, List<Parameter> params) {
            this(name, layout, forward, backward, params, false);
        }
    }

    static float[] toLast(Tensor t, Layout layout) {
        switch (layout) {
            case CHANNELS_FIRST:
                return GoldenModels.channelsLast(t);
            case TIME_CHANNEL_BATCH:
                return GoldenModels.fromTimeFirst(t);
            case TIME_BATCH_CHANNEL: {
                int n = t.dim(0), b = t.dim(1), c = t.dim(2);
                float[] out = new float[t.size()];
                for (int k = 0; k < n; k++) {
                    for (int i = 0; i < b; i++) System.arraycopy(t.data, (k * b + i) * c, out, (i * n + k) * c, c);
                }
                return out;
            }
            default:
                return t.data.clone();
        }
    }

    static void check(Safetensors g, String arch, Module m) {
        for (Parameter p : m.params()) p.zeroGrad();
        Tensor in = g.tensor("act." + m.name() + ".in");
        float[] y = m.forward().apply(toLast(in, m.layout()));
        float[] expected = toLast(g.tensor("act." + m.name() + ".out"), m.layout());
        float[] actual = java.util.Arrays.copyOf(y, expected.length);
        if (m.spiking()) {
            int differ = 0;
            for (int i = 0; i < expected.length; i++) if (expected[i] != actual[i]) differ++;
            assertTrue(differ <= SPIKE_TOL * expected.length, m.name() + ": " + differ + " of " + expected.length + " spikes differ");
        } else {
            assertTensorClose(m.name() + " forward", expected, actual, ACT_TOL);
        }
        // A cell's output is its f_h's output; the golden files name the gradient there.
        // In the spiking cell that neuron stores time first, [N, B, C].
        boolean direct = g.has("gradact." + m.name() + ".out");
        Tensor gradOut = g.tensor(direct ? "gradact." + m.name() + ".out" : "gradact." + m.name() + ".f_h.out");
        boolean timeFirst = !direct && gradOut.dim(0) != in.dim(0);
        float[] dy = toLast(gradOut, timeFirst ? Layout.TIME_BATCH_CHANNEL : m.layout());
        float[] dx = new float[in.size()];
        m.backward().accept(dy, dx);
        if (g.has("gradact." + m.name() + ".in")) {
            assertTensorClose(m.name() + " input gradient", toLast(g.tensor("gradact." + m.name() + ".in"), m.layout()), dx, GRAD_TOL);
        }
        for (Parameter p : m.params()) {
            try {
                assertGradient(g, arch, p);
            } catch (AssertionError e) {
                throw new AssertionError(m.name() + ": " + e.getMessage(), e);
            }
        }
    }

    /** Parameter gradient within tolerance, or negligible where the golden README says it is zero in exact arithmetic. */
    static void assertGradient(Safetensors g, String arch, Parameter p) {
        float[] expected = g.tensor("grad." + p.name()).data;
        if (ZeroGradients.isZeroByConstruction(arch, p.name())) {
            String weight = p.name().replace(".bias", ".weight");
            double bound = 1e-3 * maxAbs(g.tensor("grad." + weight).data);
            assertTrue(maxAbs(p.grad) <= bound, p.name() + ": zero-by-construction gradient " + maxAbs(p.grad) + " > " + bound);
            return;
        }
        assertTensorClose("grad " + p.name(), expected, p.grad, GRAD_TOL);
    }
}
