package dev.lmuformer.io;

import dev.lmuformer.engine.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor exactly as a file stores it: element type, shape and contiguous little-endian bytes.
 * Converting between checkpoint formats goes through this type so that no bit is lost.
 *
 * @param dtype element type
 * @param shape dimensions (empty for a scalar)
 * @param data  {@code numel · dtype.width()} bytes, row-major, little-endian
 */
public record StoredTensor(Dtype dtype, int[] shape, byte[] data) {
    /** Checks that the bytes fit the shape. */
    public StoredTensor {
        shape = shape.clone();
        if (numel(shape) * dtype.width() != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " of " + dtype + " needs "
                    + numel(shape) * dtype.width() + " bytes, got " + data.length);
        }
    }

    /** Number of elements of a shape (1 for a scalar). */
    public static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    /** The bytes of a float32 tensor. */
    public static StoredTensor of(Tensor t) {
        ByteBuffer b = ByteBuffer.allocate(4 * t.size()).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(t.data);
        return new StoredTensor(Dtype.F32, t.shape(), b.array());
    }

    /** Number of elements. */
    public long numel() {
        return numel(shape);
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** Little-endian view of the bytes. */
    public ByteBuffer buffer() {
        return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The values as float32 (exact for F32, F16, BF16 and small integers; F64 rounded).
     *
     * @throws IllegalArgumentException for complex tensors
     */
    public Tensor toTensor() {
        int n = (int) numel();
        float[] out = new float[n];
        ByteBuffer b = buffer();
        switch (dtype) {
            case F32 -> b.asFloatBuffer().get(out);
            case F64 -> { for (int i = 0; i < n; i++) out[i] = (float) b.getDouble(); }
            case F16 -> { for (int i = 0; i < n; i++) out[i] = halfToFloat(b.getShort()); }
            case BF16 -> { for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat((b.getShort() & 0xffff) << 16); }
            case I64 -> { for (int i = 0; i < n; i++) out[i] = b.getLong(); }
            case I32 -> { for (int i = 0; i < n; i++) out[i] = b.getInt(); }
            case I16 -> { for (int i = 0; i < n; i++) out[i] = b.getShort(); }
            case U8, BOOL -> { for (int i = 0; i < n; i++) out[i] = b.get() & 0xff; }
            case I8 -> { for (int i = 0; i < n; i++) out[i] = b.get(); }
            case C64 -> throw new IllegalArgumentException("a complex tensor has no float32 values");
        }
        return new Tensor(out, shape);
    }

    /**
     * This tensor as float32, bit for bit where it already is; F16 and BF16 widen exactly and
     * F64 rounds. Other types are returned unchanged.
     */
    public StoredTensor toF32() {
        return dtype.isFloat() && dtype != Dtype.F32 ? of(toTensor()) : this;
    }

    private static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0) return (sign != 0 ? -1f : 1f) * mant * 0x1p-24f;
        if (exp == 31) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredTensor s && dtype == s.dtype && Arrays.equals(shape, s.shape) && Arrays.equals(data, s.data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return dtype + Arrays.toString(shape);
    }
}
