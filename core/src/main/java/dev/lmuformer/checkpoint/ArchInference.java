package dev.lmuformer.checkpoint;

import dev.lmuformer.io.Excerpt;
import dev.lmuformer.model.ModelConfig;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Works out a model's architecture and sizes from a bare state_dict's key names and shapes, for
 * files that carry no metadata (the reference trainer's {@code .pth}). What cannot be recovered
 * from weights (θ, the number of attention heads) takes its default, and the explanation says so.
 */
public final class ArchInference {
    /** The inferred config and a one-line account of where each value came from. */
    public record Inferred(ModelConfig config, String explanation) {
    }

    private static final Pattern BLOCK = Pattern.compile("^block\\.(\\d+)\\.");

    private final Map<String, int[]> shapes;
    private final List<String> notes = new ArrayList<>();

    private ArchInference(Map<String, int[]> shapes) {
        this.shapes = shapes;
    }

    /**
     * Infers the config from tensor names (without {@code module.}) and shapes.
     *
     * @throws IllegalArgumentException when no architecture matches or a size is inconsistent
     */
    public static Inferred infer(Map<String, int[]> shapes) {
        return new ArchInference(shapes).run();
    }

    /**
     * The architecture whose tensors these are, by key names alone (cheap: nothing is built), or
     * null when no architecture's keys match.
     */
    public static String archOf(Map<String, int[]> shapes) {
        ArchInference a = new ArchInference(shapes);
        if (a.has("embedding.weight") && a.has("head.weight") && !a.has("patch_embed.proj_conv.weight")
                && !a.has("patch_embed.conv_layers.0.0.weight")) return "lra_lmu";
        try {
            return a.arch();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private Inferred run() {
        String arch = arch();
        ModelConfig d = ModelConfig.defaults(arch);
        ModelConfig config;
        long values = 0;
        for (int[] s : shapes.values()) values += Arrays.stream(s).asLongStream().reduce(1, (a, b) -> a * b);
        if (d instanceof ModelConfig.Psmnist p) {
            int[] cls = need("classifier.weight", 2);
            int hidden = cls[1];
            int input = need("lmu_fft.W_u.weight", 2)[1];
            int memory = need("lmu_fft.W_h.weight", 2)[1] - input;
            if (memory <= 0) throw new IllegalArgumentException("lmu_fft.W_h.weight " + Arrays.toString(shapes.get("lmu_fft.W_h.weight"))
                    + " leaves no memory beside " + input + " inputs");
            note("hidden_size " + hidden + " and num_classes " + cls[0] + " from classifier.weight " + Arrays.toString(cls));
            note("memory_size " + memory + " from lmu_fft.W_h.weight minus " + input + " inputs");
            int seqLen = seqLen("lmu_fft.H", p.seqLen());
            note("theta " + fmt(p.theta()) + " (default: not recoverable from the weights)");
            config = new ModelConfig.Psmnist(arch, hidden, memory, seqLen, p.theta(), cls[0]);
        } else {
            ModelConfig.Keyword kd = (ModelConfig.Keyword) d;
            int[] head = need("head.weight", 2);
            int c = head[1];
            note("embed_dims " + c + " and num_classes " + head[0] + " from head.weight " + Arrays.toString(head));
            TreeSet<Integer> blocks = new TreeSet<>();
            for (String k : shapes.keySet()) {
                Matcher m = BLOCK.matcher(k);
                if (m.find()) blocks.add(Integer.parseInt(m.group(1)));
            }
            if (blocks.isEmpty()) throw new IllegalArgumentException("no block.N.* tensors");
            note("depths " + blocks.size() + " from block.0 … block." + blocks.last());
            int[] fc1 = need("block.0.mlp.fc1_conv.weight", 3);
            if (fc1[0] % c != 0) throw new IllegalArgumentException("block.0.mlp.fc1_conv.weight " + Arrays.toString(fc1) + " is no multiple of embed_dims "
                    + c);
            int ratio = fc1[0] / c;
            note("mlp_ratios " + ratio + " from block.0.mlp.fc1_conv.weight " + Arrays.toString(fc1));
            String first = arch.equals("lmu_rnn_conv1d") ? "patch_embed.conv_layers.0.0.weight" : "patch_embed.proj_conv.weight";
            int[] conv = need(first, 3);
            note("in_channels " + conv[1] + " from " + first + " " + Arrays.toString(conv));
            int seqLen = arch.equals("attn_ms_conv1d") ? kd.seqLen() : seqLen("block.0.attn.lmu.H", kd.seqLen());
            note("theta " + fmt(kd.theta()) + " and num_heads " + kd.numHeads() + " (defaults: not recoverable from the weights)");
            config = new ModelConfig.Keyword(arch, c, blocks.size(), ratio, conv[1], head[0], kd.numHeads(), seqLen, kd.theta());
        }
        try {
            config.checkFits(values);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("inferred sizes (" + String.join("; ", notes) + "): " + e.getMessage());
        }
        return new Inferred(config, "no metadata; inferred " + String.join("; ", notes));
    }

    private String arch() {
        boolean qConv = false, prevBn = false, lmu = false;
        for (String k : shapes.keySet()) {
            if (k.startsWith("block.")) {
                qConv |= k.contains(".attn.q_conv.");
                prevBn |= k.contains(".attn.prev_bn.");
                lmu |= k.contains(".attn.lmu.");
            }
        }
        String arch;
        if (has("patch_embed.conv_layers.0.0.weight") && lmu) arch = note("lmu_rnn_conv1d", "patch_embed.conv_layers.*");
        else if (has("patch_embed.proj_conv.weight") && qConv) arch = note("attn_ms_conv1d", "patch_embed.proj_conv*, block.*.attn.q_conv.*");
        else if (has("patch_embed.proj_conv.weight") && prevBn && has("head_bn.weight")) {
            arch = note("slmu_rnn_ms_conv1d", "patch_embed.proj_conv*, block.*.attn.prev_bn.*, head_bn.*");
        } else if (has("patch_embed.rpe_bn.weight") && lmu && !has("head_bn.weight")) arch = note("slmu_rnn_conv1d", "patch_embed.rpe_bn.*, no head_bn");
        else if (has("lmu_fft.W_h.weight") && has("conv1.weight")) arch = note("psmnist_lmu", "conv1.*, lmu_fft.*");
        else if (has("lmu_fft.W_h.weight")) arch = note("psmnist_slmu", "lmu_fft.* without conv1");
        else {
            List<String> first = shapes.keySet().stream().limit(3).map(Excerpt::of).toList();
            throw new IllegalArgumentException("no known architecture has these tensors (first: " + String.join(", ", first) + ")");
        }
        return arch;
    }

    private String note(String arch, String keys) {
        notes.add("arch " + arch + " from keys " + keys);
        return arch;
    }

    private void note(String s) {
        notes.add(s);
    }

    private boolean has(String key) {
        return shapes.containsKey(key);
    }

    private int[] need(String key, int rank) {
        int[] s = shapes.get(key);
        if (s == null) throw new IllegalArgumentException("tensor " + Excerpt.of(key) + " is missing, so the sizes cannot be inferred");
        if (s.length != rank || Arrays.stream(s).anyMatch(v -> v <= 0)) {
            throw new IllegalArgumentException("tensor " + Excerpt.of(key) + " has shape " + Arrays.toString(s)
                    + ", expected " + rank + " positive dimensions");
        }
        return s;
    }

    private int seqLen(String key, int fallback) {
        if (!has(key)) {
            note("seq_len " + fallback + " (default: no " + key + ")");
            return fallback;
        }
        int[] h = need(key, 2);
        note("seq_len " + h[1] + " from " + key + " " + Arrays.toString(h));
        return h[1];
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
