package dev.lmuformer.model;

import dev.lmuformer.nn.Embedding;
import dev.lmuformer.nn.Linear;
import dev.lmuformer.nn.MeanPool;
import dev.lmuformer.nn.Ops;

import java.util.ArrayList;
import java.util.List;

/**
 * LMUFormer over token sequences ({@code lra_lmu}), for the Long Range Arena tasks and other
 * byte-, pixel- or symbol-level inputs (REFERENCE §6):
 * {@code embedding → block.0 … block.{depth−1} → mean over each sequence's true length → head}.
 * The blocks are those of {@link LmuRnnConv1d} (LMU mixer, 1×1 convolution MLP); the k=3 patch
 * embedding is replaced by a token embedding, since neighbouring token ids are not a signal.
 *
 * <p>Input {@code [B, N, 1]}: token ids as floats, 0 being padding. A sequence's length is the
 * position of its last non-padding token + 1; the frames after it are left out of the mean. The
 * blocks act on each position from its past only (the LMU memory is causal, the convolutions are
 * 1×1), so in evaluation mode trailing padding changes no logit; in training mode the batch norms'
 * batch statistics include the padded positions.
 *
 * <p>With two towers (retrieval), each example is two documents of L = N/2 frames (frames
 * {@code [0, L)} and {@code [L, 2L)}, each padded at its end), encoded by the same weights into
 * pooled features a and b; the head reads {@code [a, b, a·b, a − b]} (width 4C).
 */
public final class LraLmu extends ModelBase {
    /** Registry name. */
    public static final String ARCH = "lra_lmu";
    /** The padding token. */
    public static final int PAD = 0;

    final Embedding embedding;
    final List<Block<LmuMixer, ConvMlp>> blocks = new ArrayList<>();
    private final Op body; // the blocks
    final MeanPool pool;
    final Linear head;
    private final int width;
    private final int towers;
    private int[] ids; // (B·towers, L)
    private int[] lengths; // (B·towers)
    private float[] pair; // (B, 4C) [a, b, a·b, a − b]
    private float[] running; // (L, B, C)
    private float[] dHeadIn; // (B, C) or (B, 4C)
    private float[] dPooled; // (B·towers, C)
    private float[] dFeatures; // (B·towers, L, C)
    private float[] dEmbedded; // (B·towers, L, C)
    private int batch;
    private int sequences;
    private int frames; // L, per sequence

    /** A model with the given sizes; weights start at zero (load a checkpoint or initialise). */
    public LraLmu(ModelConfig.Lra config) {
        super(config);
        this.width = config.embedDims();
        this.towers = config.towers();
        embedding = new Embedding("embedding", config.vocabSize(), width, PAD);
        for (int i = 0; i < config.depths(); i++) blocks.add(LmuRnnConv1d.block(i, width, config.mlpRatios(), config.theta(), config.seqLen()));
        pool = new MeanPool(width);
        head = new Linear("head", towers == 1 ? width : 4 * width, config.numClasses(), true);
        body = Op.seq(blocks);
        state.embedding(embedding);
        body.register(state);
        state.params(head.parameters());
    }

    @Override
    public String arch() {
        return ARCH;
    }

    @Override
    public ModelConfig.Lra config() {
        return (ModelConfig.Lra) config;
    }

    @Override
    public List<ForwardStep> steps() {
        return Structure.of(s -> s.record(new ForwardStep("embedding", ForwardStep.Kind.EMBEDDING, embedding.vocabulary(), embedding.dim(), 1, 1,
                List.of(Signal.real(1)), null)), body, (s, x) -> s.meanHead(head, x));
    }

    @Override
    public int inputFeatures() {
        return 1;
    }

    /** Token ids, lengths, then the blocks; returns the features {@code [B·towers, L, C]}. */
    private float[] encode(float[] x, int batch, int frames, boolean training) {
        if (frames % towers != 0) throw new IllegalArgumentException("a two-tower input needs an even number of frames, got " + frames);
        this.batch = batch;
        this.sequences = batch * towers;
        this.frames = frames / towers;
        int n = batch * frames;
        ids = ids != null && ids.length >= n ? ids : new int[n];
        for (int i = 0; i < n; i++) {
            int id = (int) x[i];
            if (id != x[i]) throw new IllegalArgumentException("input value " + x[i] + " at position " + i + " is not a token id");
            ids[i] = id;
        }
        lengths = lengths != null && lengths.length >= sequences ? lengths : new int[sequences];
        for (int s = 0; s < sequences; s++) {
            int len = this.frames;
            while (len > 0 && ids[s * this.frames + len - 1] == PAD) len--;
            lengths[s] = len;
        }
        return body.forward(embedding.forward(ids, n), sequences, this.frames, training);
    }

    @Override
    public float[] forward(float[] x, int batch, int frames, boolean training) {
        float[] pooled = pool.forward(encode(x, batch, frames, training), sequences, this.frames, lengths);
        float[] in = towers == 1 ? pooled : pair(pooled);
        return java.util.Arrays.copyOf(head.forward(in, batch), batch * config.numClasses());
    }

    /** {@code [a, b, a·b, a − b]} per example from the pooled features of its two documents. */
    private float[] pair(float[] pooled) {
        pair = Ops.ensure(pair, batch * 4 * width);
        for (int b = 0; b < batch; b++) {
            int a0 = 2 * b * width, b0 = a0 + width, o = 4 * b * width;
            for (int c = 0; c < width; c++) {
                float a = pooled[a0 + c], d = pooled[b0 + c];
                pair[o + c] = a;
                pair[o + width + c] = d;
                pair[o + 2 * width + c] = a * d;
                pair[o + 3 * width + c] = a - d;
            }
        }
        return pair;
    }

    /**
     * The streaming readout of a one-tower model: {@code head(mean of the features up to frame t)},
     * the mean stopping at each sequence's end; {@code [L, B, classes]}.
     *
     * @throws UnsupportedOperationException for a two-tower model, which reads both documents whole
     */
    @Override
    public float[] allSeqLogits(float[] x, int batch, int frames) {
        if (towers != 1) throw new UnsupportedOperationException(ARCH + " with two towers has no streaming readout");
        float[] h = encode(x, batch, frames, false);
        running = Ops.ensure(running, frames * batch * width);
        pool.running(h, batch, frames, lengths, running);
        return java.util.Arrays.copyOf(head.forward(running, frames * batch), frames * batch * config.numClasses());
    }

    @Override
    public void backward(float[] dLogits) {
        int rows = sequences * frames;
        dHeadIn = Ops.zeroed(dHeadIn, batch * head.inFeatures());
        head.backward(dLogits, dHeadIn);
        float[] dPool = dHeadIn;
        if (towers == 2) {
            dPooled = Ops.ensure(dPooled, sequences * width);
            float[] pooled = pool.output();
            for (int b = 0; b < batch; b++) {
                int a0 = 2 * b * width, b0 = a0 + width, o = 4 * b * width;
                for (int c = 0; c < width; c++) {
                    float a = pooled[a0 + c], d = pooled[b0 + c];
                    float dProduct = dHeadIn[o + 2 * width + c], dDifference = dHeadIn[o + 3 * width + c];
                    dPooled[a0 + c] = dHeadIn[o + c] + dProduct * d + dDifference;
                    dPooled[b0 + c] = dHeadIn[o + width + c] + dProduct * a - dDifference;
                }
            }
            dPool = dPooled;
        }
        dFeatures = Ops.zeroed(dFeatures, rows * width);
        pool.backward(dPool, dFeatures);
        dEmbedded = Ops.ensure(dEmbedded, rows * width);
        body.backward(dFeatures, dEmbedded, false);
        embedding.backward(dEmbedded);
    }

    /** The lengths of the sequences of the last forward, {@code [B·towers]}. */
    public int[] lastLengths() {
        return java.util.Arrays.copyOf(lengths, sequences);
    }
}
