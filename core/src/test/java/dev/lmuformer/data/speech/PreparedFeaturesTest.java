package dev.lmuformer.data.speech;

import dev.lmuformer.audio.ModelInput;
import dev.lmuformer.data.Batch;
import dev.lmuformer.data.Split;
import dev.lmuformer.io.Safetensors;
import dev.lmuformer.testing.TinySpeechCommands;
import dev.lmuformer.train.TrainConfig;
import dev.lmuformer.train.Trainer;
import dev.lmuformer.train.Training;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Training from filterbanks prepared beforehand is training from the audio, for the augmentations that act on filterbanks. */
class PreparedFeaturesTest {
    @TempDir
    Path dir;

    @Test
    void preparedBatchesAreTheAudiosBatches() {
        SpeechCommands data = SpeechCommands.open(TinySpeechCommands.create(dir.resolve("data"), Labels.speechCommands().names(), 3));
        PreparedFeatures prepared = PreparedFeatures.compute(data, 128);
        assertEquals(35, prepared.train().size());
        assertEquals(35, prepared.test().size());
        Pipeline augmenting = new Pipeline(new Augment(0, 24, 24, true), ModelInput.DEFAULT, 35);
        try (Loader audio = new Loader(data.examples(Split.TRAIN), augmenting, 8, true, 5, 2, 2);
             Loader filterbanks = Loader.prepared(prepared.train(), augmenting, 8, true, 5, 2, 2)) {
            for (int epoch = 0; epoch < 2; epoch++) {
                Iterator<Batch> a = audio.epoch(epoch), b = filterbanks.epoch(epoch);
                while (a.hasNext()) {
                    Batch x = a.next(), y = b.next();
                    assertArrayEquals(x.inputs().data, y.inputs().data, "epoch " + epoch);
                    assertArrayEquals(x.targets().data, y.targets().data);
                }
                assertTrue(!b.hasNext());
            }
        }
        Pipeline mixing = new Pipeline(new Augment(0.5, 0, 0, false), ModelInput.DEFAULT, 35);
        float[] x = new float[mixing.inputSize()];
        assertThrows(IllegalStateException.class, () -> mixing.preparedExample(prepared.train(), 0, 1, x, 0, new float[35], 0));
    }

    @Test
    void trainingFromPreparedFeaturesIsTrainingFromAudio() {
        Path root = TinySpeechCommands.create(dir.resolve("data"), Labels.speechCommands().names(), 3);
        TrainConfig c = new TrainConfig().set("model", "lmu_rnn_conv1d").set("dim", 8).set("batch_size", 8).set("n_epochs", 2).set("mixup", 0);
        Training fromAudio = Training.speechCommands(c, root);
        fromAudio.run(dir.resolve("audio"), fromAudio.start(dir.resolve("audio"), false), 2, new Trainer.Listener() {
        });
        Training fromFeatures = Training.prepared(c, PreparedFeatures.compute(SpeechCommands.open(root), 128));
        fromFeatures.run(dir.resolve("features"), fromFeatures.start(dir.resolve("features"), false), 2, new Trainer.Listener() {
        });
        for (String file : List.of(Trainer.LAST, Trainer.BEST)) {
            Safetensors a = Safetensors.read(dir.resolve("audio").resolve(file)), b = Safetensors.read(dir.resolve("features").resolve(file));
            for (String name : a.names()) assertArrayEquals(a.tensor(name).data, b.tensor(name).data, file + " " + name);
            assertEquals(a.metadata(), b.metadata());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Training.prepared(new TrainConfig(), PreparedFeatures.compute(SpeechCommands.open(root), 128)));
        assertTrue(e.getMessage().contains("mixup"), e.getMessage());
    }
}
