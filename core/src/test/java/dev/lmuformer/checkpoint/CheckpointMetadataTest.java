package dev.lmuformer.checkpoint;

import dev.lmuformer.io.Safetensors;
import dev.lmuformer.model.Init;
import dev.lmuformer.model.ModelConfig;
import dev.lmuformer.model.Models;
import dev.lmuformer.model.SequenceModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Checkpoint#withMetadata}: entries added in place, every tensor's bits and type kept. */
class CheckpointMetadataTest {
    @TempDir
    Path dir;

    @Test
    void entriesAreAddedAndAHalfPrecisionFileStaysOne() throws Exception {
        SequenceModel m = Models.create(ModelConfig.fromMap("lmu_rnn_conv1d", Map.of("embed_dims", 16, "in_channels", 8, "num_classes", 5,
                "seq_len", 12)));
        Init.pytorchDefault(m, 3);
        Path full = dir.resolve("full.safetensors");
        Checkpoint.save(full, m, Map.of("loss", "BCE", "spot_threshold", "0.5"));
        Path half = dir.resolve("half.safetensors");
        Checkpoint.convert(full, half, true);
        Safetensors before = Safetensors.read(half);

        Checkpoint.withMetadata(half, Map.of("spot_threshold", "0.97", "spot_speech_margin", "20.0"));
        Safetensors after = Safetensors.read(half);
        assertEquals("0.97", after.metadata().get("spot_threshold"), "replaced");
        assertEquals("20.0", after.metadata().get("spot_speech_margin"), "added");
        assertEquals("BCE", after.metadata().get("loss"), "kept");
        assertEquals(before.metadata().get(Checkpoint.CONFIG), after.metadata().get(Checkpoint.CONFIG));
        assertEquals(before.names(), after.names());
        for (String n : before.names()) {
            assertEquals(before.stored(n).dtype(), after.stored(n).dtype(), n);
            assertArrayEquals(before.stored(n).data(), after.stored(n).data(), n);
        }
        assertTrue(Files.size(half) < Files.size(full), "still half precision");
        float[] x = new float[2 * 12 * 8];
        Arrays.fill(x, 0.25f);
        assertArrayEquals(Checkpoint.load(full).model().forward(x, 2, 12, false), Checkpoint.load(half).model().forward(x, 2, 12, false), 1e-3f);
    }

    @Test
    void theModelsOwnEntriesAreNotSetSo() throws Exception {
        SequenceModel m = Models.create(ModelConfig.fromMap("lmu_rnn_conv1d", Map.of("embed_dims", 8, "in_channels", 4, "num_classes", 3, "seq_len", 6)));
        Path p = dir.resolve("m.safetensors");
        Checkpoint.save(p, m, Map.of());
        byte[] bytes = Files.readAllBytes(p);
        for (String key : new String[]{Checkpoint.ARCH, Checkpoint.CONFIG}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.withMetadata(p, Map.of(key, "x")));
            assertTrue(e.getMessage().contains(key), e.getMessage());
        }
        assertArrayEquals(bytes, Files.readAllBytes(p), "unchanged after a refusal");
    }
}
