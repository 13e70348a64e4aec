package dev.lmuformer.nn;

/**
 * The per-frame (streaming) form of a layer: immutable weights read once from an evaluation-mode
 * layer, and the step that runs one frame of each of the {@link FrameGroup#rows()} streams of a
 * group. The rows of {@code x} are the streams' inputs for this frame, so a step over G streams is the
 * layer's forward over G rows of one frame: products stay matrix products over the group. What a
 * stream carries from frame to frame (membranes, memories, convolution windows) lives in the
 * stream's {@link FrameState}s, which the group looks up by row.
 *
 * <p>Built by the layer's {@code frames} method against a {@link FrameBuild}; shared by any number
 * of threads, each stepping its own groups.
 */
public interface FrameLayer {
    /** Input channels per frame. */
    int in();

    /** Output channels per frame. */
    int out();

    /**
     * Steps the group's rows: {@code x [rows, in]} → {@code y [rows, out]}, distinct arrays (an element-wise
     * layer — batch norm, neurons — may be stepped in place). A layer that
     * needs a future frame (a k=3 convolution) drops the rows of streams whose output is not yet known,
     * so after the step {@link FrameGroup#rows()} may be smaller and {@code y} holds the kept rows in order.
     */
    void step(FrameGroup g, float[] x, float[] y);
}
