package dev.lmuformer.nn;

/**
 * One thread's view of the streams it steps together: the rows still producing in this step (row r
 * is stream {@link #stream(int)}), each stream's {@link FrameState}s, whether the end-of-stream
 * padding enters in this step, and the thread's scratch buffers, grown to the largest group seen.
 * Not thread-safe: one per stepping thread.
 */
public final class FrameGroup {
    private final float[][] scratch;
    private Member[] streams = new Member[0];
    private int[] map = new int[0];
    private int capacity;
    private int rows;
    private int padAt = -1;

    /** A stream as a group sees it: its states, by the slots of the build. */
    public interface Member {
        /** The stream's states, by slot. */
        FrameState[] states();
    }

    /** A group with the scratch buffers a model's build declared. */
    public FrameGroup(FrameBuild build) {
        scratch = new float[build.scratches()][];
    }

    /**
     * Begins a step over {@code streams[from … from+n)}, one row per
     * stream in order. {@code padAt} ≥ 0 ends the streams: the k=3 convolution of that index takes its
     * zero padding instead of an input, and the layers before it do not run; −1 for an ordinary frame.
     */
    public void begin(Member[] streams, int from, int n, int padAt) {
        this.streams = streams;
        if (map.length < n) map = new int[n];
        for (int r = 0; r < n; r++) map[r] = from + r;
        capacity = Math.max(capacity, n);
        rows = n;
        this.padAt = padAt;
    }

    /** Rows still producing in this step. */
    public int rows() {
        return rows;
    }

    /** The index (in the array given to {@link #begin}) of the stream of {@code row}. */
    public int stream(int row) {
        return map[row];
    }

    /** The state in {@code slot} of the stream of {@code row}. */
    public FrameState state(int row, int slot) {
        return streams[map[row]].states()[slot];
    }

    /** Moves {@code row} to position {@code to} ≤ row, dropping the rows between (a convolution whose window is still filling). */
    public void keep(int row, int to) {
        map[to] = map[row];
    }

    /** Sets the rows still producing, after {@link #keep}. */
    public void rows(int n) {
        rows = n;
    }

    /** The index of the k=3 convolution where the padding enters in this step, −1 when none does (still). */
    public int padAt() {
        return padAt;
    }

    /** Whether the padding enters at convolution {@code delay}; if so it is consumed, and the layers after it run as usual. */
    public boolean takePad(int delay) {
        if (padAt != delay) return false;
        padAt = -1;
        return true;
    }

    /** Scratch buffer {@code id} with room for {@code perRow} floats on each row of the largest group. */
    public float[] scratch(int id, int perRow) {
        int n = capacity * perRow;
        float[] s = scratch[id];
        if (s == null || s.length < n) scratch[id] = s = new float[n];
        return s;
    }
}
