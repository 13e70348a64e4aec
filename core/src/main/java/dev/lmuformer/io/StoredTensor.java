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

    /**
     * This tensor in IEEE half precision, each value rounded to the nearest (ties to even);
     * magnitudes past 65,504 become infinite, below 2^-24 zero. For shipping weights small:
     * {@link #toTensor} widens them back exactly.
     *
     * @throws IllegalArgumentException for a tensor that is not floating point
     */
    public StoredTensor toF16() {
        if (!dtype.isFloat()) throw new IllegalArgumentException("a " + dtype + " tensor has no half-precision form");
        if (dtype == Dtype.F16) return this;
        float[] v = toTensor().data;
        ByteBuffer b = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putShort(floatToHalf(x));
        return new StoredTensor(Dtype.F16, shape, b.array());
    }

    /** Round to nearest even, as IEEE 754 narrows (and as JDK 20's Float.floatToFloat16 does). */
    static short floatToHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xff;
        int mant = bits & 0x7fffff;
        if (exp == 0xff) return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0)); // NaN stays NaN
        int e = exp - 127 + 15;
        if (e >= 31) return (short) (sign | 0x7c00);
        if (e <= 0) { // subnormal half, or zero
            if (e < -10) return (short) sign;
            int m = mant | 0x800000;
            int shift = 14 - e; // 1 - e + 13
            int half = m >>> shift;
            int rest = m & ((1 << shift) - 1), mid = 1 << (shift - 1);
            if (rest > mid || rest == mid && (half & 1) != 0) half++;
            return (short) (sign | half);
        }
        int half = e << 10 | mant >>> 13;
        int rest = mant & 0x1fff;
        if (rest > 0x1000 || rest == 0x1000 && (half & 1) != 0) half++; // a carry into the exponent is right, up to infinity
        return (short) (sign | half);
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
