package dev.lmuformer.spark;

import dev.lmuformer.audio.Resampler;
import dev.lmuformer.audio.WavReader;
import dev.lmuformer.audio.Waveform;
import dev.lmuformer.stream.KeywordSession;
import dev.lmuformer.stream.KeywordSpotter;
import dev.lmuformer.train.Metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * What batch spotting finds in one audio file: the parallel model's logits of the file as one clip
 * (what {@code features} then {@code predict} give), its top class and that class's score, and the
 * keyword events of a continuous session over the whole file (what {@code stream --json} prints), or
 * the reason the file could not be read. Plain Java, so that it can be checked without Spark.
 *
 * @param path        the file's path as Spark names it
 * @param logits      the clip's logits {@code [classes]}, null on error
 * @param top         the top class's name, null on error
 * @param probability the top class's score under the spotter's rule (sigmoid for BCE models, softmax for CE), NaN on error
 * @param events      the keyword events in order, empty on error
 * @param error       a one-line reason the file was not scored, null when it was
 */
public record RecordingResult(String path, float[] logits, String top, double probability, List<Event> events, String error) {

    /**
     * One keyword event.
     *
     * @param word    the keyword
     * @param time    seconds from the start of the file (end of the frame's 25 ms window)
     * @param score   its score on that frame
     * @param knownAt seconds of audio it needed (after the look-ahead, or the end of the file)
     */
    public record Event(String word, double time, double score, double knownAt) {
    }

    /** Scores one WAV file's bytes with {@code spotter}: any encoding and rate (resampled to 16 kHz). */
    public static RecordingResult of(KeywordSpotter spotter, String path, byte[] wav) {
        Waveform clip;
        try {
            clip = Resampler.toRate(WavReader.read(wav, path), KeywordSession.SAMPLE_RATE);
        } catch (RuntimeException e) {
            return failed(path, e);
        }
        float[] logits = spotter.model().forward(spotter.input().fromWaveform(clip).data, 1, spotter.input().frames(), false);
        int top = Metrics.argMax(logits, 0, logits.length);
        double[] scores = new double[logits.length];
        spotter.rule().score().of(logits, 0, scores);
        List<Event> events = new ArrayList<>();
        KeywordSession session = spotter.session(KeywordSession.Listener.onKeywords(
                k -> events.add(new Event(spotter.word(k.label()), k.seconds(), k.score(), k.knownAt()))));
        float[] samples = clip.samples();
        session.push(samples, 0, samples.length);
        session.finish();
        return new RecordingResult(path, logits, spotter.word(top), scores[top], List.copyOf(events), null);
    }

    /** The result of a file that could not be read: its one-line reason. */
    static RecordingResult failed(String path, RuntimeException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new RecordingResult(path, null, null, Double.NaN, List.of(), message.lines().findFirst().orElse(message));
    }
}
