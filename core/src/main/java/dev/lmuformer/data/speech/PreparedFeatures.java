package dev.lmuformer.data.speech;

import dev.lmuformer.audio.Fbank;
import dev.lmuformer.audio.ModelInput;
import dev.lmuformer.data.Split;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;

/**
 * A Speech Commands dataset with each clip's filterbank computed beforehand (by {@code spark features},
 * possibly on a cluster): per split the clips' names, labels and unnormalised model-length filterbanks
 * ({@link Pipeline#rawFeatures}, {@code [frames, bins]} row-major). Training from it equals training
 * from the audio for every augmentation that acts on the filterbank; mixup and background context act
 * on the audio and are not available. Serializable, to travel to Spark's executors.
 *
 * @param words      the class names, by label
 * @param frames     frames per clip (the model length)
 * @param bins       mel bins per frame
 * @param train      the training clips
 * @param validation the validation clips
 * @param test       the test clips
 */
public record PreparedFeatures(List<String> words, int frames, int bins, Clips train, Clips validation, Clips test) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Checks that every filterbank has {@code frames × bins} values. */
    public PreparedFeatures {
        words = List.copyOf(words);
        for (Clips c : List.of(train, validation, test)) {
            for (int i = 0; i < c.names().length; i++) {
                if (c.fbank()[i].length != frames * bins) {
                    throw new IllegalArgumentException(c.names()[i] + ": " + c.fbank()[i].length + " values, expected " + frames + " × " + bins);
                }
            }
        }
    }

    /**
     * The filterbanks of every clip of {@code dataset}, computed here, one clip after another (what
     * {@code spark features} computes on a cluster), cut or padded to {@code frames}.
     */
    public static PreparedFeatures compute(SpeechCommands dataset, int frames) {
        Pipeline p = new Pipeline(Augment.NONE, new ModelInput(frames, 0, 1), dataset.labels().size());
        Clips[] splits = new Clips[3];
        for (Split split : Split.values()) {
            List<Example> examples = dataset.examples(split);
            String[] names = new String[examples.size()];
            int[] labels = new int[examples.size()];
            float[][] fbank = new float[examples.size()][p.inputSize()];
            for (int i = 0; i < names.length; i++) {
                Path f = examples.get(i).file();
                names[i] = f.getParent().getFileName() + "/" + f.getFileName();
                labels[i] = examples.get(i).label();
                p.rawFeatures(f, fbank[i], 0);
            }
            splits[split.ordinal()] = new Clips(names, labels, fbank);
        }
        return new PreparedFeatures(dataset.labels().names(), frames, Fbank.DEFAULT_MEL_BINS, splits[Split.TRAIN.ordinal()],
                splits[Split.VALIDATION.ordinal()], splits[Split.TEST.ordinal()]);
    }

    /** The clips of {@code split}. */
    public Clips split(Split split) {
        return switch (split) {
            case TRAIN -> train;
            case VALIDATION -> validation;
            case TEST -> test;
        };
    }

    /**
     * The clips of one split, index by index.
     *
     * @param names  {@code word/clip.wav}, for messages
     * @param labels class indices into {@link #words()}
     * @param fbank  the unnormalised filterbanks
     */
    public record Clips(String[] names, int[] labels, float[][] fbank) implements Serializable {
        private static final long serialVersionUID = 1L;

        /** Checks that the three arrays have one entry per clip. */
        public Clips {
            if (names.length != labels.length || names.length != fbank.length) {
                throw new IllegalArgumentException("names, labels and filterbanks of different lengths: " + names.length + ", " + labels.length
                        + ", " + fbank.length);
            }
        }

        /** Number of clips. */
        public int size() {
            return names.length;
        }
    }
}
