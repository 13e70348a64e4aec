package dev.lmuformer.stream;

import dev.lmuformer.data.Batch;
import dev.lmuformer.data.BatchSource;
import dev.lmuformer.model.SequenceModel;
import dev.lmuformer.train.Metrics;

import java.util.Iterator;

/**
 * The streaming readout over a source (REFERENCE §4 "all_seq"): accuracy after each frame, and
 * how the early decisions of a rule fare.
 *
 * @param accuracyPerFrame element t is the accuracy of {@code head(mean_{j≤t} feature_j)} over all clips
 * @param earlyAccuracy    accuracy of the rule's decisions; a clip without one counts with its final-frame prediction
 * @param framesUsed       mean over clips of the fraction of frames read up to the decision (1 without one)
 * @param decided          clips with an early decision
 * @param clips            clips in all
 */
public record StreamingReadout(double[] accuracyPerFrame, double earlyAccuracy, double framesUsed, int decided, int clips) {

    /** Accuracy of the streaming readout after each frame: {@link #of}'s first part. */
    public static double[] perFrameAccuracy(SequenceModel model, BatchSource source) {
        return of(model, source, EarlyDecision.DEFAULT).accuracyPerFrame();
    }

    /** Runs the streaming readout of every clip of epoch 0 of the source and applies {@code rule} to it. */
    public static StreamingReadout of(SequenceModel model, BatchSource source, EarlyDecision rule) {
        int classes = model.numClasses();
        double[] correct = null;
        int clips = 0;
        int frames = 0;
        int decided = 0;
        int earlyCorrect = 0;
        double framesUsed = 0;
        EarlyDecision.Tracker tracker = rule.tracker();
        for (Iterator<Batch> it = source.epoch(0); it.hasNext(); ) {
            Batch b = it.next();
            int n = b.size();
            frames = b.inputs().dim(1);
            if (correct == null) correct = new double[frames];
            float[] perFrame = model.allSeqLogits(b.inputs().data, n, frames); // (N, B, classes)
            float[] targets = b.targets().data;
            for (int i = 0; i < n; i++) {
                int label = Metrics.argMax(targets, i * classes, classes);
                tracker.reset();
                int used = frames;
                for (int t = 0; t < frames; t++) {
                    int at = (t * n + i) * classes;
                    if (Metrics.argMax(perFrame, at, classes) == label) correct[t]++;
                    if (tracker.decided() < 0 && tracker.offer(perFrame, at, classes) >= 0) used = t + 1;
                }
                if (tracker.decided() >= 0) decided++;
                // Without a decision the tracker's last top class is the final-frame prediction.
                int answer = tracker.decided() >= 0 ? tracker.decided() : tracker.top();
                if (answer == label) earlyCorrect++;
                framesUsed += (double) used / frames;
            }
            clips += n;
        }
        double[] acc = new double[frames];
        for (int t = 0; t < frames; t++) acc[t] = correct[t] / clips;
        return new StreamingReadout(acc, (double) earlyCorrect / clips, framesUsed / clips, decided, clips);
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
