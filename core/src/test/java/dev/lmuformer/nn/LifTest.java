package dev.lmuformer.nn;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The LIF neuron by hand: charge, fire, hard reset, and the surrogate gradient through time. */
@Tag("kernels")
class LifTest {

    @Test
    void chargesFiresAndResetsPerNeuronAlongFrames() {
        // one sample, 4 frames, 2 channels; channel 0 gets 1.2 every frame, channel 1 gets 3.0 once
        float[] x = {1.2f, 3.0f, 1.2f, 0f, 1.2f, 0f, 1.2f, 0f};
        Lif lif = new Lif(1.0);
        float[] s = lif.forward(x, 1, 4, 2);
        // channel 0: h = 0.6, 0.9, 1.05 (fires, v = 0), 0.6 ; channel 1: h = 1.5 (fires), 0, 0, 0
        assertArrayEquals(new float[] {0, 1, 0, 0, 1, 0, 0, 0}, s);
        assertEquals(2.0 / 8, lif.firingRate(), 1e-12);
    }

    @Test
    void surrogateGradientFlowsBackThroughTheMembrane() {
        float[] x = {0.4f, 0.4f}; // one neuron, two frames: h0 = 0.2, h1 = 0.1 + 0.2 = 0.3, no spikes
        Lif lif = new Lif(1.0);
        lif.forward(x, 1, 2, 1);
        float[] dx = new float[2];
        lif.backward(new float[] {0f, 1f}, dx);
        double h1 = 0.3, sg = 1 / (1 + Math.exp(-4 * (h1 - 1)));
        double dh1 = 4 * sg * (1 - sg);
        assertEquals(dh1 / 2, dx[1], 1e-6, "dL/dx1 = dL/dh1 / tau");
        assertEquals(dh1 * 0.5 / 2, dx[0], 1e-6, "dL/dx0 = dL/dh1 · (1 − 1/tau) / tau");
    }

    @Test
    void resetIsDetachedFromTheGradient() {
        float[] x = {2.4f, 0f}; // fires at frame 0 (h0 = 1.2), then v = 0 and h1 = 0
        Lif lif = new Lif(1.0);
        lif.forward(x, 1, 2, 1);
        float[] dx = new float[2];
        lif.backward(new float[] {0f, 1f}, dx);
        // the path h1 ← v0 = h0·(1 − s0) carries nothing after a spike
        assertEquals(0f, dx[0]);
    }
}
