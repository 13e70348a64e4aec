package dev.lmuformer.io;


import java.util.Map;

/** The typed storage classes of {@code torch.save} (module {@code torch}) and their element types. */
final class TorchStorage {
    private static final Map<String, Dtype> BY_CLASS = Map.ofEntries(
            Map.entry("FloatStorage", Dtype.F32), Map.entry("DoubleStorage", Dtype.F64),
            Map.entry("HalfStorage", Dtype.F16), Map.entry("BFloat16Storage", Dtype.BF16),
            Map.entry("LongStorage", Dtype.I64), Map.entry("IntStorage", Dtype.I32),
            Map.entry("ShortStorage", Dtype.I16), Map.entry("CharStorage", Dtype.I8),
            Map.entry("ByteStorage", Dtype.U8), Map.entry("BoolStorage", Dtype.BOOL),
            Map.entry("ComplexFloatStorage", Dtype.C64));

    private TorchStorage() {
    }

    /** The element type of a storage class name, or null when it is not a storage class. */
    static Dtype dtype(String className) {
        return BY_CLASS.get(className);
    }

    /** The storage class name for an element type. */
    static String className(Dtype dtype) {
        for (Map.Entry<String, Dtype> e : BY_CLASS.entrySet()) if (e.getValue() == dtype) return e.getKey();
        throw new IllegalArgumentException("no torch storage for " + dtype);
    }
}
