package dev.lmuformer.cli;

import dev.lmuformer.spot.Detection;
import dev.lmuformer.spot.OperatingPoint;
import dev.lmuformer.spot.Truth;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The spotting plots render from synthetic data into PNGs of the expected size. */
class SpotPlotsTest {
    private static final int SR = 16000;
    private static final String[] WORDS = {"yes", "no", "up", "down", "left", "right", "marvin", "sheila"};

    @TempDir
    Path dir;

    private static BufferedImage read(Path png) throws IOException {
        assertTrue(Files.size(png) > 0, png + " written");
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, png + " decodes");
        return image;
    }

    @Test
    void detPlotOfTwoModelsWithPointsAtZeroFalseAlarms() throws IOException {
        Map<String, List<OperatingPoint>> curves = new LinkedHashMap<>();
        List<OperatingPoint> a = new ArrayList<>(), b = new ArrayList<>();
        for (int i = 0; i <= 10; i++) {
            double threshold = 0.5 + 0.05 * i;
            double faA = i >= 8 ? 0 : 40 * Math.pow(0.5, i), faB = i >= 9 ? 0 : 60 * Math.pow(0.55, i);
            a.add(new OperatingPoint(threshold, 0.98 - 0.02 * i, faA, 0, 0, (int) faA, 100));
            b.add(new OperatingPoint(threshold, 0.95 - 0.035 * i, faB, 0, 0, (int) faB, 100));
        }
        curves.put("lmu-small", a);
        curves.put("lmu-large", b);
        Path png = dir.resolve("det.png");
        SpotPlots.det(png, "DET, three seeds", curves);
        BufferedImage image = read(png);
        assertEquals(SpotPlots.DET_WIDTH, image.getWidth());
        assertEquals(SpotPlots.DET_HEIGHT, image.getHeight());
        assertThrows(IllegalArgumentException.class, () -> SpotPlots.det(dir.resolve("none.png"), "none", Map.of("empty", List.of())));
    }

    @Test
    void timelinesOfShortAndLongStreams() throws IOException {
        for (double seconds : new double[] {60, 150, 250}) timeline(seconds);
    }

    /**
     * Renders the timeline of a synthetic stream (a tone per keyword, a score bump per detection,
     * some misses, wrong words, repeats and false alarms) and checks its size and that the three
     * panels' plots start at the same column.
     */
    private void timeline(double seconds) throws IOException {
        SplittableRandom r = new SplittableRandom(3);
        float[] audio = new float[(int) (seconds * SR)];
        for (int i = 0; i < audio.length; i++) audio[i] = (float) (0.02 * r.nextGaussian());
        List<Truth> truths = new ArrayList<>();
        List<Detection> detections = new ArrayList<>();
        for (double t = 2; t < seconds - 3; t += 2.5 + 2 * r.nextDouble()) {
            int w = r.nextInt(WORDS.length);
            String word = WORDS[w];
            Truth truth = new Truth(word, t, t + 0.4 + 0.3 * r.nextDouble());
            truths.add(truth);
            for (int i = (int) (truth.start() * SR); i < truth.end() * SR; i++) audio[i] += (float) (0.5 * Math.sin(2 * Math.PI * 300 * i / SR));
            double u = r.nextDouble();
            double at = truth.end() + 0.2;
            if (u < 0.75) detections.add(new Detection(word, 0.9, at, at + 0.1));
            else if (u < 0.85) detections.add(new Detection(WORDS[(w + 1) % WORDS.length], 0.8, at, at + 0.1));
            if (u < 0.1) detections.add(new Detection(word, 0.85, at + 0.25, at + 0.35));
        }
        for (int k = 0; k < seconds / 25; k++) {
            double at = 6.2 + k * 23.3;
            detections.add(new Detection(WORDS[k % WORDS.length], 0.75, at, at + 0.1));
        }
        int frames = (int) (seconds * 100);
        double[] times = new double[frames];
        float[] score = new float[frames];
        String[] top = new String[frames];
        for (int f = 0; f < frames; f++) {
            times[f] = f / 100.0;
            score[f] = (float) (0.1 + 0.1 * r.nextDouble());
            top[f] = "_silence_";
        }
        for (Detection d : detections) {
            for (int f = Math.max(0, (int) (d.time() * 100) - 30); f < Math.min(frames, (int) (d.time() * 100) + 10); f++) {
                double bump = d.score() * Math.exp(-Math.pow((f / 100.0 - d.time()) / 0.12, 2));
                if (bump > score[f]) {
                    score[f] = (float) bump;
                    top[f] = d.word();
                }
            }
        }
        Path png = dir.resolve("timeline-" + (int) seconds + ".png");
        SpotPlots.timeline(png, (int) seconds + " s stream, seed 1, lmu-small", audio, SR, times, score, top, truths, detections, 0.7);
        BufferedImage image = read(png);
        assertEquals(SpotPlots.TIMELINE_WIDTH, image.getWidth());
        assertEquals(SpotPlots.WAVE_HEIGHT + SpotPlots.SCORE_HEIGHT + SpotPlots.EVENTS_HEIGHT + SpotPlots.KEY_HEIGHT, image.getHeight());
        int wavePlot = plotLeft(image, 0, SpotPlots.WAVE_HEIGHT), scorePlot = plotLeft(image, SpotPlots.WAVE_HEIGHT, SpotPlots.SCORE_HEIGHT);
        int eventsPlot = plotLeft(image, SpotPlots.WAVE_HEIGHT + SpotPlots.SCORE_HEIGHT, SpotPlots.EVENTS_HEIGHT);
        assertTrue(Math.abs(wavePlot - scorePlot) <= 1 && Math.abs(wavePlot - eventsPlot) <= 1,
                seconds + " s: plots start at " + wavePlot + ", " + scorePlot + ", " + eventsPlot);
        assertThrows(IllegalArgumentException.class,
                () -> SpotPlots.timeline(png, "bad", audio, SR, times, new float[1], top, truths, detections, 0.7));
    }

    /** Where the plot border's top edge (the row of a panel with the most grey pixels) begins. */
    private static int plotLeft(BufferedImage image, int top, int height) {
        int bestCount = 0, left = -1;
        for (int y = top; y < top + height; y++) {
            int count = 0, first = -1;
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xffffff) == 0x808080) {
                    count++;
                    if (first < 0) first = x;
                }
            }
            if (count > bestCount) {
                bestCount = count;
                left = first;
            }
        }
        return left;
    }

    @Test
    void timelineWithoutKeywordsOrDetections() throws IOException {
        Path png = dir.resolve("empty.png");
        SpotPlots.timeline(png, "silence", new float[SR * 10], SR, new double[0], new float[0], new String[0], List.of(), List.of(), 0.5);
        assertEquals(SpotPlots.TIMELINE_WIDTH, read(png).getWidth());
    }
}
