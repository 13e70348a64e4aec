package dev.lmuformer.model;

import dev.lmuformer.testing.Tolerances;
import dev.lmuformer.engine.Tensor;
import dev.lmuformer.io.Safetensors;
import dev.lmuformer.nn.Parameter;
import dev.lmuformer.testing.Golden;
import dev.lmuformer.train.Adam;
import dev.lmuformer.train.BceWithLogitsLoss;
import dev.lmuformer.train.CrossEntropyLoss;
import dev.lmuformer.train.Loss;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static dev.lmuformer.testing.TensorAssert.assertTensorClose;
import static dev.lmuformer.testing.TensorAssert.maxAbs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Training-mode parity: logits and loss, BN running statistics after the
 * forward, every parameter gradient, and one Adam step from {@code state.*} fed with {@code grad.*}.
 */
class TrainParityTest {

    @ParameterizedTest
    @ValueSource(strings = {"full/lmu_rnn_conv1d.safetensors", "compact/lmu_rnn_conv1d.dim32.safetensors", "psmnist/psmnist_lmu.safetensors",
            "full/slmu_rnn_ms_conv1d.safetensors", "full/slmu_rnn_conv1d.safetensors", "compact/slmu_rnn_ms_conv1d.dim32.safetensors",
            "compact/attn_ms_conv1d.dim32.safetensors", "psmnist/psmnist_slmu.safetensors"})
    void trainingForwardBackwardMatchReference(String file) {
        Safetensors g = Golden.tensors(file);
        SequenceModel model = GoldenModels.build(g);
        // The golden training runs have dropout off.
        if (model instanceof PsmnistLmu) ((PsmnistLmu) model).dropout().setProbability(0);
        if (model instanceof PsmnistSlmu) ((PsmnistSlmu) model).dropout().setProbability(0);
        double logitTol = model instanceof SpikingLmuFormer || model instanceof PsmnistSlmu ? Tolerances.SPIKING_LOGITS : Tolerances.REAL_LOGITS;
        Tensor x = g.tensor("input.x");
        int batch = x.dim(0), frames = x.dim(1), classes = model.numClasses();
        float[] targets;
        Loss loss;
        if (g.has("input.y")) {
            targets = g.tensor("input.y").data;
            loss = new BceWithLogitsLoss();
        } else {
            float[] labels = g.tensor("input.labels").data;
            int[] ints = new int[labels.length];
            for (int i = 0; i < ints.length; i++) ints[i] = (int) labels[i];
            targets = CrossEntropyLoss.oneHot(ints, classes);
            loss = new CrossEntropyLoss();
        }
        float[] logits = model.forward(x.data, batch, frames, true);
        assertTensorClose(file + " train logits", g.tensor("out.train.logits").data, logits, logitTol);
        double value = loss.forward(logits, targets, batch, classes);
        assertEquals(g.tensor("out.train.loss").data[0], value, 1e-4 * Math.abs(g.tensor("out.train.loss").data[0]), "loss");
        for (String name : g.names()) {
            if (!name.startsWith("after_train_forward.")) continue;
            String key = name.substring("after_train_forward.".length());
            float[] actual = model.state().entries().get(key).data();
            assertTensorClose(key + " after the training forward", g.tensor(name).data, actual, 1e-4);
        }
        float[] dLogits = new float[batch * classes];
        loss.backward(logits, targets, batch, classes, dLogits);
        // A ReLU whose input lies within float32 rounding of 0 may take the other side than the
        // float64 reference; the full lmu_rnn_conv1d file has one (block.0.mlp's final ReLU, row 67,
        // channel 114, input 1.1e-7), which moves every upstream gradient by up to 1.5e-2. Such
        // kinks are found, each resolved to the side that matches, and everything is then held to
        // the tolerances (they land within 1e-5 once resolved).
        List<Kink> kinks = ambiguousKinks(model);
        assertTrue(kinks.size() <= 3, "too many ambiguous ReLU inputs to resolve: " + kinks.size());
        String best = null;
        for (int choice = 0; choice < 1 << kinks.size(); choice++) {
            for (int k = 0; k < kinks.size(); k++) kinks.get(k).set((choice >> k & 1) == 1);
            model.zeroGrad();
            model.backward(dLogits);
            String failure = gradientMismatch(g, model);
            if (failure == null) return;
            if (best == null) best = failure;
        }
        throw new AssertionError(best + (kinks.isEmpty() ? "" : " (for every side of " + kinks.size() + " ambiguous ReLU inputs)"));
    }

    /** A ReLU output whose input is within rounding of zero. */
    private record Kink(float[] reluOutput, int index, float magnitude) {
        void set(boolean active) {
            reluOutput[index] = active ? magnitude : 0f;
        }
    }

    private static List<Kink> ambiguousKinks(SequenceModel model) {
        List<Kink> kinks = new ArrayList<>();
        if (!(model instanceof LmuRnnConv1d)) return kinks;
        LmuRnnConv1d m = (LmuRnnConv1d) model;
        for (int i = 0; i < m.patchEmbed.convs.length; i++) {
            collect(m.patchEmbed.convs[i].output(), m.patchEmbed.relus[i].output(), kinks);
        }
        for (var b : m.blocks) collect(b.mlp.fc2Bn.output(), b.mlp.relu.output(), kinks);
        return kinks;
    }

    private static void collect(float[] pre, float[] post, List<Kink> kinks) {
        double band = 1e-6 * maxAbs(pre);
        for (int i = 0; i < post.length; i++) {
            if (Math.abs(pre[i]) <= band) kinks.add(new Kink(post, i, (float) Math.max(Math.abs(pre[i]), Float.MIN_NORMAL)));
        }
    }

    /** Null when every gradient is within tolerance, else the first mismatch. */
    private static String gradientMismatch(Safetensors g, SequenceModel model) {
        String arch = model.arch();
        for (Parameter p : model.state().parameters()) {
            float[] expected = g.tensor("grad." + p.name()).data;
            if (ZeroGradients.isZeroByConstruction(arch, p.name())) {
                double bound = 1e-3 * maxAbs(g.tensor("grad." + p.name().replace(".bias", ".weight")).data);
                if (maxAbs(p.grad) > bound) return p.name() + ": zero-by-construction gradient " + maxAbs(p.grad) + " > " + bound;
                continue;
            }
            // psmnist conv1.weight is nearly scale-invariant under bn1: only BN's eps makes it
            // non-zero (golden README), so a float32 result may differ by ~2e-4.
            double tol = arch.equals("psmnist_lmu") && p.name().equals("conv1.weight") ? 2e-3 : 1e-3;
            double rel = dev.lmuformer.testing.TensorAssert.relError(expected, p.grad);
            if (rel > tol) return String.format("grad %s: relative error %.3e > %.0e", p.name(), rel, tol);
        }
        return null;
    }

    @ParameterizedTest
    @ValueSource(strings = {"full/lmu_rnn_conv1d.safetensors", "compact/lmu_rnn_conv1d.dim32.safetensors"})
    void adamStepMatchesReference(String file) {
        Safetensors g = Golden.tensors(file);
        SequenceModel model = GoldenModels.build(g);
        List<Parameter> params = new ArrayList<>(model.state().parameters());
        for (Parameter p : params) System.arraycopy(g.tensor("grad." + p.name()).data, 0, p.grad, 0, p.size());
        new Adam(params, 2.5e-3, 0.95, 0.999, 1e-8, 0).step();
        for (Parameter p : params) {
            assertTensorClose("after Adam " + p.name(), g.tensor("after_adam_step." + p.name()).data, p.data, 1e-6);
        }
    }
}
