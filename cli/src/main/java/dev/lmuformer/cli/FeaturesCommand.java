package dev.lmuformer.cli;

import dev.lmuformer.audio.Fbank;
import dev.lmuformer.audio.ModelInput;
import dev.lmuformer.audio.Resampler;
import dev.lmuformer.audio.WavReader;
import dev.lmuformer.audio.Waveform;
import dev.lmuformer.engine.Tensor;
import dev.lmuformer.io.Npy;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code lmuformer features}: the model input (or the raw filterbank) of one WAV file, as .npy. */
@Command(name = "features", description = "Model input [N, F] of a WAV file (or its raw filterbank with --raw) as float32 .npy.",
        footer = {"", "Examples:",
                "  lmuformer features --input yes.wav --output x.npy",
                "  lmuformer features --input clip48k.wav --output fbank.npy --raw"})
final class FeaturesCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--input", required = true, description = "WAV file (any PCM or float encoding and rate; first channel).")
    Path input;

    @Option(names = "--output", required = true, description = "Output .npy: [N, 128], or [frames, 128] with --raw.")
    Path output;

    @Option(names = "--raw", description = "The log-mel filterbank at the file's own rate: not resampled, cut, padded or normalised.")
    boolean raw;

    @Option(names = "--frames", defaultValue = "128", description = "Model length N in frames (default: ${DEFAULT-VALUE}).")
    int frames;

    @Option(names = "--mean", defaultValue = "-6.845978", description = "Normalisation mean (default: ${DEFAULT-VALUE}, Speech Commands V2).")
    double mean;

    @Option(names = "--std", defaultValue = "5.5654526", description = "Normalisation std (default: ${DEFAULT-VALUE}, Speech Commands V2).")
    double std;

    @Override
    public Integer call() {
        java.io.PrintWriter err = spec.commandLine().getErr();
        Waveform w = WavReader.read(input);
        Tensor x;
        if (raw) {
            float[][] fb = Fbank.forRate(w.sampleRate()).compute(w.centred().samples());
            float[] flat = new float[fb.length * Fbank.DEFAULT_MEL_BINS]; // [frames, 128]
            for (int t = 0; t < fb.length; t++) System.arraycopy(fb[t], 0, flat, t * Fbank.DEFAULT_MEL_BINS, Fbank.DEFAULT_MEL_BINS);
            x = new Tensor(flat, fb.length, Fbank.DEFAULT_MEL_BINS);
        } else {
            if (frames < 1) throw new IllegalArgumentException("--frames must be positive, got " + frames);
            // The reference model was trained on 16 kHz audio (REFERENCE.md §5).
            x = new ModelInput(frames, mean, std).fromWaveform(Resampler.toRate(w, Resampler.MODEL_RATE));
        }
        Npy.write(output, x);
        err.println("wrote " + output + " " + x.shapeString() + (raw ? " (filterbank at " + w.sampleRate() + " Hz)" : ""));
        return 0;
    }
}
