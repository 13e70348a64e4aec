package dev.lmuformer.stream;

import dev.lmuformer.engine.Kernels;
import dev.lmuformer.model.PsmnistLmu;
import dev.lmuformer.model.PsmnistSlmu;
import dev.lmuformer.model.StateDict;
import dev.lmuformer.nn.Lif;
import dev.lmuformer.stream.StreamLayers.FrameLinear;
import dev.lmuformer.stream.StreamLayers.Lmu;
import dev.lmuformer.stream.StreamLayers.Norm;

import java.util.Arrays;
import java.util.List;

/**
 * Streaming inference for the psMNIST models of the authors' notebook (REFERENCE §4), one pixel
 * per step, O(1) work per pixel:
 * <ul>
 * <li>{@code psmnist_lmu}: conv1 (1→3, k=1) → bn1 → LMU cell (ReLU) → the running mean of h →
 *     classifier; the output at pixel t is the model's readout had the sequence ended there;</li>
 * <li>{@code psmnist_slmu}: spiking LMU cell (u = LIF(W_u x), h = LIF(W_h [m ; x]), membranes
 *     carried from pixel to pixel) → classifier of the current h (its readout is h at the last
 *     step); the classifier reads spikes and adds the weight rows of the active ones.</li>
 * </ul>
 * Both are causal and have no convolution wider than a pixel: no look-ahead, the output for pixel t
 * comes with pixel t, and at the last pixel it is the evaluation logits. The memory runs as its
 * recurrence {@code m_t = Ā m_{t−1} + B̄ u_t}; batch norms use their running statistics.
 */
public final class PsmnistStream extends StatefulStream<PsmnistStream.State> {
    private static final float V_TH = 1f;

    private final boolean spiking;
    private final FrameLinear expand;     // conv1 as a 1 → 3 product; null when spiking
    private final Norm expandNorm;  // bn1; null when spiking
    private final FrameLinear wU;
    private final FrameLinear wH;
    private final Lmu lmu;
    private final FrameLinear classifier;
    private final Kernels k = Kernels.get();

    /** Prepares the weights and running statistics of a {@code psmnist_lmu} model (copied). */
    public PsmnistStream(PsmnistLmu model) {
        this(model.state(), false);
    }

    /** Prepares the weights of a {@code psmnist_slmu} model (copied). */
    public PsmnistStream(PsmnistSlmu model) {
        this(model.state(), true);
    }

    private PsmnistStream(StateDict st, boolean spiking) {
        this.spiking = spiking;
        expand = spiking ? null : StreamLayers.linear(st, "conv1");
        expandNorm = spiking ? null : StreamLayers.norm(st, "bn1");
        wU = StreamLayers.linear(st, "lmu_fft.W_u");
        wH = StreamLayers.linear(st, "lmu_fft.W_h");
        lmu = StreamLayers.lmu(st, "lmu_fft");
        classifier = StreamLayers.linear(st, "classifier");
    }

    /** The state of one stream, all allocated here so that {@link #step} allocates nothing. */
    public static final class State extends StatefulStream.Progress {
        private final float[] input;   // (I) the cell's input
        private final float[] drive = new float[1];
        private final float[] uV = new float[1];
        private final float[] m;       // (D) the memory
        private final float[] next;    // (D) scratch of the recurrence
        private final float[] cat;     // (D + I) [m ; x], the input of W_h
        private final float[] h;       // (Hd)
        private final float[] hV;      // (Hd)
        private final float[] membrane; // pre-reset membranes (unused; Lif.step writes them)
        private final double[] sum;    // (Hd) the running sum of h
        private final float[] pooled;  // (Hd)
        private final float[] logits;

        private State(PsmnistStream p) {
            int d = p.lmu.memory(), hd = p.wH.out();
            input = new float[p.wU.in()];
            m = new float[d];
            next = new float[d];
            cat = new float[d + p.wU.in()];
            h = new float[hd];
            hV = new float[hd];
            membrane = new float[hd];
            sum = new double[hd];
            pooled = new float[hd];
            logits = new float[p.classifier.out()];
        }
    }

    /** psMNIST's readout is the mean of h over every pixel (or the last h): it has no window; {@code readoutWindow} must be 0. */
    @Override
    public State newState(int readoutWindow) {
        if (readoutWindow != 0) throw new IllegalArgumentException("the psMNIST models have no windowed readout, got window " + readoutWindow);
        return new State(this);
    }

    @Override
    void clear(State s) {
        s.uV[0] = 0f;
        Arrays.fill(s.m, 0f);
        Arrays.fill(s.hV, 0f);
        Arrays.fill(s.sum, 0.0);
    }

    /** No look-ahead: the output for pixel t comes with pixel t. */
    @Override
    public int lookAhead() {
        return 0;
    }

    /** One pixel per step. */
    @Override
    public int inputFeatures() {
        return 1;
    }

    @Override
    public int numClasses() {
        return classifier.out();
    }

    @Override
    float[] advance(State s, float[] frame, int offset) {
        float[] x = s.input;
        if (spiking) {
            x[0] = frame[offset];
        } else {
            StreamLayers.product(k, expand, frame, offset, x, false);
            k.scaleShift(x.length, x, 0, expandNorm.scale(), expandNorm.shift(), x, 0);
        }
        StreamLayers.product(k, wU, x, 0, s.drive, false);
        if (spiking) {
            Lif.step(1, V_TH, s.drive, 0, s.uV, 0, s.membrane, 0, s.drive, 0);
        } else {
            s.drive[0] = Math.max(s.drive[0], 0f);
        }
        StreamLayers.advance(k, lmu, s.m, s.drive[0], s.next);
        int d = lmu.memory();
        System.arraycopy(s.m, 0, s.cat, 0, d);
        System.arraycopy(x, 0, s.cat, d, x.length);
        StreamLayers.product(k, wH, s.cat, 0, s.h, false);
        int hd = s.h.length;
        long t = ++s.emitted;
        if (spiking) {
            Lif.step(hd, V_TH, s.h, 0, s.hV, 0, s.membrane, 0, s.h, 0);
            StreamLayers.product(k, classifier, s.h, 0, s.logits, true);
        } else {
            for (int j = 0; j < hd; j++) {
                s.sum[j] += Math.max(s.h[j], 0f);
                s.pooled[j] = (float) (s.sum[j] / t);
            }
            StreamLayers.product(k, classifier, s.pooled, 0, s.logits, false);
        }
        return s.logits;
    }

    /** Nothing is pending at the end: every pixel's output came with it. */
    @Override
    List<float[]> drain(State s) {
        return List.of();
    }
}
