package dev.lmuformer.audio;

import dev.lmuformer.engine.Tensor;
import dev.lmuformer.io.Safetensors;
import dev.lmuformer.testing.Golden;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The front end against the reference's golden data (golden/fbank.safetensors, REFERENCE.md §5).
 * {@code <file>.waveform} is the waveform as loaded (before the mean subtraction); the golden fbank
 * was computed from {@code waveform − waveform.mean()}, while {@link Fbank} is given the waveform
 * as loaded, which checks that per-frame DC removal makes the global mean irrelevant.
 */
class FbankGoldenTest {
    private static final double FBANK_TOL = 1e-3; // absolute, log-mel units
    private static final double INPUT_TOL = 1e-4; // absolute, normalised units

    @Test
    void everyGoldenWavMatchesWaveformFbankAndModelInput() throws IOException {
        Safetensors golden = Golden.tensors("fbank.safetensors");
        List<String> files = wavs(Golden.file("wav"));
        assertEquals(new TreeSet<>(List.of(golden.metadata().get("files").split(","))), new TreeSet<>(files),
                "every wav in golden/wav has golden tensors");
        double worstFbank = 0;
        double worstInput = 0;
        double worstCentred = 0;
        for (String f : files) {
            Waveform w = WavReader.read(Golden.file("wav/" + f));
            assertEquals(16000, w.sampleRate(), f);
            assertArrayEquals(golden.tensor(f + ".waveform").data, w.samples(), f + ": waveform");

            Tensor expected = golden.tensor(f + ".fbank");
            float[][] fb = Fbank.forRate(w.sampleRate()).compute(w.samples());
            assertArrayEquals(expected.shape(), new int[] {fb.length, 128}, f + ": fbank shape");
            worstFbank = Math.max(worstFbank, assertAbsClose(f + ".fbank", expected.data, flatten(fb), FBANK_TOL));
            worstCentred = Math.max(worstCentred, assertAbsClose(f + ".fbank (mean subtracted)", expected.data,
                    flatten(Fbank.forRate(w.sampleRate()).compute(w.centred().samples())), FBANK_TOL));

            Tensor input = ModelInput.DEFAULT.fromWaveform(w);
            Tensor expectedInput = golden.tensor(f + ".model_input");
            assertArrayEquals(expectedInput.shape(), input.shape(), f + ": model input shape");
            worstInput = Math.max(worstInput, assertAbsClose(f + ".model_input", expectedInput.data, input.data, INPUT_TOL));
        }
        System.out.printf("golden front end: %d files, worst |fbank err| %.3g (%.3g with the mean subtracted), worst |model input err| %.3g%n",
                files.size(), worstFbank, worstCentred, worstInput);
    }

    private static List<String> wavs(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".wav")).sorted().collect(Collectors.toList());
        }
    }


    static float[] flatten(float[][] rows) {
        int width = rows.length == 0 ? 0 : rows[0].length;
        float[] out = new float[rows.length * width]; // [rows * width]
        for (int i = 0; i < rows.length; i++) System.arraycopy(rows[i], 0, out, i * width, width);
        return out;
    }

    /** Fails unless every |expected − actual| ≤ tol; returns the worst difference. */
    static double assertAbsClose(String label, float[] expected, float[] actual, double tol) {
        assertEquals(expected.length, actual.length, label + ": length");
        double worst = 0;
        int at = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs((double) expected[i] - actual[i]);
            if (Double.isNaN(d)) d = Double.POSITIVE_INFINITY;
            if (d > worst) {
                worst = d;
                at = i;
            }
        }
        assertTrue(worst <= tol, String.format("%s: worst |diff| %.3g at [%d] (expected %.7g, got %.7g) exceeds %.1g",
                label, worst, at, expected[at], actual[at], tol));
        return worst;
    }
}
