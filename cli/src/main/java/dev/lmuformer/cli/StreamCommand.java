package dev.lmuformer.cli;

import dev.lmuformer.stream.KeywordSpotter;
import dev.lmuformer.audio.Resampler;
import dev.lmuformer.audio.WavReader;
import dev.lmuformer.audio.Waveform;
import dev.lmuformer.checkpoint.Checkpoint;
import dev.lmuformer.model.SequenceModel;
import dev.lmuformer.stream.KeywordSession;
import dev.lmuformer.stream.SpottingRule;
import dev.lmuformer.stream.StreamingModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.DataLine;
import javax.sound.sampled.LineUnavailableException;
import javax.sound.sampled.TargetDataLine;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code lmuformer stream}: keyword decisions from audio as it arrives, frame by frame ({@link KeywordSession}). */
@Command(name = "stream", description = "Keywords, with timestamps, from WAV files, raw PCM on stdin or the microphone, "
        + "streamed frame by frame.",
        footer = {"", "Continuous (the default): one model state runs over the whole input with a",
                "sliding readout of the model's length (128 frames, 1.28 s), so a keyword is found",
                "wherever it falls; a keyword is emitted when its score reaches --threshold for",
                "--hold frames, then stays quiet for --refractory seconds. Nothing is printed",
                "where there is no keyword. --windowed cuts the input into 1.28 s windows instead,",
                "one decision each, as the parallel model classifies clips.",
                "Times are the end of the frame's 25 ms window; it is known once the model's",
                "look-ahead (50 ms for lmu_rnn_conv1d) has arrived.",
                "", "Examples:",
                "  lmuformer stream long_recording.wav                 # the shipped model (models/README.md)",
                "  lmuformer stream --checkpoint m.safetensors long_recording.wav",
                "  arecord -q -f S16_LE -r 16000 -t raw | lmuformer stream --checkpoint m.safetensors --json -",
                "  lmuformer stream --checkpoint m.safetensors --mic --keywords yes,no,stop,go --threshold 0.8",
                "  lmuformer stream --checkpoint m.safetensors --windowed data/keywords/yes/*.wav",
                "  lmuformer stream --checkpoint m.safetensors clip.wav --frames frames.csv"})
final class StreamCommand implements Callable<Integer> {
    /** Samples read from stdin or the microphone at a time: one frame shift, 10 ms. */
    private static final int CHUNK = 160;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--checkpoint", description = "Checkpoint of a model that streams (lmu_rnn_conv1d, slmu_rnn_ms_conv1d; "
            + "default: the shipped model, models/lmu_rnn_conv1d.safetensors).")
    Path checkpoint;

    @Parameters(paramLabel = "INPUT", arity = "0..*",
            description = "WAV files (any rate; resampled to 16 kHz), or - for raw 16-bit little-endian 16 kHz mono PCM on stdin.")
    List<String> inputs = new ArrayList<>();

    @Option(names = "--mic", description = "Capture 16 kHz mono from the default input device until interrupted (Ctrl-C).")
    boolean mic;

    @Option(names = "--frames", paramLabel = "OUT.csv",
            description = "Write one row per frame: frame, time_s, then the readout logit of every class (one input only).")
    Path frames;

    @Option(names = "--json", description = "Print one JSON object per keyword event and nothing else on stdout: "
            + "{\"type\":\"keyword\",\"word\":…,\"score\":…,\"time\":…,\"known_at\":…} (continuous mode).")
    boolean json;

    @CommandLine.Mixin
    SpotOptions spot;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (!mic && inputs.isEmpty()) throw new IllegalArgumentException("give WAV files, - (stdin) or --mic");
        if (mic && !inputs.isEmpty()) throw new IllegalArgumentException("--mic takes no other input, got " + inputs.get(0));
        if (frames != null && inputs.size() > 1) throw new IllegalArgumentException("--frames takes a single input, got " + inputs.size());
        if (inputs.stream().filter("-"::equals).count() > 1) throw new IllegalArgumentException("stdin (-) can be read once");
        if (json && spot.windowed) throw new IllegalArgumentException("--json prints keyword events of continuous spotting, not --windowed decisions");
        Path file = ShippedModel.orDefault(checkpoint);
        Checkpoint.Loaded loaded = Checkpoint.load(file);
        SequenceModel model = loaded.model();
        StreamingModel streaming = StreamingModel.of(model);
        List<String> names = KeywordSpotter.words(loaded.metadata(), model.numClasses());
        SpottingRule rule = spot.rule(names, loaded.metadata());
        // with --json, stdout carries events only: the other lines go to stderr
        PrintWriter info = json ? spec.commandLine().getErr() : out;
        try (TargetDataLine line = mic ? microphone() : null; Printer printer = new Printer(out, names, json)) {
            KeywordSession session = new KeywordSession(streaming, KeywordSpotter.modelInput(loaded), rule, printer);
            if (frames != null) printer.writeFrames(frames);
            info.printf("%s (%s): %s of %d frames (%.2f s), %s; each output comes %d frames (%.3f s) after its frame (look-ahead)%n",
                    model.arch(), file, session.continuous() ? "continuous, sliding readout" : "windows", session.windowFrames(),
                    session.windowSeconds(), SpotOptions.describe(rule, names), streaming.lookAhead(), session.lookAheadSeconds());
            if (line != null) {
                info.println("microphone: " + line.getLineInfo() + " (Ctrl-C stops)");
                info.flush();
                line.start();
                pump(line::read, session, "microphone");
                endOfInput(session, info);
                return 0;
            }
            for (String input : inputs) {
                if (input.equals("-")) {
                    info.println("- (stdin: 16 kHz 16-bit mono PCM)");
                    pump(System.in::readNBytes, session, "stdin");
                } else {
                    file(Path.of(input), session, info);
                }
                endOfInput(session, info);
            }
        }
        return 0;
    }

    /** Completes the last window and readies the session for the next input. */
    private static void endOfInput(KeywordSession session, PrintWriter out) {
        session.finish();
        out.printf("  end of input at %.3f s%n", (double) session.samples() / KeywordSession.SAMPLE_RATE);
        out.flush();
        session.reset();
    }

    private static void file(Path file, KeywordSession session, PrintWriter out) {
        Waveform w = WavReader.read(file);
        out.println(file + (w.sampleRate() == KeywordSession.SAMPLE_RATE ? "" : " (resampled from " + w.sampleRate() + " Hz)"));
        float[] samples = Resampler.toRate(w, KeywordSession.SAMPLE_RATE).samples();
        session.push(samples, 0, samples.length);
    }

    /** The default input device, opened for 16 kHz 16-bit mono capture (not yet started). */
    private static TargetDataLine microphone() {
        AudioFormat format = new AudioFormat(KeywordSession.SAMPLE_RATE, 16, 1, true, false);
        DataLine.Info info = new DataLine.Info(TargetDataLine.class, format);
        if (!AudioSystem.isLineSupported(info)) {
            throw new IllegalArgumentException("--mic: no audio input device can capture 16 kHz 16-bit mono (javax.sound.sampled found none)");
        }
        try {
            TargetDataLine line = (TargetDataLine) AudioSystem.getLine(info);
            line.open(format);
            return line;
        } catch (LineUnavailableException | IllegalArgumentException | SecurityException e) {
            throw new IllegalArgumentException("--mic: cannot open the audio input (" + e.getMessage() + ")", e);
        }
    }

    /** A blocking source of bytes: the number read into {@code b[off, off+len)}, 0 or less at its end. */
    private interface ByteSource {
        int read(byte[] b, int off, int len) throws IOException;
    }

    /** Feeds little-endian 16-bit samples from {@code in} to the session until the source ends. */
    private static void pump(ByteSource in, KeywordSession session, String name) {
        byte[] bytes = new byte[2 * CHUNK];
        ShortBuffer samples = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
        short[] pcm = new short[CHUNK];
        try {
            int n;
            while ((n = in.read(bytes, 0, bytes.length)) > 0) {
                if ((n & 1) != 0) throw new IllegalArgumentException(name + ": the input ends inside a 16-bit sample");
                samples.get(0, pcm, 0, n / 2);
                session.push(pcm, 0, n / 2);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(name + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    /** Prints each keyword event (as text or JSON) or window decision, and writes the per-frame CSV. */
    private static final class Printer implements KeywordSession.Listener, AutoCloseable {
        private final PrintWriter out;
        private final List<String> names;
        private final boolean json;
        private final StringBuilder row = new StringBuilder();
        private Path csvPath;
        private BufferedWriter csv;

        Printer(PrintWriter out, List<String> names, boolean json) {
            this.out = out;
            this.names = names;
            this.json = json;
        }

        /** Starts writing every frame's logits to {@code file}, after a header row. */
        void writeFrames(Path file) {
            csvPath = file;
            try {
                csv = Files.newBufferedWriter(file);
                csv.write("frame,time_s," + String.join(",", names) + "\n");
            } catch (IOException e) {
                throw cannotWrite(e);
            }
        }

        @Override
        public void onFrame(long frame, double seconds, float[] logits) {
            if (csv == null) return;
            row.setLength(0);
            row.append(frame).append(',').append(seconds);
            for (float v : logits) row.append(',').append(v);
            row.append('\n');
            try {
                csv.append(row);
            } catch (IOException e) {
                throw cannotWrite(e);
            }
        }

        @Override
        public void onKeyword(KeywordSession.Keyword k) {
            if (json) {
                out.println(k.json(names.get(k.label())));
            } else {
                out.printf("  %8.3f s  %-10s score %.2f  (frame %d; known at %.3f s)%n", k.seconds(), names.get(k.label()), k.score(), k.frame(),
                        k.knownAt());
            }
            out.flush();
            flushCsv();
        }

        @Override
        public void onDecision(KeywordSession.Decision d) {
            if (d.early()) {
                out.printf("  %8.3f s  %-10s p %.2f  (frame %d; known at %.3f s)%n", d.seconds(), names.get(d.label()), d.probability(),
                        d.frame(), d.knownAt());
            } else {
                out.printf("  %8.3f s  no decision in window %d (its last frame: %s, p %.2f; known at %.3f s)%n", d.seconds(), d.window(),
                        names.get(d.label()), d.probability(), d.knownAt());
            }
            out.flush();
            flushCsv();
        }

        private void flushCsv() {
            if (csv == null) return;
            try {
                csv.flush();
            } catch (IOException e) {
                throw cannotWrite(e);
            }
        }

        private IllegalArgumentException cannotWrite(IOException e) {
            return new IllegalArgumentException(csvPath + ": cannot write (" + e.getMessage() + ")", e);
        }

        @Override
        public void close() {
            if (csv == null) return;
            try {
                csv.close();
            } catch (IOException e) {
                throw cannotWrite(e);
            }
        }
    }
}
