package dev.lmuformer.profile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's measured cost: parameters, operations per inference and per streamed frame, firing
 * rates, an energy estimate and the streaming footprint. Built by {@link ModelProfiler}.
 *
 * @param arch      registry name
 * @param frames    sequence length N the operations are counted for
 * @param sequences input sequences the firing rates were measured on (0: none; spike-driven operations then assume every neuron fires)
 * @param training  whether the measuring forward passes ran in training mode (batch statistics)
 * @param trainable trainable parameters
 * @param buffers   buffer values
 * @param modules   parameters per module, in state_dict order
 * @param layers    cost per step of the forward pass
 * @param memories  the LMU memories by Toeplitz product, FFT and recurrence
 * @param parallel  totals per inference, parallel mode
 * @param perFrame  totals per frame, streaming mode; null when the model is not causal
 * @param neurons   every neuron layer with its firing rate (empty for non-spiking models)
 * @param energy    the per-operation energies used
 * @param footprint look-ahead and memory
 */
public record Profile(String arch, int frames, int sequences, boolean training, long trainable, long buffers,
                      List<ModuleParameters> modules, List<LayerCost> layers, List<MemoryCost> memories,
                      OpCount parallel, OpCount perFrame, List<NeuronRate> neurons, Energy energy, Footprint footprint) {

    /** Copies the lists. */
    public Profile {
        modules = List.copyOf(modules);
        layers = List.copyOf(layers);
        memories = List.copyOf(memories);
        neurons = List.copyOf(neurons);
    }

    /** True when firing rates were measured on inputs. */
    public boolean measured() {
        return sequences > 0;
    }

    /** The profile as nested maps and lists of numbers and strings, for JSON. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("arch", arch);
        m.put("frames", frames);
        m.put("sequences", sequences);
        m.put("mode", training ? "train" : "eval");
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("trainable", trainable);
        p.put("buffers", buffers);
        List<Object> mods = new ArrayList<>();
        for (ModuleParameters mp : modules) mods.add(map("module", mp.module(), "trainable", mp.trainable(), "buffers", mp.buffers()));
        p.put("modules", mods);
        m.put("parameters", p);
        List<Object> ls = new ArrayList<>();
        for (LayerCost c : layers) {
            Map<String, Object> l = map("name", c.name(), "kind", c.kind().name().toLowerCase(), "shape", c.shape(),
                    "parallel", counts(c.parallel()), "perFrame", c.perFrame() == null ? null : counts(c.perFrame()));
            if (c.inputRate() != null) l.put("inputRate", c.inputRate());
            ls.add(l);
        }
        m.put("layers", ls);
        List<Object> mems = new ArrayList<>();
        for (MemoryCost c : memories) {
            mems.add(map("name", c.name(), "size", c.size(), "frames", c.frames(), "engineMethod", c.engineMethod(),
                    "toeplitzMacs", c.toeplitzMacs(), "fftMacs", c.fftMacs(), "recurrenceMacsPerFrame", c.recurrencePerFrame()));
        }
        m.put("lmuMemory", mems);
        m.put("parallel", counts(parallel));
        m.put("perFrame", perFrame == null ? null : counts(perFrame));
        List<Object> ns = new ArrayList<>();
        for (NeuronRate n : neurons) ns.add(map("name", n.name(), "channels", n.channels(), "threshold", n.threshold(), "firingRate", n.firingRate()));
        m.put("neurons", ns);
        Map<String, Object> e = map("eMacPj", energy.macPj(), "eAcPj", energy.acPj(),
                "perInferenceUj", energy.picojoules(parallel) * 1e-6, "denseEquivalentUj", energy.densePicojoules(parallel) * 1e-6);
        e.put("perFrameUj", perFrame == null ? null : energy.picojoules(perFrame) * 1e-6);
        e.put("assumptions", Energy.ASSUMPTIONS);
        m.put("energy", e);
        m.put("streaming", map("causal", footprint.causal(), "lookAheadFrames", footprint.causal() ? footprint.lookAheadFrames() : null,
                "lookAheadMs", footprint.causal() ? footprint.lookAheadMs() : null, "weightBytes", footprint.weightBytes(),
                "bufferBytes", footprint.bufferBytes(), "stateFloats", footprint.stateFloats(), "stateBytes", footprint.stateBytes()));
        return m;
    }

    private static Map<String, Object> counts(OpCount c) {
        return map("denseMacs", c.denseMacs(), "macs", c.macs(), "acs", c.acs(), "flops", c.flops(),
                "accumulateShare", c.accumulateShare(), "elementwise", c.elementwise());
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }
}
