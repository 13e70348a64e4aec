package dev.lmuformer.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The context in which a model's layers build their per-frame forms ({@link FrameLayer}): how
 * products run, and the numbering of what the forms share with a stream and with a thread — the
 * per-stream states ({@link #state}), the per-thread scratch buffers ({@link #scratch}) and the
 * k=3 convolutions, where the end-of-stream padding enters ({@link #delay}).
 */
public final class FrameBuild {
    private final boolean accumulate;
    private final List<IntFunction<FrameState>> states = new ArrayList<>();
    private int scratches;
    private int delays;

    /**
     * Products over real values run as one register-blocked matrix product over the group's rows
     * ({@link dev.lmuformer.engine.Gemm}, each weight read once per group); products over spikes run
     * row by row, as sums of weight rows scaled by the inputs.
     *
     * @param accumulate products over spikes add the weight rows of the inputs that fired and skip the
     *                   rest (same bits as scaling every row: a row times 1 is the row, times 0 adds nothing)
     */
    public FrameBuild(boolean accumulate) {
        this.accumulate = accumulate;
    }

    /** Whether products over spikes add only the rows of the inputs that fired. */
    public boolean accumulate() {
        return accumulate;
    }

    /** Declares a per-stream state, made by {@code factory} (given the stream's readout window); returns its slot. */
    public int state(IntFunction<FrameState> factory) {
        states.add(factory);
        return states.size() - 1;
    }

    /** Declares a per-thread scratch buffer; returns its number for {@link FrameGroup#scratch}. */
    public int scratch() {
        return scratches++;
    }

    /** Declares a k=3 convolution: one frame of look-ahead; returns its index along the path (0 first). */
    public int delay() {
        return delays++;
    }

    /** The k=3 convolutions declared so far: the model's look-ahead in frames once all are built. */
    public int delays() {
        return delays;
    }

    /** Scratch buffers declared. */
    public int scratches() {
        return scratches;
    }

    /** A fresh stream's states, one per declared slot, with readout window {@code readoutWindow} (0: all frames). */
    public FrameState[] newStates(int readoutWindow) {
        FrameState[] s = new FrameState[states.size()];
        for (int i = 0; i < s.length; i++) s[i] = states.get(i).apply(readoutWindow);
        return s;
    }
}
