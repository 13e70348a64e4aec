package dev.lmuformer.model;

import dev.lmuformer.nn.BatchNorm1d;
import dev.lmuformer.nn.Conv1d;
import dev.lmuformer.nn.Lif;
import dev.lmuformer.nn.LmuCell;
import dev.lmuformer.nn.Linear;
import dev.lmuformer.nn.SpikingLmuCell;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Records the {@link ForwardStep} list of a model as its composition ({@link Op}) describes itself,
 * step by step in forward order, tracking what every step reads ({@link Signal}). It computes nothing.
 */
final class Structure {
    private final List<ForwardStep> steps = new ArrayList<>();

    private Structure() {
    }

    /** The steps of a model: what {@code input} records (nothing, or an embedding) and gives, then {@code body}, then {@code readout}. */
    static List<ForwardStep> of(Function<Structure, Signal> input, Op body, BiConsumer<Structure, Signal> readout) {
        Structure s = new Structure();
        readout.accept(s, body.describe(s, input.apply(s)));
        return s.steps;
    }

    /** The non-spiking cell: u = ReLU(W_u x), m = H * u, h = ReLU(W_h [m ; x]). */
    Signal cell(String p, LmuCell c, Signal x) {
        Signal u = elementwise(p + ".f_u", ForwardStep.Kind.RELU, linear(c.wU, x));
        Signal m = memory(p + ".memory", c.memorySize(), u);
        return elementwise(p + ".f_h", ForwardStep.Kind.RELU, linear(c.wH, m, x));
    }

    /** The spiking cell: u = LIF(bn_u(W_u x)), m = H * u, m' = LIF(bn_m(m)), h = LIF(bn_h(W_h [m' ; x])). */
    Signal spikingCell(String p, SpikingLmuCell c, Signal x) {
        Signal u = linear(c.wU, x);
        if (c.bnU != null) u = norm(c.bnU, u);
        u = lif(p + ".f_u", c.fU, u);
        Signal m = memory(p + ".memory", c.buffers().memorySize(), u);
        if (c.bnM != null) m = norm(c.bnM, m);
        if (c.fM != null) m = lif(p + ".f_m", c.fM, m);
        Signal h = linear(c.wH, m, x);
        if (c.bnH != null) h = norm(c.bnH, h);
        return lif(p + ".f_h", c.fH, h);
    }

    /** The mean over frames, then the head (which may read more than the mean: the two-tower combination). */
    void meanHead(Linear c, Signal x) {
        steps.add(new ForwardStep(name(c) + ".mean", ForwardStep.Kind.MEAN, x.width(), x.width(), 1, 1, List.of(x), null));
        record(new ForwardStep(name(c), ForwardStep.Kind.HEAD, c.inFeatures(), c.outFeatures(), 1, 1, List.of(Signal.real(c.inFeatures())), null));
    }

    /** The head reading the features of one frame. */
    void head(Linear c, Signal x) {
        record(new ForwardStep(name(c), ForwardStep.Kind.HEAD, c.inFeatures(), c.outFeatures(), 1, 1, List.of(x), null));
    }

    Signal conv(Conv1d c, Signal x) {
        String n = c.weight.name();
        return record(new ForwardStep(n.substring(0, n.length() - ".weight".length()), ForwardStep.Kind.CONV,
                c.inChannels(), c.outChannels(), c.kernelSize(), 1, List.of(x), null));
    }

    private Signal linear(Linear l, Signal... parts) {
        return record(new ForwardStep(name(l), ForwardStep.Kind.LINEAR, l.inFeatures(), l.outFeatures(), 1, 1, Arrays.asList(parts), null));
    }

    private Signal memory(String name, int d, Signal u) {
        return record(new ForwardStep(name, ForwardStep.Kind.LMU_MEMORY, 1, d, 1, 1, List.of(u), null));
    }

    Signal norm(BatchNorm1d bn, Signal x) {
        return record(new ForwardStep(bn.prefix(), ForwardStep.Kind.NORM, bn.channels(), bn.channels(), 1, 1, List.of(x), null));
    }

    Signal elementwise(String name, ForwardStep.Kind kind, Signal x) {
        return record(new ForwardStep(name, kind, x.width(), x.width(), 1, 1, List.of(x), null));
    }

    Signal lif(String name, Lif lif, Signal x) {
        steps.add(new ForwardStep(name, ForwardStep.Kind.LIF, x.width(), x.width(), 1, 1, List.of(x), lif));
        return Signal.spikes(lif, x.width());
    }

    /** Records a residual sum {@code a + b}. */
    Signal residual(String name, Signal a, Signal b) {
        steps.add(new ForwardStep(name, ForwardStep.Kind.ADD, a.width(), a.width(), 1, 1, List.of(a, b), null));
        return a.plus(b);
    }

    /** Records a step whose output is real-valued. */
    Signal record(ForwardStep step) {
        steps.add(step);
        return Signal.real(step.out());
    }

    private static String name(Linear l) {
        String n = l.weight.name();
        return n.substring(0, n.length() - ".weight".length());
    }
}
