package dev.lmuformer.model;

import dev.lmuformer.engine.Tensor;
import dev.lmuformer.io.Safetensors;
import dev.lmuformer.nn.Parameter;
import dev.lmuformer.testing.Golden;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

import static dev.lmuformer.testing.TensorAssert.assertTensorClose;
import static dev.lmuformer.testing.TensorAssert.maxAbs;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Layer by layer against {@code golden/compact/lmu_rnn_conv1d.dim32}: each module runs forward from
 * its golden input ({@code act.X.in}) and must give {@code act.X.out}; backward from
 * {@code gradact.X.out} must give {@code gradact.X.in} and the golden parameter gradients.
 */
class LmuRnnConv1dLayerTest {
    private static final String FILE = "compact/lmu_rnn_conv1d.dim32.safetensors";
    private static final double ACT_TOL = 1e-4;
    private static final double GRAD_TOL = 1e-3;

    /** Activation layouts of the golden file. */
    private enum Layout { CHANNELS_FIRST, CHANNELS_LAST, TIME_FIRST }

    private record Module(String name, Layout layout, Function<float[], float[]> forward,
                          BiConsumer<float[], float[]> backward, List<Parameter> params) {
    }

    @TestFactory
    List<DynamicTest> everyLayerMatchesReference() {
        Safetensors g = Golden.tensors(FILE);
        List<DynamicTest> tests = new ArrayList<>();
        for (Module m : modules(g)) {
            tests.add(DynamicTest.dynamicTest(m.name(), () -> check(g, m)));
        }
        return tests;
    }

    private static List<Module> modules(Safetensors g) {
        LmuRnnConv1d model = (LmuRnnConv1d) GoldenModels.build(g);
        int batch = g.tensor("input.x").dim(0), frames = g.tensor("input.x").dim(1);
        int rows = batch * frames;
        int c = model.config().embedDims();
        List<Module> out = new ArrayList<>();
        ConvPatchEmbed pe = model.patchEmbed;
        for (int i = 0; i < 4; i++) {
            String p = "patch_embed.conv_layers." + i;
            var conv = pe.convs[i];
            var relu = pe.relus[i];
            var bn = pe.norms[i];
            out.add(new Module(p + ".0", Layout.CHANNELS_FIRST, x -> conv.forward(x, batch, frames), conv::backward, conv.parameters()));
            out.add(new Module(p + ".1", Layout.CHANNELS_FIRST, x -> relu.forward(x, rows * c), relu::backward, List.of()));
            out.add(new Module(p + ".3", Layout.CHANNELS_FIRST, x -> bn.forward(x, rows, true), bn::backward, bn.parameters()));
        }
        out.add(new Module("patch_embed.rpe_conv", Layout.CHANNELS_FIRST, x -> pe.rpe.forward(x, batch, frames), pe.rpe::backward, pe.rpe.parameters()));
        var block = model.blocks.get(0);
        var lmu = block.attn.lmu;
        out.add(new Module("block.0.attn.lmu", Layout.CHANNELS_LAST, x -> lmu.forward(x, batch, frames), lmu::backward, lmu.parameters()));
        var pc = block.attn.projConv;
        var pb = block.attn.projBn;
        out.add(new Module("block.0.attn.proj_conv", Layout.CHANNELS_FIRST, x -> pc.forward(x, batch, frames), pc::backward, pc.parameters()));
        out.add(new Module("block.0.attn.proj_bn", Layout.CHANNELS_FIRST, x -> pb.forward(x, rows, true), pb::backward, pb.parameters()));
        out.add(new Module("block.0.attn", Layout.CHANNELS_FIRST, x -> block.attn.forward(x, batch, frames, true), block.attn::backward, List.of()));
        ConvMlp mlp = block.mlp;
        int hidden = mlp.fc1.outChannels();
        out.add(new Module("block.0.mlp.fc1_conv", Layout.CHANNELS_FIRST, x -> mlp.fc1.forward(x, batch, frames), mlp.fc1::backward, mlp.fc1.parameters()));
        out.add(new Module("block.0.mlp.fc1_bn", Layout.CHANNELS_FIRST, x -> mlp.fc1Bn.forward(x, rows, true), mlp.fc1Bn::backward, mlp.fc1Bn.parameters()));
        out.add(new Module("block.0.mlp.fc1_lif", Layout.TIME_FIRST, x -> mlp.gelu.forward(x, rows * hidden), mlp.gelu::backward, List.of()));
        out.add(new Module("block.0.mlp.fc2_conv", Layout.CHANNELS_FIRST, x -> mlp.fc2.forward(x, batch, frames), mlp.fc2::backward, mlp.fc2.parameters()));
        out.add(new Module("block.0.mlp.fc2_bn", Layout.CHANNELS_FIRST, x -> mlp.fc2Bn.forward(x, rows, true), mlp.fc2Bn::backward, mlp.fc2Bn.parameters()));
        out.add(new Module("block.0.mlp.fc2_lif", Layout.TIME_FIRST, x -> mlp.relu.forward(x, rows * c), mlp.relu::backward, List.of()));
        out.add(new Module("block.0.mlp", Layout.CHANNELS_FIRST, x -> mlp.forward(x, batch, frames, true), mlp::backward, List.of()));
        out.add(new Module("block.0", Layout.CHANNELS_FIRST, x -> block.forward(x, batch, frames, true), block::backward, List.of()));
        var head = model.head.head;
        out.add(new Module("head", Layout.CHANNELS_LAST, x -> head.forward(x, rows), head::backward, head.parameters()));
        return out;
    }

    @TestFactory
    List<DynamicTest> lmuCellInternalsMatchReference() {
        Safetensors g = Golden.tensors(FILE);
        LmuRnnConv1d model = (LmuRnnConv1d) GoldenModels.build(g);
        int batch = g.tensor("input.x").dim(0), frames = g.tensor("input.x").dim(1);
        var lmu = model.blocks.get(0).attn.lmu;
        lmu.forward(g.tensor("act.block.0.attn.lmu.in").data, batch, frames);
        String p = "act.block.0.attn.lmu.";
        return List.of(
                DynamicTest.dynamicTest("u = f_u(W_u x)", () -> assertTensorClose("u", g.tensor(p + "f_u.out").data, lmu.drive(), ACT_TOL)),
                DynamicTest.dynamicTest("[m ; x]", () -> {
                    float[] expected = g.tensor(p + "W_h.in").data;
                    assertTensorClose("[m ; x]", expected, java.util.Arrays.copyOf(lmu.memoryAndInput(), expected.length), ACT_TOL);
                }));
    }

    private static float[] toLast(Tensor t, Layout layout) {
        switch (layout) {
            case CHANNELS_FIRST: return GoldenModels.channelsLast(t);
            case TIME_FIRST: return GoldenModels.fromTimeFirst(t);
            default: return t.data.clone();
        }
    }

    private static void check(Safetensors g, Module m) {
        for (Parameter p : m.params()) p.zeroGrad();
        Tensor in = g.tensor("act." + m.name() + ".in");
        float[] y = m.forward().apply(toLast(in, m.layout()));
        float[] expected = toLast(g.tensor("act." + m.name() + ".out"), m.layout());
        assertTensorClose(m.name() + " forward", expected, java.util.Arrays.copyOf(y, expected.length), ACT_TOL);
        // The cell's output is its f_h's output; the golden file names the gradient there.
        String gradOut = g.has("gradact." + m.name() + ".out") ? "gradact." + m.name() + ".out" : "gradact." + m.name() + ".f_h.out";
        float[] dy = toLast(g.tensor(gradOut), m.layout());
        float[] dx = new float[in.size()];
        m.backward().accept(dy, dx);
        if (g.has("gradact." + m.name() + ".in")) {
            assertTensorClose(m.name() + " input gradient", toLast(g.tensor("gradact." + m.name() + ".in"), m.layout()), dx, GRAD_TOL);
        }
        for (Parameter p : m.params()) assertGradient(g, p);
    }

    /** Parameter gradient within tolerance, or negligible where the golden README says it is zero in exact arithmetic. */
    static void assertGradient(Safetensors g, Parameter p) {
        float[] expected = g.tensor("grad." + p.name()).data;
        if (ZeroGradients.isZeroByConstruction("lmu_rnn_conv1d", p.name())) {
            String weight = p.name().replace(".bias", ".weight");
            double bound = 1e-3 * maxAbs(g.tensor("grad." + weight).data);
            assertTrue(maxAbs(p.grad) <= bound, p.name() + ": zero-by-construction gradient " + maxAbs(p.grad) + " > " + bound);
            return;
        }
        assertTensorClose("grad " + p.name(), expected, p.grad, GRAD_TOL);
    }
}
