package dev.lmuformer.train;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.lmuformer.checkpoint.Checkpoint;
import dev.lmuformer.engine.Tensor;
import dev.lmuformer.io.FormatException;
import dev.lmuformer.io.Safetensors;
import dev.lmuformer.model.SequenceModel;
import dev.lmuformer.nn.Parameter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code --resume} needs, in one atomically written safetensors file: the model's tensors,
 * Adam's moments ({@code optim.exp_avg.<param>}, {@code optim.exp_avg_sq.<param>}), and in the
 * metadata the architecture, the completed epochs, the optimiser step, the best validation
 * accuracy so far and the run's settings. Batches and augmentations are drawn from (seed, epoch),
 * so this is the whole random state.
 *
 * @param epochsDone   completed epochs
 * @param steps        optimiser steps taken
 * @param bestAccuracy best validation accuracy so far (NaN before any)
 * @param bestEpoch    the epoch that reached it (−1 before any)
 * @param settings     the run's settings as JSON, to check a resume against
 */
public record TrainingState(int epochsDone, long steps, double bestAccuracy, int bestEpoch, String settings) {
    private static final String EXP_AVG = "optim.exp_avg.";
    private static final String EXP_AVG_SQ = "optim.exp_avg_sq.";

    /** Writes the state with the model and optimiser. */
    public void save(Path file, SequenceModel model, Adam adam, Map<String, String> extraMetadata) {
        Map<String, Tensor> tensors = new LinkedHashMap<>(model.state().tensors());
        List<Parameter> params = adam.parameters();
        for (int k = 0; k < params.size(); k++) {
            tensors.put(EXP_AVG + params.get(k).name(), new Tensor(adam.expAvg(k), params.get(k).shape()));
            tensors.put(EXP_AVG_SQ + params.get(k).name(), new Tensor(adam.expAvgSq(k), params.get(k).shape()));
        }
        Map<String, String> meta = new LinkedHashMap<>(extraMetadata);
        meta.put(Checkpoint.ARCH, model.arch());
        try {
            meta.put(Checkpoint.CONFIG, JSON.std.asString(model.config().toMap()));
            Map<String, Object> trainer = new LinkedHashMap<>();
            trainer.put("epochs_done", epochsDone);
            trainer.put("steps", steps);
            trainer.put("best_accuracy", Double.isNaN(bestAccuracy) ? null : bestAccuracy);
            trainer.put("best_epoch", bestEpoch);
            trainer.put("settings", settings);
            if (!model.dropouts().isEmpty()) { // seed and masks drawn, so that a resumed run draws the masks it would have
                trainer.put("dropout_seeds", model.dropouts().stream().map(d -> d.seed()).toList());
                trainer.put("dropout_forwards", model.dropouts().stream().map(d -> d.forwards()).toList());
            }
            meta.put("trainer", JSON.std.asString(trainer));
        } catch (IOException e) {
            throw new FormatException(file + ": cannot encode training state (" + e.getMessage() + ")", e);
        }
        Safetensors.write(file, tensors, meta);
    }

    /**
     * The state a run into {@code out} starts from: when resuming and {@code out} holds a run, its
     * {@link Trainer#LAST} state, restored into model and optimiser (it must have been written with
     * {@code settings}); otherwise a fresh state, refusing a folder that already holds a run.
     */
    public static TrainingState start(Path out, boolean resume, SequenceModel model, Adam adam, String settings) {
        Path last = out.resolve(Trainer.LAST);
        if (resume && java.nio.file.Files.exists(last)) {
            TrainingState state = restore(last, model, adam);
            if (!state.settings().equals(settings)) throw new IllegalArgumentException(last + " was written with other settings (" + state.settings() + ")");
            return state;
        }
        if (java.nio.file.Files.exists(last)) {
            throw new IllegalArgumentException(out + " already holds a run; resume it (train --resume) or choose another folder");
        }
        return new TrainingState(0, 0, Double.NaN, -1, settings);
    }

    /**
     * Restores model and optimiser from a file written by {@link #save} and returns the state.
     *
     * @throws FormatException when the file is not a training state of this model
     */
    public static TrainingState restore(Path file, SequenceModel model, Adam adam) {
        Safetensors st = Safetensors.read(file);
        String arch = st.metadata().get(Checkpoint.ARCH);
        if (!model.arch().equals(arch)) throw new FormatException(file + ": training state of '" + arch + "', not of '" + model.arch() + "'");
        String trainer = st.metadata().get("trainer");
        if (trainer == null) throw new FormatException(file + ": not a training state (no 'trainer' metadata)");
        Map<String, Tensor> modelTensors = new LinkedHashMap<>();
        for (String name : st.names()) if (!name.startsWith("optim.")) modelTensors.put(name, st.tensor(name));
        try {
            model.state().load(modelTensors);
        } catch (IllegalArgumentException e) {
            throw new FormatException(file + ": " + e.getMessage(), e);
        }
        List<Parameter> params = adam.parameters();
        for (int k = 0; k < params.size(); k++) {
            copy(st, file, EXP_AVG + params.get(k).name(), adam.expAvg(k));
            copy(st, file, EXP_AVG_SQ + params.get(k).name(), adam.expAvgSq(k));
        }
        try {
            Map<String, Object> t = JSON.std.mapFrom(trainer);
            long steps = ((Number) t.get("steps")).longValue();
            adam.setSteps(steps);
            List<dev.lmuformer.nn.Dropout> dropouts = model.dropouts();
            if (!dropouts.isEmpty()) {
                List<?> seeds = (List<?>) t.get("dropout_seeds"), forwards = (List<?>) t.get("dropout_forwards");
                if (seeds == null || forwards == null || seeds.size() != dropouts.size() || forwards.size() != dropouts.size()) {
                    throw new FormatException(file + ": the training state does not hold the " + dropouts.size() + " dropout layers' seeds and masks drawn");
                }
                for (int i = 0; i < dropouts.size(); i++) {
                    dropouts.get(i).resume(((Number) seeds.get(i)).longValue(), ((Number) forwards.get(i)).longValue());
                }
            }
            Object best = t.get("best_accuracy");
            return new TrainingState(((Number) t.get("epochs_done")).intValue(), steps,
                    best == null ? Double.NaN : ((Number) best).doubleValue(), ((Number) t.get("best_epoch")).intValue(),
                    String.valueOf(t.get("settings")));
        } catch (IOException | RuntimeException e) {
            throw new FormatException(file + ": malformed 'trainer' metadata (" + e.getMessage() + ")", e);
        }
    }

    private static void copy(Safetensors st, Path file, String name, float[] into) {
        if (!st.has(name)) throw new FormatException(file + ": training state lacks '" + name + "'");
        float[] v = st.tensor(name).data;
        if (v.length != into.length) throw new FormatException(file + ": '" + name + "' has " + v.length + " values, expected " + into.length);
        System.arraycopy(v, 0, into, 0, v.length);
    }
}
