package dev.lmuformer.io;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.lmuformer.engine.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reader and writer of the safetensors format: an 8-byte little-endian header length, a JSON
 * header mapping each tensor name to {@code dtype}, {@code shape} and {@code data_offsets} (plus an
 * optional {@code __metadata__} map of strings), then the raw little-endian data.
 */
public final class Safetensors {
    /** Headers larger than this are refused rather than read into memory. */
    private static final long MAX_HEADER = 100L << 20;

    private final String source;
    private final ByteBuffer data;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private record Entry(String dtype, int[] shape, int begin, int end) {
    }

    private Safetensors(String source, ByteBuffer data, Map<String, Entry> entries, Map<String, String> metadata) {
        this.source = source;
        this.data = data;
        this.entries = entries;
        this.metadata = metadata;
    }

    /** Reads a whole file; throws {@link FormatException} naming the file if it is not valid safetensors. */
    public static Safetensors read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new FormatException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        return parse(file.toString(), bytes);
    }

    /** Parses safetensors bytes; {@code source} names them in error messages. */
    public static Safetensors parse(String source, byte[] bytes) {
        if (bytes.length < 8) throw new FormatException(source + ": not a safetensors file (only " + bytes.length + " bytes)");
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen = buf.getLong(0);
        if (headerLen < 2 || headerLen > MAX_HEADER || headerLen > bytes.length - 8) {
            throw new FormatException(source + ": not a safetensors file (header length " + headerLen + " for a file of " + bytes.length + " bytes)");
        }
        Map<String, Object> header;
        try {
            header = JSON.std.mapFrom(new String(bytes, 8, (int) headerLen, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            throw new FormatException(source + ": safetensors header is not valid JSON (" + Excerpt.ofMessage(e.getMessage()) + ")", e);
        }
        int base = 8 + (int) headerLen;
        int dataLen = bytes.length - base;
        Map<String, Entry> entries = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : header.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                if (!(e.getValue() instanceof Map)) throw new FormatException(source + ": __metadata__ is not an object");
                for (Map.Entry<?, ?> m : ((Map<?, ?>) e.getValue()).entrySet()) {
                    if (!(m.getValue() instanceof String)) throw new FormatException(source + ": __metadata__ value " + Excerpt.of(String.valueOf(m.getKey()))
                            + " is not a string");
                    metadata.put(String.valueOf(m.getKey()), (String) m.getValue());
                }
                continue;
            }
            entries.put(e.getKey(), entry(source, e.getKey(), e.getValue(), dataLen));
        }
        ByteBuffer data = ByteBuffer.wrap(bytes, base, dataLen).slice().order(ByteOrder.LITTLE_ENDIAN);
        return new Safetensors(source, data, Collections.unmodifiableMap(entries), Collections.unmodifiableMap(metadata));
    }

    private static Entry entry(String source, String name, Object value, int dataLen) {
        String where = source + ": tensor " + Excerpt.of(name);
        if (!(value instanceof Map)) throw new FormatException(where + " is not described by an object");
        Map<?, ?> m = (Map<?, ?>) value;
        if (!(m.get("dtype") instanceof String)) throw new FormatException(where + " has no dtype");
        String dtype = (String) m.get("dtype");
        int width = width(dtype);
        if (width == 0) throw new FormatException(where + " has unsupported dtype " + Excerpt.of(String.valueOf(dtype)));
        if (!(m.get("shape") instanceof List) || !(m.get("data_offsets") instanceof List)) {
            throw new FormatException(where + " lacks shape or data_offsets");
        }
        List<?> shapeList = (List<?>) m.get("shape");
        int[] shape = new int[shapeList.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            long d = asLong(shapeList.get(i), where + " shape");
            if (d < 0 || d > Integer.MAX_VALUE) throw new FormatException(where + " has a bad dimension " + d);
            shape[i] = (int) d;
            count *= d;
            if (count > Integer.MAX_VALUE) throw new FormatException(where + " is too large");
        }
        List<?> offsets = (List<?>) m.get("data_offsets");
        if (offsets.size() != 2) throw new FormatException(where + " data_offsets must have two numbers");
        long begin = asLong(offsets.get(0), where + " data_offsets");
        long end = asLong(offsets.get(1), where + " data_offsets");
        if (begin < 0 || end < begin || end > dataLen) {
            throw new FormatException(where + " data_offsets [" + begin + ", " + end + "] outside the " + dataLen + " data bytes (truncated file?)");
        }
        if (end - begin != count * width) {
            throw new FormatException(where + " has " + (end - begin) + " bytes but shape " + java.util.Arrays.toString(shape) + " of " + dtype + " needs "
                    + count * width);
        }
        return new Entry(dtype, shape, (int) begin, (int) end);
    }

    private static long asLong(Object o, String where) {
        if (o instanceof Number && !(o instanceof Double) && !(o instanceof Float)) return ((Number) o).longValue();
        throw new FormatException(where + " holds a non-integer value " + Excerpt.of(String.valueOf(o)));
    }

    private static int width(String dtype) {
        Dtype d = Dtype.ofName(dtype);
        return d == null ? 0 : d.width();
    }

    /** Where the data came from (for messages). */
    public String source() {
        return source;
    }

    /** The {@code __metadata__} map (empty if absent). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Tensor names in file order. */
    public Set<String> names() {
        return entries.keySet();
    }

    /** True when a tensor of that name exists. */
    public boolean has(String name) {
        return entries.containsKey(name);
    }

    /** Shape of a tensor. */
    public int[] shape(String name) {
        return get(name).shape.clone();
    }

    /** Data type of a tensor ("F32", "F64", "I64" ...). */
    public String dtype(String name) {
        return get(name).dtype;
    }

    private Entry get(String name) {
        Entry e = entries.get(name);
        if (e == null) throw new FormatException(source + ": no tensor named '" + name + "'");
        return e;
    }

    /** A tensor converted to float32 (from F32, F64, F16, BF16 or an integer type). */
    public Tensor tensor(String name) {
        try {
            return stored(name).toTensor();
        } catch (IllegalArgumentException e) {
            throw new FormatException(source + ": tensor '" + name + "': " + e.getMessage(), e);
        }
    }

    /** A tensor's bytes as stored, with its type and shape. */
    public StoredTensor stored(String name) {
        Entry e = get(name);
        byte[] bytes = new byte[e.end - e.begin];
        data.duplicate().position(e.begin).get(bytes);
        return new StoredTensor(Dtype.ofName(e.dtype), e.shape, bytes);
    }

    /** A floating-point tensor in double precision (F64 exactly, F32 widened). */
    public double[] doubles(String name) {
        Entry e = get(name);
        ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.position(e.begin);
        if (e.dtype.equals("F64")) {
            double[] out = new double[(e.end - e.begin) / 8];
            b.asDoubleBuffer().get(out);
            return out;
        }
        float[] f = tensor(name).data;
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) out[i] = f[i];
        return out;
    }

    /**
     * Writes float32 tensors and string metadata, atomically: to a temporary file beside the
     * target, then renamed over it.
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        Map<String, StoredTensor> stored = new LinkedHashMap<>();
        tensors.forEach((name, t) -> stored.put(name, StoredTensor.of(t)));
        writeStored(file, stored, metadata);
    }

    /** Writes tensors of any type but complex, bit for bit, and string metadata, atomically. */
    public static void writeStored(Path file, Map<String, StoredTensor> tensors, Map<String, String> metadata) {
        Map<String, Object> header = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) header.put("__metadata__", new LinkedHashMap<>(metadata));
        long offset = 0;
        for (Map.Entry<String, StoredTensor> e : tensors.entrySet()) {
            StoredTensor t = e.getValue();
            if (t.dtype() == Dtype.C64) throw new FormatException(file + ": tensor '" + e.getKey() + "' is complex; split it into .real and .imag");
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("dtype", t.dtype().name());
            d.put("shape", t.shape());
            d.put("data_offsets", new long[] {offset, offset + t.data().length});
            offset += t.data().length;
            header.put(e.getKey(), d);
        }
        byte[] json;
        try {
            json = JSON.std.asString(header).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new FormatException(file + ": cannot encode header (" + e.getMessage() + ")", e);
        }
        int pad = (8 - json.length % 8) % 8; // keep the data 8-byte aligned, as the reference writer does
        long total = 8 + json.length + pad + offset;
        if (total > Integer.MAX_VALUE) throw new FormatException(file + ": checkpoint too large for one buffer");
        ByteBuffer out = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(json.length + pad).put(json);
        for (int i = 0; i < pad; i++) out.put((byte) ' ');
        for (StoredTensor t : tensors.values()) out.put(t.data());
        AtomicFiles.write(file, out.array());
    }
}
