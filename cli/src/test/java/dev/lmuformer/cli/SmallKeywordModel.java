package dev.lmuformer.cli;

import dev.lmuformer.train.TrainConfig;
import dev.lmuformer.engine.Parallel;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.io.StringWriter;
import java.nio.file.Path;

/** A keyword model trained in a test: small enough for the suite, trained enough to find some words. */
final class SmallKeywordModel {
    /** The bundled keyword set, seen from the cli module. */
    static final Path DATA = Path.of("../data/keywords");

    private static Path trained;

    private SmallKeywordModel() {
    }

    /** {@link #train} once per test JVM, under {@code target/}: the test classes that only read the model share it. */
    static synchronized Path trained() {
        if (trained == null) {
            try {
                Files.createDirectories(Path.of("target"));
                trained = train(Files.createTempDirectory(Path.of("target"), "small-keyword-model"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return trained;
    }

    /**
     * A width-32 lmu_rnn_conv1d trained with the demo's keyword-spotting recipe (background
     * examples, clips in context) but cross-entropy for 60 epochs on {@link #DATA}, from the reference's
     * initialisation, about 40 s on 2 cores; returns its best checkpoint under {@code dir}. With 40
     * epochs it found 2 to 4 of the 35 training words, depending on the thread count: too few to test on.
     */
    static Path train(Path dir) {
        TrainConfig c = new TrainConfig();
        for (String[] kv : new String[][]{{"model", "lmu_rnn_conv1d"}, {"loss", "CE"}, {"background_context", "true"}, {"mixup", "0"}}) {
            c.set("test", kv[0], kv[1]);
        }
        c.set("test", "dim", 32);
        c.set("test", "batch_size", 32);
        c.set("test", "freqm", 16);
        c.set("test", "timem", 16);
        c.set("test", "background_share", 0.2);
        c.set("test", "n_epochs", 60);
        c.set("test", "lrscheduler_start", 40);
        return TrainRun.run(dev.lmuformer.train.Training.speechCommands(c, DATA), dir.resolve("run"), Parallel.threads(), false,
                new PrintWriter(new StringWriter())).best();
    }

    /** {@code noise} scaled to about −45 dBFS RMS: a quiet background. */
    static float[] quiet(float[] noise) {
        double sq = 0;
        for (float v : noise) sq += (double) v * v;
        float gain = (float) (Math.pow(10, -45 / 20.0) / Math.sqrt(sq / noise.length));
        float[] out = new float[noise.length];
        for (int i = 0; i < out.length; i++) out[i] = noise[i] * gain;
        return out;
    }
}
