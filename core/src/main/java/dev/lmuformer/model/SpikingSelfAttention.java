package dev.lmuformer.model;

import dev.lmuformer.engine.Parallel;
import dev.lmuformer.nn.BatchNorm1d;
import dev.lmuformer.nn.Conv1d;
import dev.lmuformer.nn.FrameBuild;
import dev.lmuformer.nn.Lif;
import dev.lmuformer.nn.Ops;

import java.util.List;

/**
 * The spiking self-attention of the Spikformer-style baseline ({@code attn_ms_conv1d},
 * REFERENCE §4): {@code s = LIF(pre_bn(x))}; {@code q, k, v = LIF(bn(conv1×1(s)))} (no bias);
 * per head (C/heads channels) {@code out = (q kᵀ) v · 0.25}, no softmax; then
 * {@code LIF(0.5) → proj_conv → proj_bn}.
 *
 * <p>Computed as {@code q (kᵀ v)}: q, k, v are spikes (0 or 1), so every partial sum is a small
 * integer and both orders are exact in float32, while this one costs N·d² instead of N²·d per
 * head. The attention is not causal: every frame sees the whole sequence.
 */
final class SpikingSelfAttention implements Op {
    private static final float SCALE = 0.25f;
    final BatchNorm1d preBn;
    final Lif preLif = new Lif(1.0);
    final Conv1d qConv;
    final Conv1d kConv;
    final Conv1d vConv;
    final BatchNorm1d qBn;
    final BatchNorm1d kBn;
    final BatchNorm1d vBn;
    final Lif qLif = new Lif(1.0);
    final Lif kLif = new Lif(1.0);
    final Lif vLif = new Lif(1.0);
    final Lif attnLif = new Lif(0.5);
    final Conv1d projConv;
    final BatchNorm1d projBn;
    private final int width;
    private final int heads;
    private final String prefix;
    private final Op input;
    private final Op q;
    private final Op k;
    private final Op v;
    private final Op output;
    private float[] qs; // (B, N, C) spikes of the last forward
    private float[] ks;
    private float[] vs;
    private float[] kv;  // (B, heads, d, d) kᵀ v per head
    private float[] mixed; // (B, N, C)
    private float[] dMixed; // (B, N, C)
    private float[] dq; // (B, N, C)
    private float[] dk;
    private float[] dv;
    private float[] dS; // (B, N, C) gradient at s
    private int batch;
    private int frames;

    SpikingSelfAttention(String prefix, int width, int heads) {
        if (width % heads != 0) throw new IllegalArgumentException("embed_dims " + width + " is not a multiple of num_heads " + heads);
        this.width = width;
        this.heads = heads;
        preBn = new BatchNorm1d(prefix + ".pre_bn", width);
        qConv = new Conv1d(prefix + ".q_conv", width, width, 1, false);
        kConv = new Conv1d(prefix + ".k_conv", width, width, 1, false);
        vConv = new Conv1d(prefix + ".v_conv", width, width, 1, false);
        qBn = new BatchNorm1d(prefix + ".q_bn", width);
        kBn = new BatchNorm1d(prefix + ".k_bn", width);
        vBn = new BatchNorm1d(prefix + ".v_bn", width);
        projConv = new Conv1d(prefix + ".proj_conv", width, width, 1, true);
        projBn = new BatchNorm1d(prefix + ".proj_bn", width);
        input = Op.seq(Op.norm(preBn), Op.lif(prefix + ".pre_lif", preLif, width));
        q = Op.seq(Op.conv(qConv), Op.norm(qBn), Op.lif(prefix + ".q_lif", qLif, width));
        k = Op.seq(Op.conv(kConv), Op.norm(kBn), Op.lif(prefix + ".k_lif", kLif, width));
        v = Op.seq(Op.conv(vConv), Op.norm(vBn), Op.lif(prefix + ".v_lif", vLif, width));
        output = Op.seq(Op.lif(prefix + ".attn_lif", attnLif, width), Op.conv(projConv), Op.norm(projBn));
        this.prefix = prefix;
    }

    @Override
    public int inWidth() {
        return width;
    }

    @Override
    public int outWidth() {
        return width;
    }

    @Override
    public float[] forward(float[] x, int batch, int frames, boolean training) {
        this.batch = batch;
        this.frames = frames;
        int n = batch * frames * width;
        int d = width / heads;
        float[] s = input.forward(x, batch, frames, training);
        qs = q.forward(s, batch, frames, training);
        ks = k.forward(s, batch, frames, training);
        vs = v.forward(s, batch, frames, training);
        kv = Ops.ensure(kv, batch * heads * d * d);
        mixed = Ops.ensure(mixed, n);
        float[] kvs = kv, out = mixed;
        Parallel.forEach(batch * heads, task -> {
            int b = task / heads, h = task % heads;
            int kvo = task * d * d;
            java.util.Arrays.fill(kvs, kvo, kvo + d * d, 0f);
            for (int t = 0; t < frames; t++) {
                int o = (b * frames + t) * width + h * d;
                for (int i = 0; i < d; i++) {
                    float ki = ks[o + i];
                    if (ki != 0f) for (int j = 0; j < d; j++) kvs[kvo + i * d + j] += ki * vs[o + j];
                }
            }
            for (int t = 0; t < frames; t++) {
                int o = (b * frames + t) * width + h * d;
                for (int j = 0; j < d; j++) {
                    float sum = 0f;
                    for (int i = 0; i < d; i++) sum += qs[o + i] * kvs[kvo + i * d + j];
                    out[o + j] = SCALE * sum;
                }
            }
        });
        return output.forward(mixed, batch, frames, training);
    }

    @Override
    public void backward(float[] dy, float[] dx, boolean accumulate) {
        int n = batch * frames * width;
        int d = width / heads;
        dMixed = Ops.zeroed(dMixed, n);
        output.backward(dy, dMixed, true);
        dq = Ops.zeroed(dq, n);
        dk = Ops.zeroed(dk, n);
        dv = Ops.zeroed(dv, n);
        float[] g = dMixed, gq = dq, gk = dk, gv = dv, kvs = kv;
        Parallel.forEach(batch * heads, task -> {
            int b = task / heads, h = task % heads;
            int kvo = task * d * d;
            float[] dKv = new float[d * d]; // 0.25·qᵀ·dOut
            for (int t = 0; t < frames; t++) {
                int o = (b * frames + t) * width + h * d;
                for (int i = 0; i < d; i++) {
                    float sum = 0f;
                    for (int j = 0; j < d; j++) sum += g[o + j] * kvs[kvo + i * d + j];
                    gq[o + i] += SCALE * sum;
                    float qi = qs[o + i];
                    if (qi != 0f) for (int j = 0; j < d; j++) dKv[i * d + j] += SCALE * qi * g[o + j];
                }
            }
            for (int t = 0; t < frames; t++) {
                int o = (b * frames + t) * width + h * d;
                for (int i = 0; i < d; i++) {
                    float sk = 0f, sv = 0f;
                    for (int j = 0; j < d; j++) {
                        sk += dKv[i * d + j] * vs[o + j];
                        sv += ks[o + j] * dKv[j * d + i];
                    }
                    gk[o + i] += sk;
                    gv[o + i] += sv;
                }
            }
        });
        dS = Ops.zeroed(dS, n);
        q.backward(dq, dS, true);
        k.backward(dk, dS, true);
        v.backward(dv, dS, true);
        input.backward(dS, dx, accumulate);
    }

    @Override
    public void neurons(List<Lif> out) {
        for (Op op : new Op[] {input, q, k, v, output}) op.neurons(out);
    }

    @Override
    public void register(StateDict state) {
        for (Op op : new Op[] {input, q, k, v, output}) op.register(state);
    }

    @Override
    public Signal describe(Structure s, Signal x) {
        Signal spikes = input.describe(s, x);
        Signal qs = q.describe(s, spikes), ks = k.describe(s, spikes), vs = v.describe(s, spikes);
        s.record(new ForwardStep(prefix + ".attention", ForwardStep.Kind.ATTENTION, width, width, 1, heads, List.of(qs, ks, vs), null));
        return output.describe(s, Signal.real(width));
    }

    /** Refused: the attention sums over every frame. */
    @Override
    public Framed frames(FrameBuild build, Signal x) {
        throw new IllegalArgumentException("streaming is not available for '" + SpikingLmuFormer.Variant.ATTN_MS_CONV1D.arch()
                + "': its self-attention (q kᵀ) v sums over all frames without a mask, so each frame's output depends on frames"
                + " not yet received; run the parallel model on the whole sequence");
    }
}
