package dev.lmuformer.model;

/** One branch of a residual block (a token mixer or a channel mixer) over {@code [B, N, C]}. */
interface Sublayer {
    /** Output {@code [B, N, C]} (a buffer owned by the sublayer). */
    float[] forward(float[] x, int batch, int frames, boolean training);

    /** Adds parameter gradients and the input gradient (into dx) for dy. */
    void backward(float[] dy, float[] dx);
}
