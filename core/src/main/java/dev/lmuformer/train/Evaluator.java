package dev.lmuformer.train;

import dev.lmuformer.data.Batch;
import dev.lmuformer.data.BatchSource;
import dev.lmuformer.model.SequenceModel;

import java.util.Iterator;

/** Evaluation-mode passes over a batch source: final logits and their metrics ({@code stream.StreamingReadout} has the per-frame readout). */
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
}
