package dev.lmuformer.stream;

import dev.lmuformer.model.SequenceModel;
import dev.lmuformer.nn.BatchNorm1d;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Streams whole sequences through a {@link StreamingModel}, laid out as the parallel {@code allSeqLogits}. */
final class StreamHarness {
    private StreamHarness() {
    }

    /**
     * Streams each sequence of x {@code [B, N, F]} frame by frame, then flushes: {@code [N, B, classes]}.
     * Checks on the way that nothing comes out before the look-ahead is filled and that every frame gets one output.
     */
    static float[] streamAll(StreamingModel model, float[] x, int batch, int frames) {
        int f = model.inputFeatures(), k = model.numClasses();
        float[] out = new float[frames * batch * k];
        StreamingModel.FrameStream s = model.open();
        for (int b = 0; b < batch; b++) {
            s.reset();
            int t = 0;
            for (int n = 0; n < frames; n++) {
                float[] y = s.step(x, (b * frames + n) * f);
                if (n < model.lookAhead()) assertNull(y, "no output before the look-ahead is filled");
                if (y != null) System.arraycopy(y, 0, out, (t++ * batch + b) * k, k);
            }
            for (float[] y : s.flush()) System.arraycopy(y, 0, out, (t++ * batch + b) * k, k);
            assertEquals(frames, t, "one output per frame");
            assertEquals(frames, s.emitted());
        }
        return out;
    }

    /** Gaussian values from a seed. */
    static float[] gaussian(int n, double scale, long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (rnd.nextGaussian() * scale);
        return x;
    }

    /** Gives every batch norm running statistics and an affine part that are not the identity, from a seed. */
    static void randomNorms(SequenceModel m, double gain, long seed) {
        Random rnd = new Random(seed);
        for (BatchNorm1d bn : m.state().norms()) {
            for (int c = 0; c < bn.channels(); c++) {
                bn.runningMean[c] = (float) (rnd.nextGaussian() * 0.3);
                bn.runningVar[c] = (float) (0.5 + rnd.nextDouble());
                bn.weight.data[c] = (float) (gain * (0.5 + rnd.nextDouble()));
                bn.bias.data[c] = (float) (0.5 + rnd.nextGaussian() * 0.5);
            }
        }
    }
}
