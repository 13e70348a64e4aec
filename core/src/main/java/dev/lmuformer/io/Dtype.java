package dev.lmuformer.io;

/**
 * Element types of stored tensors, named as in safetensors ({@code C64} is a complex pair of
 * float32, which safetensors files of this project keep as separate {@code .real} / {@code .imag}
 * tensors).
 */
public enum Dtype {
    /** float64. */
    F64(8),
    /** float32. */
    F32(4),
    /** IEEE half precision. */
    F16(2),
    /** bfloat16. */
    BF16(2),
    /** int64. */
    I64(8),
    /** int32. */
    I32(4),
    /** int16. */
    I16(2),
    /** int8. */
    I8(1),
    /** uint8. */
    U8(1),
    /** bool, one byte. */
    BOOL(1),
    /** complex64: real and imaginary float32, interleaved. */
    C64(8);

    private final int width;

    Dtype(int width) {
        this.width = width;
    }

    /** Bytes per element. */
    public int width() {
        return width;
    }

    /** True for real floating-point types. */
    public boolean isFloat() {
        return this == F64 || this == F32 || this == F16 || this == BF16;
    }

    /** The type of a safetensors dtype name, or null when it is not one of these. */
    public static Dtype ofName(String name) {
        for (Dtype d : values()) if (d.name().equals(name)) return d;
        return null;
    }
}
