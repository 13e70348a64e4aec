package dev.lmuformer.train;

import dev.lmuformer.data.Batch;
import dev.lmuformer.data.BatchSource;
import dev.lmuformer.model.SequenceModel;

import java.util.Iterator;

/** Evaluation-mode passes over a batch source: final logits, or the streaming readout per frame. */
public final class Evaluator {
    private Evaluator() {
    }

    /** Logits and targets of every clip, in source order. */
    public record Outputs(float[] logits, float[] targets, int clips, int classes) {
        /** The metrics of these outputs. */
        public Metrics metrics() {
            return Metrics.of(logits, targets, clips, classes);
        }
    }

    /** Evaluation-mode logits for every clip of epoch 0 of the source. */
    public static Outputs run(SequenceModel model, BatchSource source) {
        int classes = model.numClasses();
        float[] logits = new float[source.size() * classes];
        float[] targets = new float[source.size() * classes];
        int at = 0;
        for (Iterator<Batch> it = source.epoch(0); it.hasNext(); ) {
            Batch b = it.next();
            int n = b.size();
            float[] out = model.forward(b.inputs().data, n, b.inputs().dim(1), false);
            System.arraycopy(out, 0, logits, at * classes, n * classes);
            System.arraycopy(b.targets().data, 0, targets, at * classes, n * classes);
            at += n;
        }
        return new Outputs(logits, targets, at, classes);
    }

    /**
     * Accuracy of the streaming readout after each frame (REFERENCE §4 "all_seq"): element t is the
     * accuracy of {@code head(mean_{j≤t} feature_j)} over all clips.
     */
    public static double[] accuracyPerFrame(SequenceModel model, BatchSource source) {
        int classes = model.numClasses();
        double[] correct = null;
        int clips = 0;
        int frames = 0;
        for (Iterator<Batch> it = source.epoch(0); it.hasNext(); ) {
            Batch b = it.next();
            int n = b.size();
            frames = b.inputs().dim(1);
            if (correct == null) correct = new double[frames];
            float[] perFrame = model.allSeqLogits(b.inputs().data, n, frames); // (N, B, classes)
            float[] targets = b.targets().data;
            for (int t = 0; t < frames; t++) {
                for (int i = 0; i < n; i++) {
                    int predicted = Metrics.argMax(perFrame, (t * n + i) * classes, classes);
                    if (predicted == Metrics.argMax(targets, i * classes, classes)) correct[t]++;
                }
            }
            clips += n;
        }
        double[] acc = new double[frames];
        for (int t = 0; t < frames; t++) acc[t] = correct[t] / clips;
        return acc;
    }

    /**
     * The paper's early-decision analysis: the shortest prefix (in frames) whose accuracy is
     * within {@code points} percentage points of the full-length accuracy.
     */
    public static int shortestPrefixWithin(double[] accuracyPerFrame, double points) {
        double full = accuracyPerFrame[accuracyPerFrame.length - 1];
        for (int t = 0; t < accuracyPerFrame.length; t++) {
            if (accuracyPerFrame[t] >= full - points / 100) return t + 1;
        }
        return accuracyPerFrame.length;
    }
}
