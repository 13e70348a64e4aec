package dev.lmuformer.profile;

import dev.lmuformer.nn.CausalConvolution;
import dev.lmuformer.model.ForwardStep;
import dev.lmuformer.model.SequenceModel;
import dev.lmuformer.model.Signal;
import dev.lmuformer.model.StateDict;
import dev.lmuformer.nn.Lif;
import dev.lmuformer.nn.LmuMemory;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts a model's cost by walking {@link SequenceModel#steps()}, and measures its firing rates
 * on inputs. Conventions, per sequence of N frames (per frame in streaming mode: the same without
 * the factor N):
 * <ul>
 * <li>Conv1d (I→O, kernel K): N·O·I·K MACs, the direct form (the engine computes K = 3 by
 *     Winograd F(4,3), about half the multiplications; bias additions are not counted);</li>
 * <li>Linear (I→O): N·O·I; the readout head once per sequence (the engine averages the features
 *     first, the reference applies the head at every frame), once per frame when streaming;</li>
 * <li>LMU memory of size D: parallel, the causal Toeplitz product N·(N+1)/2·D or the FFT
 *     (1 + D)·L·log2(L/2) + 4·D·(L/2+1) with L the FFT length ≥ 2N (radix-2 butterflies of the
 *     half-length complex transform at 4 MACs each, plus the spectral products), whichever the
 *     engine uses at that length ({@link LmuMemory.Method#fastest}); streaming, the recurrence
 *     {@code m_t = Ā m_{t−1} + B̄ u_t}, D² + D per frame;</li>
 * <li>spiking self-attention {@code (q kᵀ) v}: 2·N²·d per head in the reference's order, 2·N²·C in
 *     all (the engine computes {@code q (kᵀ v)}, 2·N·d·C); not causal, so no streaming cost;</li>
 * <li>batch norm, ReLU, GELU, LIF, residual sums, the attention scale and the mean over frames:
 *     one element-wise operation per element, not MACs; a token embedding is a lookup, no operation.</li>
 * </ul>
 * A product whose input is spikes needs no multiplication: it is an accumulation (AC), and the
 * synaptic operations are Σ input spikes × fan-out (O·K for a convolution's input channel, O for
 * a linear layer's, D·(N − t) for the memory's drive u_t, N for a spike of k or v in attention).
 * Summed over the inputs this is (mean spike count per input element) × dense MACs, which is how
 * it is computed from the measured firing rates (exact for convolutions and linear layers; for the
 * memory it assumes the drive's spikes are spread evenly over the frames); a residual sum of
 * spikes counts each spike. The
 * first layer, which reads real-valued features, stays MAC, as does the FFT form of the memory.
 * FLOPs = 2 × MACs. Without inputs every neuron is assumed to fire at every frame (an upper bound).
 */
public final class ModelProfiler {
    /** Frame period of the Speech Commands front end (10 ms shift). */
    public static final double FRAME_MS = 10;

    private ModelProfiler() {
    }

    /** The profile without inputs, for sequences of {@code frames}: no firing rates. */
    public static Profile profile(SequenceModel model, int frames, Energy energy) {
        return build(model, frames, 0, false, Map.of(), energy);
    }

    /**
     * The profile with firing rates measured on {@code x [sequences, frames, F]}, run through the
     * model {@code chunk} sequences at a time (training mode uses each chunk's batch statistics).
     */
    public static Profile profile(SequenceModel model, float[] x, int sequences, int frames, int chunk, boolean training, Energy energy) {
        int f = model.inputFeatures();
        if (sequences < 1 || frames < 1 || chunk < 1) throw new IllegalArgumentException("need at least one sequence, frame and chunk");
        if (x.length != (long) sequences * frames * f) {
            throw new IllegalArgumentException("input has " + x.length + " values, expected " + sequences + "×" + frames + "×" + f);
        }
        List<ForwardStep> layers = model.steps();
        Map<Lif, Double> sums = new IdentityHashMap<>();
        for (int start = 0; start < sequences; start += chunk) {
            int b = Math.min(chunk, sequences - start);
            float[] part = java.util.Arrays.copyOfRange(x, start * frames * f, (start + b) * frames * f);
            model.forward(part, b, frames, training);
            for (ForwardStep l : layers) {
                if (l.kind() == ForwardStep.Kind.LIF) sums.merge(l.neuron(), l.neuron().firingRate() * b, Double::sum);
            }
        }
        Map<Lif, Double> rates = new IdentityHashMap<>();
        sums.forEach((lif, s) -> rates.put(lif, s / sequences));
        return build(model, frames, sequences, training, rates, energy);
    }

    private static Profile build(SequenceModel model, int frames, int sequences, boolean training, Map<Lif, Double> rates, Energy energy) {
        List<LayerCost> costs = new ArrayList<>();
        List<MemoryCost> memories = new ArrayList<>();
        List<NeuronRate> neurons = new ArrayList<>();
        OpCount parallel = OpCount.ZERO;
        OpCount perFrame = OpCount.ZERO;
        boolean causal = true;
        int lookAhead = 0;
        long state = 0;
        Counter counter = new Counter(frames, rates);
        for (ForwardStep l : model.steps()) {
            LayerCost c = counter.cost(l);
            costs.add(c);
            parallel = parallel.plus(c.parallel());
            if (c.perFrame() == null) causal = false;
            else perFrame = perFrame.plus(c.perFrame());
            switch (l.kind()) {
                case CONV -> {
                    lookAhead += (l.kernel() - 1) / 2;
                    state += (long) (l.kernel() - 1) * l.in();
                }
                case LMU_MEMORY -> {
                    state += l.out();
                    memories.add(memoryCost(l.name(), l.out(), frames));
                }
                case LIF -> {
                    state += l.out();
                    neurons.add(new NeuronRate(l.name(), l.out(), l.neuron().threshold(), rates.get(l.neuron())));
                }
                case MEAN -> state += l.out();
                default -> {
                }
            }
        }
        StateDict sd = model.state();
        long trainable = 0, buffers = 0;
        Map<String, long[]> byModule = new LinkedHashMap<>();
        for (StateDict.Entry e : sd.entries().values()) {
            long n = 1;
            for (int d : e.shape()) n *= d;
            String module = e.name().substring(0, Math.max(0, e.name().lastIndexOf('.')));
            byModule.computeIfAbsent(module, k -> new long[2])[e.trainable() ? 0 : 1] += n;
            if (e.trainable()) trainable += n;
            else buffers += n;
        }
        List<ModuleParameters> modules = new ArrayList<>();
        byModule.forEach((k, v) -> modules.add(new ModuleParameters(k, v[0], v[1])));
        Footprint footprint = new Footprint(causal, lookAhead, lookAhead * FRAME_MS, 4 * trainable, 4 * buffers, causal ? state : null);
        return new Profile(model.arch(), frames, sequences, training, trainable, buffers, modules, costs, memories,
                parallel, causal ? perFrame : null, neurons, energy, footprint);
    }

    /** The Toeplitz, FFT and recurrence costs of a memory of size d over n frames. */
    static MemoryCost memoryCost(String name, int d, int n) {
        long len = CausalConvolution.convolutionLength(n);
        long log = 63 - Long.numberOfLeadingZeros(len / 2);
        long fft = (1 + (long) d) * len * log + 4L * d * (len / 2 + 1);
        return new MemoryCost(name, d, n, LmuMemory.Method.fastest(n).name(), (long) n * (n + 1) / 2 * d, fft, (long) d * d + d);
    }

    /** Per-layer counting for one sequence length and one set of firing rates. */
    private record Counter(int frames, Map<Lif, Double> rates) {
        LayerCost cost(ForwardStep l) {
            long n = frames;
            return switch (l.kind()) {
                case CONV -> products(l, n * l.out() * l.kernel(), (long) l.out() * l.kernel());
                case LINEAR -> products(l, n * l.out(), l.out());
                case HEAD -> products(l, l.out(), l.out());
                case LMU_MEMORY -> memory(l);
                case ATTENTION -> attention(l);
                case EMBEDDING -> new LayerCost(l.name(), l.kind(), l.in() + "→" + l.out(), OpCount.ZERO, OpCount.ZERO, null);
                default -> new LayerCost(l.name(), l.kind(), l.in() + "", elementwise(n * l.out()), elementwise(l.out()), null);
            };
        }

        /** Weight products: per input channel {@code perChannel} MACs per sequence and {@code perChannelFrame} per frame. */
        private LayerCost products(ForwardStep l, long perChannel, long perChannelFrame) {
            long dense = 0, denseFrame = 0;
            double macs = 0, acs = 0, macsFrame = 0, acsFrame = 0, spikingDense = 0;
            for (Signal s : l.input()) {
                long d = perChannel * s.width(), df = perChannelFrame * s.width();
                dense += d;
                denseFrame += df;
                if (s.spiking()) {
                    double r = meanSpikes(s);
                    acs += r * d;
                    acsFrame += r * df;
                    spikingDense += d;
                } else {
                    macs += d;
                    macsFrame += df;
                }
            }
            String shape = l.in() + "→" + l.out() + (l.kind() == ForwardStep.Kind.CONV ? " k" + l.kernel() : "");
            return new LayerCost(l.name(), l.kind(), shape, new OpCount(dense, macs, acs, 0),
                    new OpCount(denseFrame, macsFrame, acsFrame, 0), spikingDense == 0 ? null : measuredRate(acs / spikingDense));
        }

        private LayerCost memory(ForwardStep l) {
            int d = l.out();
            MemoryCost c = memoryCost(l.name(), d, frames);
            Signal u = l.input().get(0);
            boolean toeplitz = c.engineMethod().equals(LmuMemory.Method.TOEPLITZ.name());
            long dense = toeplitz ? c.toeplitzMacs() : c.fftMacs();
            double r = u.spiking() ? meanSpikes(u) : 0;
            OpCount parallel = toeplitz && u.spiking() ? new OpCount(dense, 0, r * dense, 0) : new OpCount(dense, dense, 0, 0);
            long square = (long) d * d; // Ā m_{t−1} reads the real-valued memory; B̄ u_t reads the drive
            OpCount frame = u.spiking() ? new OpCount(square + d, square, r * d, 0) : new OpCount(square + d, square + d, 0, 0);
            return new LayerCost(l.name(), l.kind(), "D " + d + ", " + c.engineMethod().toLowerCase(), parallel, frame,
                    u.spiking() ? measuredRate(r) : null);
        }

        private LayerCost attention(ForwardStep l) {
            long n = frames;
            int c = l.out();
            long dense = 2 * n * n * c;
            Signal k = l.input().get(1), v = l.input().get(2);
            String shape = c + " channels, " + l.heads() + " heads";
            if (!k.spiking() || !v.spiking()) {
                return new LayerCost(l.name(), l.kind(), shape, new OpCount(dense, dense, 0, n * c), null, null);
            }
            double r = (meanSpikes(k) + meanSpikes(v)) / 2;
            return new LayerCost(l.name(), l.kind(), shape, new OpCount(dense, 0, r * dense, n * c), null, measuredRate(r));
        }

        /** Mean spike count per element of a spiking signal; 1 per neuron layer when not measured. */
        private double meanSpikes(Signal s) {
            double r = 0;
            for (Lif lif : s.spikes()) r += rates.getOrDefault(lif, 1.0);
            return r;
        }

        private Double measuredRate(double r) {
            return rates.isEmpty() ? null : r;
        }

        private static OpCount elementwise(long n) {
            return new OpCount(0, 0, 0, n);
        }
    }
}
