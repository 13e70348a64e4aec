package dev.lmuformer.checkpoint;

import dev.lmuformer.engine.Tensor;
import dev.lmuformer.io.Dtype;
import dev.lmuformer.io.StoredTensor;
import dev.lmuformer.model.Init;
import dev.lmuformer.model.ModelConfig;
import dev.lmuformer.model.Models;
import dev.lmuformer.model.SequenceModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Half-precision checkpoints: the narrowing rounds as IEEE does, and a converted model gives the float32 model's logits. */
class HalfPrecisionTest {
    @TempDir
    Path dir;

    @Test
    void everyHalfValueSurvivesWideningAndNarrowing() {
        for (int bits = 0; bits < 1 << 16; bits++) {
            int h = bits;
            float f = widen((short) h);
            short back = narrow(f);
            if (Float.isNaN(f)) assertTrue(Float.isNaN(widen(back)), Integer.toHexString(h));
            else assertEquals(h, back & 0xffff, () -> Integer.toHexString(h) + " = " + f);
        }
    }

    @Test
    void narrowingRoundsToTheNearestHalfTiesToEven() {
        // 1 + 2^-11 lies halfway between 1 and the next half (1 + 2^-10): to even, 1; 1 + 3·2^-11 rounds up to 1 + 2^-9
        assertEquals(0x3c00, narrow(1f + 0x1p-11f) & 0xffff);
        assertEquals(0x3c02, narrow(1f + 3 * 0x1p-11f) & 0xffff);
        assertEquals(0x7bff, narrow(65504f) & 0xffff);
        assertEquals(0x7c00, narrow(65520f) & 0xffff); // halfway to the next binade: infinity
        assertEquals(0x0001, narrow(0x1p-24f) & 0xffff);
        assertEquals(0x0000, narrow(0x1p-25f) & 0xffff); // a tie with zero: to even
        assertEquals(0x8000, narrow(-0f) & 0xffff);
        SplittableRandom rnd = new SplittableRandom(5);
        for (int i = 0; i < 200_000; i++) {
            float x = (float) ((rnd.nextDouble() * 2 - 1) * Math.pow(2, rnd.nextInt(-20, 16)));
            float y = widen(narrow(x));
            float ulp = Math.ulp(y) * (1 << 13); // a half's ulp at y's magnitude, for normal halves
            assertTrue(Math.abs(x) < 0x1p-14f || Math.abs(x - y) <= ulp / 2, x + " -> " + y);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"lmu_rnn_conv1d", "slmu_rnn_ms_conv1d"})
    void aHalfPrecisionCheckpointGivesTheFloat32Logits(String arch) throws Exception {
        int frames = 32, features = 32, batch = 4;
        SequenceModel model = Models.create(ModelConfig.fromMap(arch, Map.of("embed_dims", 64, "in_channels", features, "num_classes", 10,
                "seq_len", frames, "theta", frames)));
        Init.pytorchDefault(model, 3);
        SplittableRandom rnd = new SplittableRandom(9);
        float[] x = new float[batch * frames * features];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        Init.calibrateNorms(model, x, batch, frames);
        float[] expected = model.forward(x, batch, frames, false).clone();
        Path full = dir.resolve("full.safetensors"), half = dir.resolve("half.safetensors");
        Checkpoint.save(full, model, Map.of("labels", "a"));
        Checkpoint.convert(full, half, true);
        Checkpoint.Stored stored = Checkpoint.read(half);
        assertTrue(stored.tensors().values().stream().anyMatch(t -> t.dtype() == Dtype.F16));
        stored.tensors().forEach((name, t) -> assertEquals(t.shape().length >= 2 ? Dtype.F16 : Dtype.F32, t.dtype(), name));
        assertTrue(stored.tensors().keySet().stream().noneMatch(n -> n.endsWith(".A") || n.endsWith(".B") || n.endsWith(".H")));
        assertTrue(Files.size(half) < 0.6 * Files.size(full), Files.size(half) + " of " + Files.size(full) + " bytes");
        assertEquals("a", stored.metadata().get("labels"));
        float[] got = Checkpoint.load(half).model().forward(x, batch, frames, false);
        double worst = 0, largest = 0;
        for (int i = 0; i < got.length; i++) {
            worst = Math.max(worst, Math.abs(got[i] - expected[i]));
            largest = Math.max(largest, Math.abs(expected[i]));
        }
        System.out.printf("%s half precision: logits within %.2e of float32 (largest |logit| %.2f), %d of %d bytes%n", arch, worst, largest,
                Files.size(half), Files.size(full));
        assertTrue(worst <= 1e-3, arch + ": logits off by " + worst);
    }

    @Test
    void halfPrecisionIsForSafetensorsOnly() {
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.convert(dir.resolve("in.safetensors"), dir.resolve("out.pth"), true));
    }

    private static short narrow(float f) {
        return StoredTensor.of(new Tensor(new float[] {f}, new int[] {1})).toF16().buffer().getShort(0);
    }

    private static float widen(short h) {
        byte[] b = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort(h).array();
        return new StoredTensor(Dtype.F16, new int[] {1}, b).toTensor().data[0];
    }
}
