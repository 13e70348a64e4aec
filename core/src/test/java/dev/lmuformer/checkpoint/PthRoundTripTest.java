package dev.lmuformer.checkpoint;

import dev.lmuformer.io.PthReader;
import dev.lmuformer.io.Dtype;
import dev.lmuformer.io.Safetensors;
import dev.lmuformer.io.StoredTensor;
import dev.lmuformer.model.SequenceModel;
import dev.lmuformer.testing.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Conversions keep every tensor bit for bit, and the .pth written has torch's layout. */
class PthRoundTripTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"compact/slmu_rnn_ms_conv1d.dim32.dataparallel.pth", "full/lmu_rnn_conv1d.dataparallel.pth"})
    void pthToSafetensorsToPthKeepsEveryBit(String golden) throws IOException {
        Path pth = Golden.file(golden);
        Path st = dir.resolve("model.safetensors");
        Path back = dir.resolve("back.pth");
        Checkpoint.convert(pth, st);
        Checkpoint.convert(st, back);
        Map<String, StoredTensor> before = PthReader.read(pth);
        Map<String, StoredTensor> after = PthReader.read(back);
        assertEquals(new ArrayList<>(before.keySet()), new ArrayList<>(after.keySet()));
        before.forEach((k, v) -> assertEquals(v, after.get(k), k));
        assertTrue(before.values().stream().anyMatch(t -> t.dtype() == Dtype.C64), "fft_H should be complex");
        assertTrue(before.values().stream().anyMatch(t -> t.dtype() == Dtype.I64), "num_batches_tracked should be int64");
        // The safetensors in between is a project checkpoint with explicit arch and config.
        Safetensors mid = Safetensors.read(st);
        assertEquals(Checkpoint.load(pth).model().arch(), mid.metadata().get(Checkpoint.ARCH));
        assertTrue(mid.has("block.0.attn.lmu.fft_H.real") && mid.has("block.0.attn.lmu.fft_H.imag"));
        assertEquals("I64", mid.dtype("block.0.mlp.fc1_bn.num_batches_tracked"));
        assertTorchLayout(back, after.size());
    }

    @Test
    void projectCheckpointToPthAndBackKeepsEveryBit() throws IOException {
        SequenceModel model = PthFixtures.tinyModel();
        Path st = dir.resolve("tiny.safetensors");
        Checkpoint.save(st, model, Map.of());
        Path pth = dir.resolve("tiny.pt");
        Path back = dir.resolve("back.safetensors");
        Checkpoint.convert(st, pth);
        Checkpoint.convert(pth, back);
        Safetensors a = Safetensors.read(st);
        Safetensors b = Safetensors.read(back);
        assertEquals(new ArrayList<>(a.names()), new ArrayList<>(b.names()));
        for (String n : a.names()) assertEquals(a.stored(n), b.stored(n), n);
        assertEquals("lmu_rnn_conv1d", b.metadata().get(Checkpoint.ARCH));
        assertTorchLayout(pth, a.names().size());
    }

    /** Walks the zip's local headers: torch's entry names in order, stored, data 64-byte aligned. */
    private static void assertTorchLayout(Path pth, int tensors) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(pth)).order(ByteOrder.LITTLE_ENDIAN);
        List<String> names = new ArrayList<>();
        int at = 0;
        while (b.getInt(at) == 0x04034b50) {
            assertEquals(0, b.getShort(at + 8), "compression method");
            int size = b.getInt(at + 18);
            int nameLen = b.getShort(at + 26) & 0xffff;
            int extraLen = b.getShort(at + 28) & 0xffff;
            String name = new String(b.array(), at + 30, nameLen, StandardCharsets.UTF_8);
            int data = at + 30 + nameLen + extraLen;
            assertEquals(0, data % 64, name + " data offset " + data);
            if (name.equals("archive/version")) assertEquals("3\n", new String(b.array(), data, size, StandardCharsets.US_ASCII));
            if (name.equals("archive/data.pkl")) assertArrayEquals(new byte[] {(byte) 0x80, 2}, new byte[] {b.get(data), b.get(data + 1)});
            names.add(name);
            at = data + size;
        }
        List<String> expected = new ArrayList<>(List.of("archive/data.pkl", "archive/byteorder"));
        for (int i = 0; i < tensors; i++) expected.add("archive/data/" + i);
        expected.add("archive/version");
        assertEquals(expected, names);
    }
}
