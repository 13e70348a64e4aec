package dev.lmuformer.io;

import dev.lmuformer.io.RestrictedUnpickler.StorageRef;
import dev.lmuformer.io.RestrictedUnpickler.TensorRef;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads the state_dict of a {@code torch.save} file: the zip container of PyTorch ≥ 1.6
 * ({@code <name>/data.pkl} plus one {@code <name>/data/<key>} entry per storage) or the older
 * single-stream format. The pickle is read by {@link RestrictedUnpickler}, so nothing in the file
 * is ever executed. A DataParallel {@code module.} prefix is stripped, and a checkpoint that nests
 * the weights under {@code state_dict} or {@code model} is accepted.
 */
public final class PthReader {
    /** Larger pickles are refused: a state_dict's pickle is a few hundred bytes per tensor. */
    private static final long MAX_PICKLE = 64L << 20;
    private static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);

    private PthReader() {
    }

    /** True when the first bytes of a file are those of a zip or a legacy torch.save stream. */
    public static boolean recognises(byte[] head) {
        boolean zip = head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
        boolean legacy = head.length >= 4 && (head[0] & 0xff) == 0x80 && head[1] == 2 && (head[2] & 0xff) == 0x8a && head[3] == 10;
        return zip || legacy;
    }

    /**
     * Reads the tensors of a checkpoint, keyed by their names without {@code module.}.
     *
     * @throws PthFormatException one line naming the file and the problem
     */
    public static Map<String, StoredTensor> read(Path file) {
        byte[] head = new byte[4];
        try (InputStream in = Files.newInputStream(file)) {
            head = Arrays.copyOf(head, in.readNBytes(head, 0, 4));
        } catch (IOException e) {
            throw new PthFormatException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        if (!recognises(head)) throw new PthFormatException(file + ": not a torch.save file (wrong magic bytes)");
        return head[0] == 'P' ? readZip(file) : readLegacy(file);
    }

    private static Map<String, StoredTensor> readZip(Path file) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String prefix = null;
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                String name = en.nextElement().getName();
                int slash = name.indexOf('/');
                if (name.endsWith("data.pkl") && (name.equals("data.pkl") || slash == name.length() - 9)) {
                    prefix = name.substring(0, name.length() - 8);
                    break;
                }
            }
            if (prefix == null) throw new PthFormatException(file + ": zip without a data.pkl (not a torch.save file)");
            String root = prefix;
            byte[] pickle = entry(file, zip, root + "data.pkl", -1);
            Object top = RestrictedUnpickler.load(file + ": data.pkl", pickle);
            Map<String, byte[]> storages = new HashMap<>();
            return tensors(file, top, s -> storages.computeIfAbsent(s.key(), k -> entry(file, zip, root + "data/" + k, s.numel() * s.dtype().width())));
        } catch (IOException | RuntimeException e) {
            if (e instanceof PthFormatException p) throw p;
            throw new PthFormatException(file + ": broken zip container (" + oneLine(e) + ")", e);
        }
    }

    /** An entry's bytes; {@code expected} is its exact size, or -1 for at most MAX_PICKLE. */
    private static byte[] entry(Path file, ZipFile zip, String name, long expected) {
        ZipEntry e = zip.getEntry(name);
        if (e == null) throw new PthFormatException(file + ": archive lacks entry " + Excerpt.of(name));
        long size = e.getSize();
        long limit = expected >= 0 ? expected : MAX_PICKLE;
        if (expected >= 0 && size >= 0 && size != expected) {
            throw new PthFormatException(file + ": storage " + Excerpt.of(name) + " holds " + size + " bytes but its tensors' storage needs " + expected);
        }
        if (size > limit) throw new PthFormatException(file + ": entry " + Excerpt.of(name) + " is too large (" + size + " bytes)");
        try (InputStream in = zip.getInputStream(e)) {
            byte[] bytes = in.readNBytes((int) limit);
            if (expected >= 0 && bytes.length != expected || in.read() >= 0) {
                throw new PthFormatException(file + ": entry " + Excerpt.of(name) + " is truncated or longer than declared");
            }
            return bytes;
        } catch (IOException ex) {
            throw new PthFormatException(file + ": cannot read entry " + Excerpt.of(name) + " (" + oneLine(ex) + ")", ex);
        }
    }

    private static Map<String, StoredTensor> readLegacy(Path file) {
        byte[] bytes;
        try {
            if (Files.size(file) > Integer.MAX_VALUE - 16) throw new PthFormatException(file + ": legacy checkpoint too large");
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new PthFormatException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        RestrictedUnpickler u = RestrictedUnpickler.at(file.toString(), bytes, 0);
        if (!LEGACY_MAGIC.equals(u.next())) throw new PthFormatException(file + ": not a torch.save file (wrong legacy magic number)");
        if (!Long.valueOf(1001).equals(u.next())) throw new PthFormatException(file + ": unknown legacy protocol version");
        if (!(u.next() instanceof Map<?, ?> sysInfo) || !Boolean.TRUE.equals(sysInfo.get("little_endian"))) {
            throw new PthFormatException(file + ": legacy checkpoint is not little-endian");
        }
        Object top = u.next();
        if (!(u.next() instanceof List<?> keys)) throw new PthFormatException(file + ": legacy checkpoint lacks its storage key list");
        // After the pickles: for each key in order, an int64 element count and the raw bytes.
        Map<String, byte[]> raw = new HashMap<>();
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).position(u.position());
        for (Object k : keys) {
            StorageRef ref = u.storages().get(String.valueOf(k));
            if (ref == null) throw new PthFormatException(file + ": legacy storage " + Excerpt.of(String.valueOf(k)) + " is used by no tensor");
            if (b.remaining() < 8) throw new PthFormatException(file + ": legacy checkpoint truncated in its storages");
            long numel = b.getLong();
            if (numel < 0 || numel > b.remaining() / ref.dtype().width()) {
                throw new PthFormatException(file + ": legacy storage " + Excerpt.of(String.valueOf(k)) + " truncated (" + numel + " elements declared)");
            }
            int start = b.position();
            int end = start + (int) numel * ref.dtype().width();
            raw.put(ref.key(), Arrays.copyOfRange(bytes, start, end));
            b.position(end);
        }
        return tensors(file, top, s -> {
            byte[] data = raw.get(s.key());
            if (data == null) throw new PthFormatException(file + ": legacy checkpoint lacks storage " + Excerpt.of(s.key()));
            return data;
        });
    }

    private static Map<String, StoredTensor> tensors(Path file, Object top, Function<StorageRef, byte[]> storage) {
        Map<?, ?> dict = stateDict(file, top);
        Map<String, StoredTensor> out = new LinkedHashMap<>();
        long budget = 0;
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            if (!(e.getKey() instanceof String name)) throw new PthFormatException(file + ": state_dict key " + e.getKey() + " is not a string");
            if (!(e.getValue() instanceof TensorRef t)) throw new PthFormatException(file + ": state_dict entry " + Excerpt.of(name) + " is not a tensor");
            String key = name;
            while (key.startsWith("module.")) key = key.substring(7);
            byte[] data = storage.apply(t.storage());
            if (data.length != t.storage().numel() * t.storage().dtype().width()) {
                throw new PthFormatException(file + ": storage " + Excerpt.of(t.storage().key()) + " of " + Excerpt.of(name) + " holds " + data.length
                        + " bytes, not the " + t.storage().numel() + " " + t.storage().dtype() + " elements its tensors need");
            }
            StoredTensor st = materialise(t, data);
            budget += st.data().length;
            if (budget > Integer.MAX_VALUE) throw new PthFormatException(file + ": tensors exceed 2 GiB in all");
            if (out.put(key, st) != null) throw new PthFormatException(file + ": tensor " + Excerpt.of(key) + " appears twice (with and without 'module.')");
        }
        if (out.isEmpty()) throw new PthFormatException(file + ": the state_dict holds no tensors");
        return out;
    }

    /** The state_dict itself, or the one nested under {@code state_dict} / {@code model}. */
    private static Map<?, ?> stateDict(Path file, Object top) {
        Object at = top;
        for (int depth = 0; depth < 3 && at instanceof Map<?, ?> m; depth++) {
            Object inner = m.get("state_dict") instanceof Map ? m.get("state_dict") : m.get("model");
            if (!(inner instanceof Map)) return m;
            at = inner;
        }
        if (at instanceof Map<?, ?> m) return m;
        throw new PthFormatException(file + ": holds no state_dict (a dict of tensors)");
    }

    /** Copies a tensor's elements out of its storage into row-major order. */
    private static StoredTensor materialise(TensorRef t, byte[] storage) {
        int width = t.storage().dtype().width();
        int[] shape = t.shape();
        int n = (int) StoredTensor.numel(shape);
        byte[] out = new byte[n * width];
        if (n == 0) return new StoredTensor(t.storage().dtype(), shape, out);
        if (contiguous(shape, t.stride())) {
            System.arraycopy(storage, (int) t.offset() * width, out, 0, out.length);
            return new StoredTensor(t.storage().dtype(), shape, out);
        }
        long[] index = new long[shape.length];
        for (int i = 0; i < n; i++) {
            long at = t.offset();
            for (int d = 0; d < shape.length; d++) at += index[d] * t.stride()[d];
            System.arraycopy(storage, (int) at * width, out, i * width, width);
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++index[d] < shape[d]) break;
                index[d] = 0;
            }
        }
        return new StoredTensor(t.storage().dtype(), shape, out);
    }

    private static boolean contiguous(int[] shape, long[] stride) {
        long expect = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && stride[d] != expect) return false;
            expect *= shape[d];
        }
        return true;
    }

    private static String oneLine(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.lines().findFirst().orElse(m);
    }
}
