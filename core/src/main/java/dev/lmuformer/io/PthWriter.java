package dev.lmuformer.io;


import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a state_dict as {@code torch.save} does, so that {@code torch.load(f, weights_only=True)}
 * reads it: a zip of {@code archive/data.pkl} (a protocol-2 pickle of a dict of
 * {@code _rebuild_tensor_v2} calls), {@code archive/byteorder}, one {@code archive/data/<i>} entry
 * per tensor and {@code archive/version}, every entry stored uncompressed with its data 64-byte
 * aligned.
 */
public final class PthWriter {
    private static final int ALIGN = 64;
    private static final String ROOT = "archive/";

    private PthWriter() {
    }

    /** Writes the tensors (contiguous, any type with a torch storage class) atomically. */
    public static void write(Path file, Map<String, StoredTensor> tensors) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            put(zip, bytes, "data.pkl", pickle(file, tensors));
            put(zip, bytes, "byteorder", "little".getBytes(StandardCharsets.US_ASCII));
            int i = 0;
            for (StoredTensor t : tensors.values()) put(zip, bytes, "data/" + i++, t.data());
            put(zip, bytes, "version", "3\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new FormatException(file + ": cannot write (" + e.getMessage() + ")", e);
        }
        AtomicFiles.write(file, bytes.toByteArray());
    }

    private static void put(ZipOutputStream zip, ByteArrayOutputStream sink, String name, byte[] data) throws IOException {
        zip.flush();
        String full = ROOT + name;
        int nameLen = full.getBytes(StandardCharsets.UTF_8).length;
        // Pad the local header with an extra field (id "FB", as torch's writer uses) so the data starts on a 64-byte boundary.
        int pad = Math.floorMod(-(sink.size() + 30 + nameLen + 4), ALIGN);
        byte[] extra = new byte[4 + pad];
        extra[0] = 'F';
        extra[1] = 'B';
        extra[2] = (byte) pad;
        extra[3] = (byte) (pad >>> 8);
        Arrays.fill(extra, 4, extra.length, (byte) 'Z');
        ZipEntry e = new ZipEntry(full);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        e.setTimeLocal(LocalDateTime.of(2000, 1, 1, 0, 0)); // fixed, for reproducible files; within DOS range so no timestamp extra field shifts the data
        e.setExtra(extra);
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    /** The pickle: {@code {name: _rebuild_tensor_v2((storage persistent id), 0, size, stride, False, OrderedDict())}}. */
    private static byte[] pickle(Path file, Map<String, StoredTensor> tensors) {
        Pickle p = new Pickle();
        p.op(0x80).op(2).op('}').op('(');
        int key = 0;
        for (Map.Entry<String, StoredTensor> e : tensors.entrySet()) {
            StoredTensor t = e.getValue();
            String storage;
            try {
                storage = TorchStorage.className(t.dtype());
            } catch (IllegalArgumentException ex) {
                throw new FormatException(file + ": tensor '" + e.getKey() + "' has type " + t.dtype() + ", which torch cannot store");
            }
            int[] shape = t.shape();
            long[] stride = new long[shape.length];
            long s = 1;
            for (int d = shape.length - 1; d >= 0; d--) {
                stride[d] = s;
                s *= shape[d];
            }
            p.str(e.getKey()).global("torch._utils", "_rebuild_tensor_v2").op('(');
            p.op('(').str("storage").global("torch", storage).str(String.valueOf(key++)).str("cpu").integer(t.numel()).op('t').op('Q');
            p.integer(0).tuple(Arrays.stream(shape).asLongStream().toArray()).tuple(stride).op(0x89);
            p.global("collections", "OrderedDict").op(')').op('R');
            p.op('t').op('R');
        }
        return p.op('u').op('.').bytes();
    }

    /** Pickle opcodes of protocol 2. */
    private static final class Pickle {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pickle op(int code) {
            out.write(code);
            return this;
        }

        Pickle str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op('X').le(b.length, 4);
            out.writeBytes(b);
            return this;
        }

        Pickle global(String module, String name) {
            op('c');
            out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        Pickle integer(long v) {
            if (v >= 0 && v < 0x100) return op('K').le(v, 1);
            if (v >= 0 && v < 0x10000) return op('M').le(v, 2);
            if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) return op('J').le(v, 4);
            return op(0x8a).op(8).le(v, 8); // LONG1, two's complement little-endian
        }

        Pickle tuple(long[] items) {
            if (items.length == 0) return op(')');
            if (items.length > 3) op('(');
            for (long v : items) integer(v);
            return op(items.length > 3 ? 't' : 0x84 + items.length);
        }

        private Pickle le(long v, int n) {
            for (int i = 0; i < n; i++) out.write((int) (v >>> (8 * i)));
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
