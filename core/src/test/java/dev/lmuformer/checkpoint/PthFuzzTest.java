package dev.lmuformer.checkpoint;

import dev.lmuformer.io.PthFormatException;
import dev.lmuformer.io.PthWriter;
import dev.lmuformer.io.StoredTensor;
import dev.lmuformer.model.SequenceModel;
import dev.lmuformer.testing.Fuzz;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 12,000 mutants of a small valid checkpoint (byte flips, truncations, cut and repeated ranges,
 * half of them aimed at the pickle): loading each either succeeds or raises the reader's own
 * {@link PthFormatException} with a one-line printable message naming the file, and all of it
 * finishes in bounded time.
 */
class PthFuzzTest {
    private static final int CASES = 12_000;

    @TempDir
    Path dir;

    @Test
    void corruptedCheckpointsRaiseOnlyTheReadersError() throws IOException {
        SequenceModel model = PthFixtures.tinyModel();
        Map<String, StoredTensor> tensors = new LinkedHashMap<>();
        model.state().tensors().forEach((k, t) -> tensors.put("module." + k, StoredTensor.of(t)));
        Path base = dir.resolve("base.pth");
        PthWriter.write(base, tensors);
        byte[] valid = Files.readAllBytes(base);
        ByteBuffer b = ByteBuffer.wrap(valid).order(ByteOrder.LITTLE_ENDIAN);
        int pklStart = 30 + (b.getShort(26) & 0xffff) + (b.getShort(28) & 0xffff);
        int pklLen = b.getInt(18);
        Path f = dir.resolve("mutant.pth");
        Fuzz.Outcome o = Fuzz.run("pth", CASES, 20240607, Duration.ofSeconds(30), rnd -> mutate(valid, rnd, pklStart, pklLen), (m, i) -> {
            Files.write(f, m);
            try {
                Checkpoint.load(f);
            } catch (PthFormatException e) {
                assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
                throw e;
            }
        }, PthFormatException.class);
        assertTrue(o.refused() > CASES / 2, "most mutants should be refused: " + o);
    }

    /** One mutant; the zip magic is kept so that every mutant reaches the .pth reader. */
    private static byte[] mutate(byte[] valid, SplittableRandom rnd, int pklStart, int pklLen) {
        byte[] m = valid.clone();
        boolean pickle = rnd.nextBoolean();
        int lo = pickle ? pklStart : 4;
        int span = pickle ? pklLen : m.length - 4;
        switch (rnd.nextInt(5)) {
            case 0, 1 -> { // flip 1..8 bytes
                for (int k = 1 + rnd.nextInt(8); k > 0; k--) m[lo + rnd.nextInt(span)] = (byte) rnd.nextInt(256);
            }
            case 2 -> { // a small integer set to an extreme (sizes, offsets, lengths)
                int at = lo + rnd.nextInt(span - 4);
                int v = rnd.nextBoolean() ? -1 : 0x7fffffff;
                for (int k = 0; k < 4; k++) m[at + k] = (byte) (v >>> (8 * k));
            }
            case 3 -> m = Arrays.copyOf(m, 4 + rnd.nextInt(m.length - 4)); // truncate
            default -> { // cut out or repeat a range
                int from = lo + rnd.nextInt(span);
                int len = 1 + rnd.nextInt(Math.min(64, lo + span - from));
                byte[] out = new byte[m.length + (rnd.nextBoolean() ? len : -len)];
                if (out.length > m.length) {
                    System.arraycopy(m, 0, out, 0, from + len);
                    System.arraycopy(m, from, out, from + len, m.length - from);
                } else {
                    System.arraycopy(m, 0, out, 0, from);
                    System.arraycopy(m, from + len, out, from, m.length - from - len);
                }
                m = out;
            }
        }
        return m;
    }
}
