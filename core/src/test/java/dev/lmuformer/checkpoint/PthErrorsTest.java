package dev.lmuformer.checkpoint;

import dev.lmuformer.io.PthFormatException;
import dev.lmuformer.io.PthWriter;
import dev.lmuformer.io.PthReader;
import dev.lmuformer.checkpoint.PthFixtures.Pickle;
import dev.lmuformer.io.FormatException;
import dev.lmuformer.io.StoredTensor;
import dev.lmuformer.model.SequenceModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Broken checkpoints give one-line errors that name the file and the problem. */
class PthErrorsTest {
    @TempDir
    Path dir;

    private Path write(byte[] bytes) throws IOException {
        Path f = dir.resolve("model.pth");
        Files.write(f, bytes);
        return f;
    }

    private <T extends FormatException> T assertOneLine(Class<T> type, Path f, String expected) {
        T e = assertThrows(type, () -> Checkpoint.load(f));
        assertTrue(e.getMessage().startsWith(f.toString() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e;
    }

    private byte[] tinyPth() throws IOException {
        SequenceModel model = PthFixtures.tinyModel();
        Map<String, StoredTensor> tensors = new LinkedHashMap<>();
        model.state().tensors().forEach((k, t) -> tensors.put(k, StoredTensor.of(t)));
        Path f = dir.resolve("tiny.pth");
        PthWriter.write(f, tensors);
        return Files.readAllBytes(f);
    }

    @Test
    void truncatedZipsAreRefused() throws IOException {
        byte[] full = tinyPth();
        assertEquals("lmu_rnn_conv1d", Checkpoint.load(write(full)).model().arch());
        for (int cut : new int[] {4, 100, full.length / 2, full.length - 30, full.length - 1}) {
            assertOneLine(PthFormatException.class, write(Arrays.copyOf(full, cut)), "broken zip container");
        }
    }

    @Test
    void wrongMagicIsRefused() throws IOException {
        byte[] bytes = tinyPth();
        bytes[2] = 9;
        assertOneLine(FormatException.class, write(bytes), "not a safetensors file");
        Path f = dir.resolve("x.pth");
        Files.write(f, "PK\u0005\u0006 not really".getBytes());
        assertThrows(PthFormatException.class, () -> PthReader.read(f)).getMessage().contains("wrong magic bytes");
    }

    @Test
    void missingDataPklIsRefused() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("version", "3\n".getBytes());
        entries.put("data/0", new byte[16]);
        assertOneLine(PthFormatException.class, write(PthFixtures.zip(entries)), "zip without a data.pkl");
    }

    @Test
    void tensorsThatOutgrowTheirStoragesAreRefused() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        // Shape [4, 3] needs 12 elements but the storage declares 10.
        entries.put("data.pkl", new Pickle().op('}').str("w").floatTensor("0", 10, 0, new int[] {4, 3}, new int[] {3, 1}).op('s', '.').bytes());
        entries.put("data/0", new byte[40]);
        assertOneLine(PthFormatException.class, write(PthFixtures.zip(entries)), "reaches past its storage '0' of 10 elements");
        // The pickle declares 12 elements, the storage entry holds 10.
        entries.put("data.pkl", new Pickle().op('}').str("w").floatTensor("0", 12, 0, new int[] {4, 3}, new int[] {3, 1}).op('s', '.').bytes());
        assertOneLine(PthFormatException.class, write(PthFixtures.zip(entries)), "holds 40 bytes but its tensors' storage needs 48");
        // A storage entry that is missing altogether.
        entries.remove("data/0");
        assertOneLine(PthFormatException.class, write(PthFixtures.zip(entries)), "lacks entry 'archive/data/0'");
    }

    @Test
    void stridedViewsAreGathered() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        // A transposed [3, 2] view of a row-major [2, 3] storage 0..5 reads 0 3 1 4 2 5.
        ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 6; i++) b.putFloat(i);
        entries.put("data.pkl", new Pickle().op('}').str("module.t").floatTensor("0", 6, 0, new int[] {3, 2}, new int[] {1, 3}).op('s', '.').bytes());
        entries.put("data/0", b.array());
        Map<String, StoredTensor> t = PthReader.read(write(PthFixtures.zip(entries)));
        assertEquals(1, t.size());
        assertTrue(Arrays.equals(new float[] {0, 3, 1, 4, 2, 5}, t.get("t").toTensor().data), Arrays.toString(t.get("t").toTensor().data));
    }

    @Test
    void legacyFormatIsReadAndItsTruncationRefused() throws IOException {
        java.io.ByteArrayOutputStream f = new java.io.ByteArrayOutputStream();
        f.writeBytes(new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19, '.'});
        f.writeBytes(new byte[] {(byte) 0x80, 2, 'M', (byte) 0xe9, 3, '.'}); // protocol version 1001
        f.writeBytes(new Pickle().op('}').str("little_endian").op(0x88, 's', '.').bytes());
        // {'module.w': tensor over storage ('storage', FloatStorage, 'k', 'cpu', 3, None)}
        f.writeBytes(new Pickle().op('}').str("module.w").global("torch._utils", "_rebuild_tensor_v2").op('(', '(').str("storage")
                .global("torch", "FloatStorage").str("k").str("cpu").small(3).op('N', 't', 'Q').small(0).small(3).op(0x85).small(1).op(0x85, 0x89)
                .global("collections", "OrderedDict").op(')', 'R', 't', 'R', 's', '.').bytes());
        f.writeBytes(new Pickle().op(']').str("k").op('a', '.').bytes());
        ByteBuffer raw = ByteBuffer.allocate(8 + 12).order(ByteOrder.LITTLE_ENDIAN).putLong(3).putFloat(1.5f).putFloat(-2f).putFloat(3.25f);
        f.writeBytes(raw.array());
        byte[] bytes = f.toByteArray();
        Map<String, StoredTensor> t = PthReader.read(write(bytes));
        assertTrue(Arrays.equals(new float[] {1.5f, -2f, 3.25f}, t.get("w").toTensor().data));
        assertOneLine(PthFormatException.class, write(Arrays.copyOf(bytes, bytes.length - 4)), "legacy storage 'k' truncated");
    }

    @Test
    void shapesThatDoNotFitTheArchitectureAreRefused() throws IOException {
        SequenceModel model = PthFixtures.tinyModel();
        Map<String, StoredTensor> tensors = new LinkedHashMap<>();
        model.state().tensors().forEach((k, t) -> tensors.put(k, StoredTensor.of(t)));
        tensors.put("head.bias", StoredTensor.of(new dev.lmuformer.engine.Tensor(2)));
        Path f = dir.resolve("bad.pth");
        PthWriter.write(f, tensors);
        assertOneLine(PthFormatException.class, f, "tensor 'head.bias' has shape [2] but the model needs [3]");
        tensors.remove("head.weight");
        PthWriter.write(f, tensors);
        assertOneLine(PthFormatException.class, f, "tensor 'head.weight' is missing, so the sizes cannot be inferred");
    }

    @Test
    void nestedCheckpointsAndOtherContentAreHandled() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("data/0", new byte[8]);
        // {'epoch': 3, 'best': 0.5, 'state_dict': {'module.w': tensor}}
        entries.put("data.pkl", new Pickle().op('}', '(').str("epoch").small(3).str("best").op('G', 0x3f, 0xe0, 0, 0, 0, 0, 0, 0)
                .str("state_dict").op('}').str("module.w").floatTensor("0", 2, 0, new int[] {2}, new int[] {1}).op('s', 'u', '.').bytes());
        assertEquals(Map.of("w", 2L), Map.of("w", PthReader.read(write(PthFixtures.zip(entries))).get("w").numel()));
        // A bare list is no state_dict.
        entries.put("data.pkl", new Pickle().op(']', '.').bytes());
        assertOneLine(PthFormatException.class, write(PthFixtures.zip(entries)), "holds no state_dict");
        // A dict entry that is not a tensor.
        entries.put("data.pkl", new Pickle().op('}').str("w").small(1).op('s', '.').bytes());
        assertOneLine(PthFormatException.class, write(PthFixtures.zip(entries)), "state_dict entry 'w' is not a tensor");
    }
}
