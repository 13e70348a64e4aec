package dev.lmuformer.model;

import dev.lmuformer.io.Safetensors;
import dev.lmuformer.model.LayerHarness.Module;
import dev.lmuformer.nn.BatchNorm1d;
import dev.lmuformer.nn.Conv1d;
import dev.lmuformer.nn.Lif;
import dev.lmuformer.nn.Linear;
import dev.lmuformer.testing.Golden;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;

import static dev.lmuformer.model.LayerHarness.Layout.CHANNELS_FIRST;
import static dev.lmuformer.model.LayerHarness.Layout.CHANNELS_LAST;
import static dev.lmuformer.model.LayerHarness.Layout.TIME_BATCH_CHANNEL;
import static dev.lmuformer.model.LayerHarness.Layout.TIME_CHANNEL_BATCH;

/**
 * Every layer of the compact spiking models from its golden input — LIF outputs
 * with at most 0.1 % of spikes different, other layers within 1e-4, input and parameter gradients
 * within 1e-3 (zero-by-construction gradients as negligible).
 */
class SpikingLayerTest {
    private int batch;
    private int frames;

    @TestFactory
    List<DynamicTest> spikingLmuFormerLayers() {
        return tests("compact/slmu_rnn_ms_conv1d.dim32.safetensors");
    }

    @TestFactory
    List<DynamicTest> spikingAttentionLayers() {
        return tests("compact/attn_ms_conv1d.dim32.safetensors");
    }

    private List<DynamicTest> tests(String file) {
        Safetensors g = Golden.tensors(file);
        SpikingLmuFormer model = (SpikingLmuFormer) GoldenModels.build(g);
        batch = g.tensor("input.x").dim(0);
        frames = g.tensor("input.x").dim(1);
        List<DynamicTest> tests = new ArrayList<>();
        for (Module m : modules(model)) tests.add(DynamicTest.dynamicTest(m.name(), () -> LayerHarness.check(g, model.arch(), m)));
        return tests;
    }

    private Module conv(String name, Conv1d c) {
        return new Module(name, CHANNELS_FIRST, x -> c.forward(x, batch, frames), c::backward, c.parameters());
    }

    private Module norm(String name, BatchNorm1d bn) {
        return new Module(name, CHANNELS_FIRST, x -> bn.forward(x, batch * frames, true), bn::backward, bn.parameters());
    }

    private Module lif(String name, Lif lif, int width, LayerHarness.Layout layout) {
        return new Module(name, layout, x -> lif.forward(x, batch, frames, width), lif::backward, List.of(), true);
    }

    private Module linear(String name, Linear l) {
        return new Module(name, CHANNELS_LAST, x -> l.forward(x, batch * frames), l::backward, l.parameters());
    }

    private List<Module> modules(SpikingLmuFormer model) {
        int c = model.config().embedDims();
        List<Module> out = new ArrayList<>();
        SpikingPatchEmbed pe = model.patchEmbed;
        String[] suffix = {"", "1", "2", "3"};
        for (int i = 0; i < 4; i++) {
            out.add(conv("patch_embed.proj_conv" + suffix[i], pe.convs[i]));
            out.add(norm("patch_embed.proj_bn" + suffix[i], pe.norms[i]));
            out.add(lif("patch_embed.proj_lif" + suffix[i], pe.lifs[i], c, TIME_CHANNEL_BATCH));
        }
        out.add(conv("patch_embed.rpe_conv", pe.rpeConv));
        var block = model.blocks.get(0);
        if (block.attn instanceof SpikingLmuMixer) {
            SpikingLmuMixer a = (SpikingLmuMixer) block.attn;
            String p = "block.0.attn.";
            out.add(norm(p + "prev_bn", a.prevBn));
            out.add(lif(p + "prev_lif", a.prevLif, c, TIME_CHANNEL_BATCH));
            var cell = a.lmu;
            out.add(linear(p + "lmu.W_u", cell.wU));
            out.add(norm(p + "lmu.bn_u", cell.bnU));
            out.add(lif(p + "lmu.f_u", cell.fU, 1, TIME_BATCH_CHANNEL));
            out.add(norm(p + "lmu.bn_m", cell.bnM));
            out.add(lif(p + "lmu.f_m", cell.fM, 2 * c, TIME_CHANNEL_BATCH));
            out.add(linear(p + "lmu.W_h", cell.wH));
            out.add(norm(p + "lmu.bn_h", cell.bnH));
            out.add(lif(p + "lmu.f_h", cell.fH, c, TIME_BATCH_CHANNEL));
            out.add(new Module(p + "lmu", CHANNELS_LAST, x -> cell.forward(x, batch, frames, true), cell::backward, cell.parameters(), true));
            out.add(conv(p + "proj_conv", a.projConv));
            out.add(norm(p + "proj_bn", a.projBn));
        } else {
            SpikingSelfAttention a = (SpikingSelfAttention) block.attn;
            String p = "block.0.attn.";
            out.add(norm(p + "pre_bn", a.preBn));
            out.add(lif(p + "pre_lif", a.preLif, c, TIME_CHANNEL_BATCH));
            out.add(conv(p + "q_conv", a.qConv));
            out.add(norm(p + "q_bn", a.qBn));
            out.add(lif(p + "q_lif", a.qLif, c, TIME_CHANNEL_BATCH));
            out.add(conv(p + "k_conv", a.kConv));
            out.add(norm(p + "k_bn", a.kBn));
            out.add(lif(p + "k_lif", a.kLif, c, TIME_CHANNEL_BATCH));
            out.add(conv(p + "v_conv", a.vConv));
            out.add(norm(p + "v_bn", a.vBn));
            out.add(lif(p + "v_lif", a.vLif, c, TIME_CHANNEL_BATCH));
            out.add(lif(p + "attn_lif", a.attnLif, c, TIME_CHANNEL_BATCH));
            out.add(conv(p + "proj_conv", a.projConv));
            out.add(norm(p + "proj_bn", a.projBn));
        }
        out.add(new Module("block.0.attn", CHANNELS_FIRST, x -> block.attn.forward(x, batch, frames, true),
                (dy, dx) -> block.attn.backward(dy, dx, true), List.of()));
        SpikingMlp mlp = block.mlp;
        int hidden = mlp.fc1.outChannels();
        out.add(norm("block.0.mlp.fc1_bn", mlp.fc1Bn));
        out.add(lif("block.0.mlp.fc1_lif", mlp.fc1Lif, c, TIME_CHANNEL_BATCH));
        out.add(conv("block.0.mlp.fc1_conv", mlp.fc1));
        out.add(norm("block.0.mlp.fc2_bn", mlp.fc2Bn));
        out.add(lif("block.0.mlp.fc2_lif", mlp.fc2Lif, hidden, TIME_CHANNEL_BATCH));
        out.add(conv("block.0.mlp.fc2_conv", mlp.fc2));
        out.add(new Module("block.0.mlp", CHANNELS_FIRST, x -> mlp.forward(x, batch, frames, true), (dy, dx) -> mlp.backward(dy, dx, true), List.of()));
        out.add(new Module("block.0", CHANNELS_FIRST, x -> block.forward(x, batch, frames, true), (dy, dx) -> block.backward(dy, dx, true), List.of()));
        out.add(norm("head_bn", model.headBn));
        out.add(lif("head_lif", model.headLif, c, TIME_CHANNEL_BATCH));
        out.add(linear("head", model.head.head));
        return out;
    }
}
