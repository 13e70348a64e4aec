package dev.lmuformer.profile;

import dev.lmuformer.model.Init;
import dev.lmuformer.model.ForwardStep;
import dev.lmuformer.model.ModelConfig;
import dev.lmuformer.model.Models;
import dev.lmuformer.model.SequenceModel;
import dev.lmuformer.model.Signal;
import dev.lmuformer.nn.Lif;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Operation counts of small models (C 8, F 4, N 6, depth 1, 3 classes) against values computed by hand. */
class OperationCountTest {
    private static final int C = 8, F = 4, N = 6, CLASSES = 3;

    private static SequenceModel small(String arch, int heads) {
        return Models.create(new ModelConfig.Keyword(arch, C, 1, 4, F, CLASSES, heads, N, N));
    }

    private static Map<String, LayerCost> byName(Profile p) {
        Map<String, LayerCost> m = new HashMap<>();
        for (LayerCost c : p.layers()) m.put(c.name(), c);
        return m;
    }

    @Test
    void lmuFormerByHand() {
        Profile p = ModelProfiler.profile(small("lmu_rnn_conv1d", 2), N, Energy.DEFAULT);
        Map<String, LayerCost> c = byName(p);
        // conv: N·O·I·K; linear: N·O·I; Toeplitz memory: N(N+1)/2·D; head once: O·I
        assertEquals(6 * 8 * 4 * 3, c.get("patch_embed.conv_layers.0.0").parallel().denseMacs());
        assertEquals(6 * 8 * 8 * 3, c.get("patch_embed.conv_layers.3.0").parallel().denseMacs());
        assertEquals(6 * 8 * 8 * 3, c.get("patch_embed.rpe_conv").parallel().denseMacs());
        assertEquals(6 * 1 * 8, c.get("block.0.attn.lmu.W_u").parallel().denseMacs());
        assertEquals(21 * 8, c.get("block.0.attn.lmu.memory").parallel().denseMacs());
        assertEquals(6 * 8 * 16, c.get("block.0.attn.lmu.W_h").parallel().denseMacs());
        assertEquals(6 * 8 * 8, c.get("block.0.attn.proj_conv").parallel().denseMacs());
        assertEquals(6 * 32 * 8, c.get("block.0.mlp.fc1_conv").parallel().denseMacs());
        assertEquals(6 * 8 * 32, c.get("block.0.mlp.fc2_conv").parallel().denseMacs());
        assertEquals(3 * 8, c.get("head").parallel().denseMacs());
        assertEquals(576 + 4 * 1152 + 48 + 168 + 768 + 384 + 2 * 1536 + 24, p.parallel().macs());
        assertEquals(p.parallel().macs(), p.parallel().denseMacs());
        assertEquals(0, p.parallel().acs());
        assertEquals(2 * p.parallel().macs(), p.parallel().flops());
        // per frame: conv O·I·K, linear O·I, recurrence D² + D, head O·I
        assertEquals(96 + 4 * 192 + 8 + 72 + 128 + 64 + 2 * 256 + 24, p.perFrame().macs());
        // element-wise per sequence: 4 ReLU + 4 BN + 1 add (N·C each), ReLU f_u (N), ReLU f_h, proj_bn, add,
        // fc1_bn, GELU (N·4C each), fc2_bn, ReLU, add, mean
        assertEquals(6L * (9 * 8 + 1 + 3 * 8 + 2 * 32 + 4 * 8), p.parallel().elementwise());
        assertTrue(p.neurons().isEmpty());
        // FFT: L = 16, (1 + D)·L·log2(L/2) + 4·D·(L/2 + 1)
        MemoryCost m = p.memories().get(0);
        assertEquals(9 * 16 * 3 + 4 * 8 * 9, m.fftMacs());
        assertEquals(72, m.recurrencePerFrame());
        assertEquals("TOEPLITZ", m.engineMethod());
        Footprint fp = p.footprint();
        assertTrue(fp.causal());
        assertEquals(5, fp.lookAheadFrames());
        assertEquals(50.0, fp.lookAheadMs());
        // state: conv history 2·4 + 4·2·8, memory 8, running mean 8
        assertEquals(8 + 64 + 8 + 8, fp.stateFloats());
    }

    @Test
    void fftCostAtPsmnistLength() {
        MemoryCost m = ModelProfiler.memoryCost("m", 468, 784);
        assertEquals("FFT", m.engineMethod());
        assertEquals(469L * 2048 * 10 + 4L * 468 * 1025, m.fftMacs());
        assertEquals(784L * 785 / 2 * 468, m.toeplitzMacs());
    }

    @Test
    void spikingLmuFormerByHandWithoutInputs() {
        Profile p = ModelProfiler.profile(small("slmu_rnn_ms_conv1d", 2), N, Energy.DEFAULT);
        // only the first convolution (real features) and the head (mean of spikes) multiply
        assertEquals(576 + 24, p.parallel().macs());
        long dense = 576 + 4 * 1152 + 48 + 21 * 16 + 6 * 8 * 24 + 384 + 2 * 1536 + 24;
        assertEquals(dense, p.parallel().denseMacs());
        assertEquals(dense - 600, p.parallel().acs(), "unmeasured: every neuron fires");
        assertEquals((dense - 600.0) / dense, p.parallel().accumulateShare(), 1e-12);
        assertEquals(11, p.neurons().size());
        assertNull(p.neurons().get(0).firingRate());
        // energy = MACs·E_MAC + ACs·E_AC
        assertEquals(600 * 4.6 + (dense - 600) * 0.9, Energy.DEFAULT.picojoules(p.parallel()), 1e-6);
        // state: conv history 2·4 + 4·2·8, memory 16, membranes 4·8 + 8 + 1 + 16 + 8 + 8 + 32 + 8, running mean 8
        assertEquals(8 + 64 + 16 + (32 + 8 + 1 + 16 + 8 + 8 + 32 + 8) + 8, p.footprint().stateFloats());
    }

    @Test
    void attentionIsTwoNSquaredCAndNotCausal() {
        Profile p = ModelProfiler.profile(small("attn_ms_conv1d", 2), N, Energy.DEFAULT);
        LayerCost a = byName(p).get("block.0.attn.attention");
        assertEquals(2L * 6 * 6 * 8, a.parallel().denseMacs());
        assertEquals(a.parallel().denseMacs(), a.parallel().acs(), "q, k, v are spikes");
        assertEquals("8 channels, 2 heads", a.shape());
        assertNull(a.perFrame());
        assertNull(p.perFrame());
        assertFalse(p.footprint().causal());
        assertNull(p.footprint().stateFloats());
        assertEquals(6 * 8 * 8, byName(p).get("block.0.attn.q_conv").parallel().acs());
    }

    /** Measured synaptic operations equal Σ spikes × fan-out counted from the neurons' outputs. */
    @Test
    void synapticOperationsAreSpikesTimesFanOut() {
        for (String arch : List.of("slmu_rnn_ms_conv1d", "slmu_rnn_conv1d", "attn_ms_conv1d")) {
            SequenceModel model = small(arch, 2);
            Init.pytorchDefault(model, 7);
            int batch = 3;
            float[] x = new float[batch * N * F];
            SplittableRandom rnd = new SplittableRandom(3);
            for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextGaussian() * 2);
            Profile p = ModelProfiler.profile(model, x, batch, N, batch, true, Energy.DEFAULT); // one chunk: outputs stay
            int checked = 0;
            for (ForwardStep l : model.steps()) {
                if (l.kind() != ForwardStep.Kind.CONV && l.kind() != ForwardStep.Kind.LINEAR) continue;
                double expected = 0;
                boolean spiking = false;
                for (Signal s : l.input()) {
                    if (!s.spiking()) continue;
                    spiking = true;
                    long fanOut = (long) l.out() * l.kernel();
                    for (Lif lif : s.spikes()) expected += spikeCount(lif, batch * N * s.width()) * fanOut / batch;
                }
                if (!spiking) continue;
                double measured = byName(p).get(l.name()).parallel().acs();
                assertEquals(expected, measured, 1e-9 * Math.max(1, expected), arch + " " + l.name());
                checked++;
            }
            assertTrue(checked >= 8, arch + ": " + checked + " spike-driven layers");
            assertTrue(p.parallel().acs() > 0, arch + ": some spikes");
        }
    }

    private static double spikeCount(Lif lif, int n) {
        float[] s = lif.output();
        double sum = 0;
        for (int i = 0; i < n; i++) sum += s[i];
        return sum;
    }
}
