package dev.lmuformer.model;

import dev.lmuformer.engine.Tensor;
import dev.lmuformer.nn.BatchNorm1d;
import dev.lmuformer.nn.Embedding;
import dev.lmuformer.nn.Parameter;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model's named tensors, named by the reference's state_dict keys, in the order of the
 * model's composition: parameters (trainable) and buffers (running statistics, LMU matrices).
 * Loading matches by name, so the order only decides how files written by us list them. Entries
 * share the model's arrays, so loading copies into the live model.
 */
public final class StateDict {
    /** One named tensor. */
    public record Entry(String name, float[] data, int[] shape, boolean trainable, boolean optional) {
    }

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final List<Parameter> parameters = new ArrayList<>();
    private final List<BatchNorm1d> norms = new ArrayList<>();
    private final List<Embedding> embeddings = new ArrayList<>();
    private final List<Runnable> loadListeners = new ArrayList<>();

    /** Registers trainable parameters. */
    public StateDict params(List<Parameter> ps) {
        for (Parameter p : ps) {
            put(new Entry(p.name(), p.data, p.shape(), true, false));
            parameters.add(p);
        }
        return this;
    }

    /** Registers a batch norm: γ, β, running_mean, running_var. */
    public StateDict norm(BatchNorm1d bn) {
        params(bn.parameters());
        int[] shape = {bn.channels()};
        put(new Entry(bn.prefix() + ".running_mean", bn.runningMean, shape, false, false));
        put(new Entry(bn.prefix() + ".running_var", bn.runningVar, shape, false, false));
        norms.add(bn);
        return this;
    }

    /** Registers an embedding's weight (initialised apart: {@link Init}). */
    public StateDict embedding(Embedding e) {
        params(e.parameters());
        embeddings.add(e);
        return this;
    }

    /** Registers a buffer that a checkpoint may omit (it is recomputed). */
    public StateDict derivedBuffer(String name, float[] data, int... shape) {
        put(new Entry(name, data, shape, false, true));
        return this;
    }

    /** Runs {@code listener} after every {@link #load} (to refresh what is derived from buffers). */
    public StateDict onLoad(Runnable listener) {
        loadListeners.add(listener);
        return this;
    }

    private void put(Entry e) {
        if (entries.put(e.name(), e) != null) throw new IllegalStateException("duplicate state key " + e.name());
    }

    /** All entries by name. */
    public Map<String, Entry> entries() {
        return Collections.unmodifiableMap(entries);
    }

    /** The trainable parameters, in order. */
    public List<Parameter> parameters() {
        return Collections.unmodifiableList(parameters);
    }

    /** The batch norms, in order. */
    public List<BatchNorm1d> norms() {
        return Collections.unmodifiableList(norms);
    }

    /** The embeddings, in order. */
    public List<Embedding> embeddings() {
        return Collections.unmodifiableList(embeddings);
    }

    /** Number of trainable values. */
    public long parameterCount() {
        long n = 0;
        for (Parameter p : parameters) n += p.size();
        return n;
    }

    /** The entries as tensors sharing the model's arrays. */
    public Map<String, Tensor> tensors() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Entry e : entries.values()) out.put(e.name(), new Tensor(e.data(), e.shape()));
        return out;
    }

    /**
     * Copies tensors into the model. Every parameter and running statistic must be present with
     * its exact shape; derived buffers (A, B, H) are copied when present; {@code num_batches_tracked},
     * {@code fft_H} are accepted and ignored (recomputed); any other name is an error.
     *
     * @throws IllegalArgumentException naming the first missing, mis-shaped or unexpected tensor
     */
    public void load(Map<String, Tensor> tensors) {
        for (Entry e : entries.values()) {
            Tensor t = tensors.get(e.name());
            if (t == null) {
                if (e.optional()) continue;
                throw new IllegalArgumentException("checkpoint lacks tensor '" + e.name() + "' " + java.util.Arrays.toString(e.shape()));
            }
            if (!java.util.Arrays.equals(t.shape(), e.shape())) {
                throw new IllegalArgumentException("tensor '" + e.name() + "' has shape " + t.shapeString()
                        + " but the model needs " + java.util.Arrays.toString(e.shape()));
            }
        }
        for (String name : tensors.keySet()) {
            if (!entries.containsKey(name) && !ignorable(name)) {
                throw new IllegalArgumentException("checkpoint has unexpected tensor '" + name + "' for this architecture");
            }
        }
        for (Entry e : entries.values()) {
            Tensor t = tensors.get(e.name());
            if (t != null) System.arraycopy(t.data, 0, e.data(), 0, e.data().length);
        }
        for (BatchNorm1d bn : norms) {
            Tensor t = tensors.get(bn.prefix() + ".num_batches_tracked");
            if (t != null && t.size() == 1) bn.setBatchesTracked((long) t.data[0]);
        }
        loadListeners.forEach(Runnable::run);
    }

    /** Whether a checkpoint's tensor of this name is accepted and ignored ({@code num_batches_tracked}, {@code fft_H}: recomputed). */
    public static boolean ignorable(String name) {
        return name.endsWith(".num_batches_tracked") || name.endsWith(".fft_H") || name.endsWith(".fft_H.real") || name.endsWith(".fft_H.imag");
    }

    /** Names of all entries. */
    public Set<String> names() {
        return entries.keySet();
    }
}
