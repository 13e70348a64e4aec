package dev.lmuformer.checkpoint;

import dev.lmuformer.model.ModelConfig;
import dev.lmuformer.model.Models;
import dev.lmuformer.model.SequenceModel;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Hand-made checkpoint bytes for the reader's tests: zips with chosen entries, and pickle fragments. */
final class PthFixtures {
    private PthFixtures() {
    }

    /** A tiny lmu_rnn_conv1d (C 4, F 4, 3 classes, N 8) with seeded weights. */
    static SequenceModel tinyModel() {
        return Models.create(new ModelConfig.Keyword("lmu_rnn_conv1d", 4, 1, 2, 4, 3, 1, 8, 8));
    }

    /** A zip holding the given entries (name → bytes) under {@code archive/}, stored uncompressed. */
    static byte[] zip(Map<String, byte[]> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            z.setMethod(ZipOutputStream.DEFLATED);
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                z.putNextEntry(new ZipEntry("archive/" + e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Builder of protocol-2 pickle bytes. */
    static final class Pickle {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pickle() {
            op(0x80).op(2);
        }

        Pickle op(int... codes) {
            for (int c : codes) out.write(c);
            return this;
        }

        Pickle str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op('X', b.length & 0xff, b.length >>> 8 & 0xff, 0, 0);
            out.writeBytes(b);
            return this;
        }

        Pickle global(String module, String name) {
            op('c');
            out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        Pickle small(int v) {
            return op('K', v);
        }

        Pickle int4(int v) {
            return op('J', v & 0xff, v >>> 8 & 0xff, v >>> 16 & 0xff, v >>> 24);
        }

        /** {@code _rebuild_tensor_v2(storage(FloatStorage, key, numel), offset, shape, stride, False, OrderedDict())}. */
        Pickle floatTensor(String key, int numel, int offset, int[] shape, int[] stride) {
            global("torch._utils", "_rebuild_tensor_v2").op('(');
            op('(').str("storage").global("torch", "FloatStorage").str(key).str("cpu").int4(numel).op('t', 'Q');
            int4(offset).op('(');
            for (int s : shape) int4(s);
            op('t', '(');
            for (int s : stride) int4(s);
            op('t', 0x89).global("collections", "OrderedDict").op(')', 'R', 't', 'R');
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
