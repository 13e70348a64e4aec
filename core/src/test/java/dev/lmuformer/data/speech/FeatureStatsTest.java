package dev.lmuformer.data.speech;

import dev.lmuformer.data.Split;
import dev.lmuformer.audio.ModelInput;
import dev.lmuformer.engine.Parallel;
import dev.lmuformer.testing.TinySpeechCommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The normalisation statistics against a direct two-pass computation, for any thread count. */
class FeatureStatsTest {
    @TempDir
    Path root;

    @Test
    void matchesTwoPassMeanAndStdOverAllValues() {
        TinySpeechCommands.create(root, List.of("yes", "no", "up"), 4);
        List<Example> ex = SpeechCommands.open(root).examples(Split.TRAIN);
        Pipeline p = new Pipeline(Augment.NONE, new ModelInput(40, 0, 1), 35);
        float[] all = new float[ex.size() * p.inputSize()];
        for (int i = 0; i < ex.size(); i++) p.rawFeatures(ex.get(i).file(), all, i * p.inputSize());
        double mean = 0;
        for (float v : all) mean += v;
        mean /= all.length;
        double ss = 0;
        for (float v : all) ss += (v - mean) * (v - mean);
        double std = Math.sqrt(ss / (all.length - 1));

        int before = Parallel.threads();
        try {
            for (int threads : new int[] {1, 3}) {
                Parallel.setThreads(threads);
                FeatureStats s = FeatureStats.compute(ex, p);
                assertEquals(ex.size(), s.clips());
                assertEquals(all.length, s.values());
                assertEquals(mean, s.mean(), 1e-9 * Math.abs(mean));
                assertEquals(std, s.std(), 1e-9 * std);
            }
        } finally {
            Parallel.setThreads(before);
        }
        // 28 real frames of 40: the padding zeros pull the mean towards 0 from the log-mel values.
        assertEquals(true, mean < 0 && std > 1, "mean " + mean + ", std " + std);
    }
}
