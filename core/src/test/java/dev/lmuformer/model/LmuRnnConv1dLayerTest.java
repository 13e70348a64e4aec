package dev.lmuformer.model;

import dev.lmuformer.io.Safetensors;
import dev.lmuformer.testing.Golden;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;

import static dev.lmuformer.testing.TensorAssert.assertTensorClose;

/**
 * Layer by layer against {@code golden/compact/lmu_rnn_conv1d.dim32}: each module runs forward from
 * its golden input ({@code act.X.in}) and must give {@code act.X.out}; backward from
 * {@code gradact.X.out} must give {@code gradact.X.in} and the golden parameter gradients.
 */
class LmuRnnConv1dLayerTest {
    private static final String FILE = "compact/lmu_rnn_conv1d.dim32.safetensors";
    private static final LayerHarness.Layout CF = LayerHarness.Layout.CHANNELS_FIRST;
    private static final LayerHarness.Layout CL = LayerHarness.Layout.CHANNELS_LAST;
    private static final LayerHarness.Layout TCB = LayerHarness.Layout.TIME_CHANNEL_BATCH;
    private static final double ACT_TOL = LayerHarness.ACT_TOL;

    @TestFactory
    List<DynamicTest> everyLayerMatchesReference() {
        Safetensors g = Golden.tensors(FILE);
        List<DynamicTest> tests = new ArrayList<>();
        for (LayerHarness.Module m : modules(g)) {
            tests.add(DynamicTest.dynamicTest(m.name(), () -> LayerHarness.check(g, "lmu_rnn_conv1d", m)));
        }
        return tests;
    }

    private static List<LayerHarness.Module> modules(Safetensors g) {
        LmuRnnConv1d model = (LmuRnnConv1d) GoldenModels.build(g);
        int batch = g.tensor("input.x").dim(0), frames = g.tensor("input.x").dim(1);
        int rows = batch * frames;
        int c = model.config().embedDims();
        List<LayerHarness.Module> out = new ArrayList<>();
        ConvPatchEmbed pe = model.patchEmbed;
        for (int i = 0; i < 4; i++) {
            String p = "patch_embed.conv_layers." + i;
            var conv = pe.convs[i];
            var relu = pe.relus[i];
            var bn = pe.norms[i];
            out.add(new LayerHarness.Module(p + ".0", CF, x -> conv.forward(x, batch, frames), conv::backward, conv.parameters()));
            out.add(new LayerHarness.Module(p + ".1", CF, x -> relu.forward(x, rows * c), relu::backward, List.of()));
            out.add(new LayerHarness.Module(p + ".3", CF, x -> bn.forward(x, rows, true), bn::backward, bn.parameters()));
        }
        out.add(new LayerHarness.Module("patch_embed.rpe_conv", CF, x -> pe.rpe.forward(x, batch, frames), pe.rpe::backward, pe.rpe.parameters()));
        var block = model.blocks.get(0);
        var lmu = block.attn.lmu;
        out.add(new LayerHarness.Module("block.0.attn.lmu", CL, x -> lmu.forward(x, batch, frames), lmu::backward, lmu.parameters()));
        var pc = block.attn.projConv;
        var pb = block.attn.projBn;
        out.add(new LayerHarness.Module("block.0.attn.proj_conv", CF, x -> pc.forward(x, batch, frames), pc::backward, pc.parameters()));
        out.add(new LayerHarness.Module("block.0.attn.proj_bn", CF, x -> pb.forward(x, rows, true), pb::backward, pb.parameters()));
        out.add(new LayerHarness.Module("block.0.attn", CF, x -> block.attn.forward(x, batch, frames, true),
                (dy, dx) -> block.attn.backward(dy, dx, true), List.of()));
        ConvMlp mlp = block.mlp;
        int hidden = mlp.fc1.outChannels();
        out.add(new LayerHarness.Module("block.0.mlp.fc1_conv", CF, x -> mlp.fc1.forward(x, batch, frames), mlp.fc1::backward, mlp.fc1.parameters()));
        out.add(new LayerHarness.Module("block.0.mlp.fc1_bn", CF, x -> mlp.fc1Bn.forward(x, rows, true), mlp.fc1Bn::backward, mlp.fc1Bn.parameters()));
        out.add(new LayerHarness.Module("block.0.mlp.fc1_lif", TCB, x -> mlp.gelu.forward(x, rows * hidden), mlp.gelu::backward, List.of()));
        out.add(new LayerHarness.Module("block.0.mlp.fc2_conv", CF, x -> mlp.fc2.forward(x, batch, frames), mlp.fc2::backward, mlp.fc2.parameters()));
        out.add(new LayerHarness.Module("block.0.mlp.fc2_bn", CF, x -> mlp.fc2Bn.forward(x, rows, true), mlp.fc2Bn::backward, mlp.fc2Bn.parameters()));
        out.add(new LayerHarness.Module("block.0.mlp.fc2_lif", TCB, x -> mlp.relu.forward(x, rows * c), mlp.relu::backward, List.of()));
        out.add(new LayerHarness.Module("block.0.mlp", CF, x -> mlp.forward(x, batch, frames, true), (dy, dx) -> mlp.backward(dy, dx, true), List.of()));
        out.add(new LayerHarness.Module("block.0", CF, x -> block.forward(x, batch, frames, true), (dy, dx) -> block.backward(dy, dx, true), List.of()));
        var head = model.head.head;
        out.add(new LayerHarness.Module("head", CL, x -> head.forward(x, rows), head::backward, head.parameters()));
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
}
