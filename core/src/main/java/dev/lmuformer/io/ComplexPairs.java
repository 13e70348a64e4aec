package dev.lmuformer.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Complex tensors (the reference's {@code fft_H}) in safetensors files, which have no complex
 * type: {@code name} becomes {@code name.real} and {@code name.imag}, as in the golden files.
 */
public final class ComplexPairs {
    private ComplexPairs() {
    }

    /** Replaces each complex64 tensor by its float32 real and imaginary parts. */
    public static Map<String, StoredTensor> split(Map<String, StoredTensor> tensors) {
        Map<String, StoredTensor> out = new LinkedHashMap<>();
        tensors.forEach((name, t) -> {
            if (t.dtype() != Dtype.C64) {
                out.put(name, t);
                return;
            }
            int n = (int) t.numel();
            byte[] re = new byte[4 * n], im = new byte[4 * n];
            for (int i = 0; i < n; i++) {
                System.arraycopy(t.data(), 8 * i, re, 4 * i, 4);
                System.arraycopy(t.data(), 8 * i + 4, im, 4 * i, 4);
            }
            out.put(name + ".real", new StoredTensor(Dtype.F32, t.shape(), re));
            out.put(name + ".imag", new StoredTensor(Dtype.F32, t.shape(), im));
        });
        return out;
    }

    /** The inverse of {@link #split}: joins float32 {@code x.real} / {@code x.imag} pairs of one shape into {@code x}. */
    public static Map<String, StoredTensor> join(Map<String, StoredTensor> tensors) {
        Map<String, StoredTensor> out = new LinkedHashMap<>();
        tensors.forEach((name, t) -> {
            if (name.endsWith(".imag") && pair(tensors.get(stem(name) + ".real"), t)) return;
            StoredTensor im = name.endsWith(".real") ? tensors.get(stem(name) + ".imag") : null;
            if (!pair(t, im)) {
                out.put(name, t);
                return;
            }
            int n = (int) t.numel();
            ByteBuffer b = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) b.put(t.data(), 4 * i, 4).put(im.data(), 4 * i, 4);
            out.put(stem(name), new StoredTensor(Dtype.C64, t.shape(), b.array()));
        });
        return out;
    }

    private static String stem(String name) {
        return name.substring(0, name.length() - 5);
    }

    private static boolean pair(StoredTensor re, StoredTensor im) {
        return re != null && im != null && re.dtype() == Dtype.F32 && im.dtype() == Dtype.F32 && Arrays.equals(re.shape(), im.shape());
    }
}
