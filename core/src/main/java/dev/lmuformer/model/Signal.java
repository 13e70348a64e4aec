package dev.lmuformer.model;

import dev.lmuformer.nn.Lif;

import java.util.ArrayList;
import java.util.List;

/**
 * What a layer reads, as the profiler sees it: {@code width} channels per frame that are either
 * real-valued ({@code spikes} empty) or the element-wise sum of the spike outputs of the listed
 * neuron layers (binary for one neuron; small non-negative integers after a residual sum of spikes).
 *
 * @param width  channels per frame
 * @param spikes the neuron layers whose spikes add up to this signal; empty when real-valued
 */
public record Signal(int width, List<Lif> spikes) {

    /** Copies the neuron list. */
    public Signal {
        spikes = List.copyOf(spikes);
    }

    /** A real-valued signal. */
    public static Signal real(int width) {
        return new Signal(width, List.of());
    }

    /** The spikes of one neuron layer. */
    public static Signal spikes(Lif lif, int width) {
        return new Signal(width, List.of(lif));
    }

    /** True when the signal is made of spikes only (so a layer reading it needs no multiplications). */
    public boolean spiking() {
        return !spikes.isEmpty();
    }

    /** The element-wise sum of two signals of equal width: spiking when both are. */
    public Signal plus(Signal other) {
        if (other.width != width) throw new IllegalArgumentException("widths differ: " + width + " and " + other.width);
        if (!spiking() || !other.spiking()) return real(width);
        List<Lif> all = new ArrayList<>(spikes);
        all.addAll(other.spikes);
        return new Signal(width, all);
    }
}
