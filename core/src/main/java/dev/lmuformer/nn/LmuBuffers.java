package dev.lmuformer.nn;

/**
 * The fixed buffers of an LMU cell — A (Ā), B (B̄) as float32 and the impulse response
 * H {@code [D, N]} — and the parallel {@link LmuMemory} over H, rebuilt when H changes.
 */
public final class LmuBuffers {
    private final int memorySize;
    private final double theta;
    private final float[] aBar; // (D, D)
    private final float[] bBar; // (D)
    private float[] h; // (D, hLen)
    private int hLen;
    private LmuMemory memory;

    /** Buffers for memory size D and window θ, with H covering {@code seqLen} frames. */
    public LmuBuffers(int memorySize, double theta, int seqLen) {
        this.memorySize = memorySize;
        this.theta = theta;
        LmuMatrices mats = LmuMatrices.discretise(memorySize, theta);
        aBar = mats.aBarFloat();
        bBar = mats.bBarFloat();
        h = mats.impulseResponse(seqLen);
        hLen = seqLen;
    }

    /** The memory for sequences of {@code frames}; H is extended when they are longer than it. */
    LmuMemory memory(int frames) {
        if (frames > hLen) {
            h = LmuMatrices.discretise(memorySize, theta).impulseResponse(frames);
            hLen = frames;
            memory = null;
        }
        if (memory == null) memory = new LmuMemory(h, memorySize, hLen);
        return memory;
    }

    /** Drops what was derived from H (the FFT spectra); call after writing into the buffers. */
    public void changed() {
        memory = null;
    }

    /** Buffer A (Ā as float32), {@code [D, D]}. */
    public float[] aBar() {
        return aBar;
    }

    /** Buffer B (B̄ as float32), {@code [D]}. */
    public float[] bBar() {
        return bBar;
    }

    /** Buffer H, {@code [D, length()]}. */
    public float[] impulseResponse() {
        return h;
    }

    /** Columns of H. */
    public int length() {
        return hLen;
    }

    /** Memory size D. */
    public int memorySize() {
        return memorySize;
    }

    /** Window θ. */
    public double theta() {
        return theta;
    }
}
