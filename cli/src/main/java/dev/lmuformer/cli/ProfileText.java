package dev.lmuformer.cli;

import dev.lmuformer.profile.Energy;
import dev.lmuformer.profile.Footprint;
import dev.lmuformer.profile.LayerCost;
import dev.lmuformer.profile.MemoryCost;
import dev.lmuformer.profile.ModuleParameters;
import dev.lmuformer.profile.NeuronRate;
import dev.lmuformer.profile.OpCount;
import dev.lmuformer.profile.Profile;

import java.io.PrintWriter;

/** The text form of a {@link Profile}: parameter, operation, neuron, energy and streaming sections. */
final class ProfileText {
    private ProfileText() {
    }

    static void print(PrintWriter out, Profile p, String model, String inputs) {
        out.printf("%s (%s), N = %d frames%n", p.arch(), model, p.frames());
        out.println(inputs == null
                ? "inputs: none: firing rates not measured; spike-driven operations assume every neuron fires at every frame"
                : "inputs: " + inputs + " (" + (p.training() ? "training" : "evaluation") + " mode)");
        out.printf("%nparameters: %,d trainable, %,d buffer values%n", p.trainable(), p.buffers());
        out.printf("  %-40s %12s %10s%n", "module", "trainable", "buffers");
        for (ModuleParameters m : p.modules()) out.printf("  %-40s %,12d %,10d%n", m.module(), m.trainable(), m.buffers());
        out.printf("%noperations: per inference (parallel) and per frame (streaming); ACs are spike-driven accumulations%n");
        out.printf("  %-32s %-22s %14s %14s %11s %11s %7s%n", "layer", "shape", "MACs", "ACs", "MACs/frame", "ACs/frame", "in rate");
        for (LayerCost c : p.layers()) {
            if (c.parallel().denseMacs() == 0) continue;
            OpCount f = c.perFrame();
            out.printf("  %-32s %-22s %,14.0f %,14.0f %11s %11s %7s%n", c.name(), c.shape(), c.parallel().macs(), c.parallel().acs(),
                    f == null ? "-" : String.format("%,.0f", f.macs()), f == null ? "-" : String.format("%,.0f", f.acs()),
                    c.inputRate() == null ? "" : String.format("%.4f", c.inputRate()));
        }
        OpCount t = p.parallel();
        OpCount f = p.perFrame();
        out.printf("  %-32s %-22s %,14.0f %,14.0f %11s %11s%n", "total", "", t.macs(), t.acs(),
                f == null ? "-" : String.format("%,.0f", f.macs()), f == null ? "-" : String.format("%,.0f", f.acs()));
        out.printf("  FLOPs (2 x MACs) %,.0f; dense MACs %,d; share of MACs replaced by accumulations %.1f %%; element-wise ops %,d%n",
                t.flops(), t.denseMacs(), 100 * t.accumulateShare(), t.elementwise());
        for (MemoryCost m : p.memories()) {
            out.printf("  %s (D %d): Toeplitz %,d, FFT %,d per inference, recurrence %,d per frame; the engine uses %s at N = %d%n",
                    m.name(), m.size(), m.toeplitzMacs(), m.fftMacs(), m.recurrencePerFrame(), m.engineMethod().toLowerCase(), m.frames());
        }
        if (!p.neurons().isEmpty()) {
            out.printf("%nneurons%s%n", p.measured() ? "" : " (no inputs: firing rates not measured)");
            out.printf("  %-32s %8s %5s %10s%n", "layer", "channels", "v_th", "rate");
            for (NeuronRate n : p.neurons()) {
                out.printf("  %-32s %8d %5.2f %10s%n", n.name(), n.channels(), n.threshold(),
                        n.firingRate() == null ? "-" : String.format("%.4f", n.firingRate()));
            }
        }
        Energy e = p.energy();
        out.printf("%nenergy (estimate, E_MAC %.2f pJ, E_AC %.2f pJ): %.2f uJ per inference (%.2f uJ if every operation were a MAC)",
                e.macPj(), e.acPj(), e.picojoules(t) * 1e-6, e.densePicojoules(t) * 1e-6);
        out.println(f == null ? "" : String.format(", %.4f uJ per frame", e.picojoules(f) * 1e-6));
        out.println("  " + Energy.ASSUMPTIONS);
        Footprint fp = p.footprint();
        out.println();
        out.println(fp.causal()
                ? String.format("streaming: look-ahead %d frames (%.0f ms at %.0f ms per frame); state per stream %,d floats (%,d bytes)",
                fp.lookAheadFrames(), fp.lookAheadMs(), dev.lmuformer.profile.ModelProfiler.FRAME_MS, fp.stateFloats(), fp.stateBytes())
                : "streaming: not causal (self-attention sees the whole sequence): no frame-by-frame streaming");
        out.printf("memory: weights %,d bytes, buffers %,d bytes (float32)%n", fp.weightBytes(), fp.bufferBytes());
    }
}
