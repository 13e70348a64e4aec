package dev.lmuformer.cli;

import dev.lmuformer.spot.Detection;
import dev.lmuformer.spot.EventMatcher;
import dev.lmuformer.spot.Match;
import dev.lmuformer.spot.OperatingPoint;
import dev.lmuformer.spot.Truth;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;

/**
 * PNG plots of keyword spotting on long streams (XChart, headless): DET curves of several models,
 * and the timeline of one stream (waveform, detector score, keywords and detections).
 */
final class SpotPlots {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    /** Size of the DET plot. */
    static final int DET_WIDTH = 900, DET_HEIGHT = 600;
    /** Width of the timeline and the heights of its panels, top to bottom, and of the key under them. */
    static final int TIMELINE_WIDTH = 1600, WAVE_HEIGHT = 230, SCORE_HEIGHT = 250, EVENTS_HEIGHT = 250, KEY_HEIGHT = 44;

    private static final Color HIT = new Color(0, 150, 60);
    private static final Color WRONG_WORD = new Color(235, 130, 0);
    private static final Color FALSE_ALARM = new Color(215, 25, 30);
    private static final Color REPEAT = new Color(120, 120, 120);
    private static final Color MISSED = new Color(90, 90, 90);
    private static final Color WAVE = new Color(40, 70, 130);
    private static final Font LABEL_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    private static final int LABEL_ROWS = 3;
    private static final int Y_AXIS_WIDTH = 80;

    private SpotPlots() {
    }

    /**
     * Writes a DET plot: false-reject rate against false alarms per hour (log scale), one line per
     * model. A log axis has no 0, so points with no false alarms are drawn at a floor below the
     * smallest positive rate (0.01 unless a rate is smaller), and the axis title says so.
     */
    static void det(Path png, String title, Map<String, List<OperatingPoint>> curves) {
        double smallest = curves.values().stream().flatMap(List::stream).mapToDouble(OperatingPoint::falseAlarmsPerHour)
                .filter(f -> f > 0).min().orElse(1);
        int floorDecimals = 2;
        while (Math.pow(10, -floorDecimals) >= smallest) floorDecimals++;
        double floor = Math.pow(10, -floorDecimals);
        String floorText = String.format(Locale.ROOT, "%." + floorDecimals + "f", floor);
        XYChart chart = new XYChartBuilder().width(DET_WIDTH).height(DET_HEIGHT).title(title)
                .xAxisTitle("false alarms per hour (0 drawn at " + floorText + ")").yAxisTitle("false rejects (%)").build();
        XYStyler st = chart.getStyler();
        st.setXAxisLogarithmic(true);
        st.setXAxisMin(floor);
        st.setYAxisMin(0.0);
        st.setMarkerSize(6);
        st.setLegendPosition(Styler.LegendPosition.InsideNE);
        for (Map.Entry<String, List<OperatingPoint>> curve : curves.entrySet()) {
            List<OperatingPoint> points = curve.getValue().stream().filter(p -> !Double.isNaN(p.recall()))
                    .sorted(Comparator.comparingDouble(OperatingPoint::falseAlarmsPerHour).thenComparingDouble(OperatingPoint::falseRejectRate))
                    .toList();
            if (points.isEmpty()) continue;
            double[] x = points.stream().mapToDouble(p -> Math.max(floor, p.falseAlarmsPerHour())).toArray();
            double[] y = points.stream().mapToDouble(p -> 100 * p.falseRejectRate()).toArray();
            chart.addSeries(curve.getKey(), x, y);
        }
        if (chart.getSeriesMap().isEmpty()) throw new IllegalArgumentException("no operating points to plot in " + png);
        write(png, BitmapEncoder.getBufferedImage(chart));
    }

    /**
     * Writes the timeline of one stream as three panels on one time axis: the waveform (min and
     * max per pixel column), the detector's top score per frame with the threshold, and the
     * keywords (bars: green when hit, grey when missed) above the detections (dots: green hit,
     * orange wrong word, red false alarm, grey repeat; matched by {@link EventMatcher} with its
     * default windows). Keywords are shaded in the upper panels too; words above the threshold
     * are written at the peaks of the score.
     *
     * @param frameTimes seconds of each detector frame; {@code topScore} and {@code topWord} are
     *                   the best score and its word on those frames
     * @param threshold  the threshold the detections were made with
     */
    static void timeline(Path png, String title, float[] audio, int sampleRate, double[] frameTimes, float[] topScore, String[] topWord,
                         List<Truth> truths, List<Detection> detections, double threshold) {
        if (audio.length == 0) throw new IllegalArgumentException("no audio to plot");
        if (sampleRate <= 0) throw new IllegalArgumentException("sample rate must be positive, got " + sampleRate);
        if (topScore.length != frameTimes.length || topWord.length != frameTimes.length) {
            throw new IllegalArgumentException("frame times, scores and words differ in length: " + frameTimes.length + ", " + topScore.length
                    + ", " + topWord.length);
        }
        double seconds = (double) audio.length / sampleRate;
        Match match = EventMatcher.match(truths, detections, seconds);
        boolean[] hit = match.hitPerTruth();
        double scoreTop = 1;
        for (float s : topScore) if (s > scoreTop) scoreTop = s;
        double scoreMax = scoreTop * 1.2; // room for the words written at the peaks

        List<Panel> panels = List.of(
                new Panel(WAVE_HEIGHT, w -> waveChart(w, title, audio, seconds), (c, g) -> shadeKeywords(c, g, truths, hit, -1, 1)),
                new Panel(SCORE_HEIGHT, w -> scoreChart(w, frameTimes, topScore, threshold, seconds, scoreMax), (c, g) -> {
                    shadeKeywords(c, g, truths, hit, 0, scoreMax);
                    labelPeaks(c, g, frameTimes, topScore, topWord, threshold);
                }),
                new Panel(EVENTS_HEIGHT, w -> eventsChart(w, truths, hit, match, seconds), (c, g) -> labelEvents(c, g, truths, hit, match)));

        // The charts' y axes differ in width; render once to find where t = 0 and t = end land,
        // then again at widths and offsets that put both at the same columns in every panel.
        int[] left = new int[panels.size()], right = new int[panels.size()];
        int maxLeft = 0, maxRight = 0;
        for (int i = 0; i < panels.size(); i++) {
            XYChart c = panels.get(i).chart().apply(TIMELINE_WIDTH);
            BitmapEncoder.getBufferedImage(c);
            left[i] = (int) Math.round(c.getScreenXFromChart(0));
            right[i] = TIMELINE_WIDTH - (int) Math.round(c.getScreenXFromChart(seconds));
            maxLeft = Math.max(maxLeft, left[i]);
            maxRight = Math.max(maxRight, right[i]);
        }
        int height = KEY_HEIGHT;
        for (Panel p : panels) height += p.height();
        BufferedImage image = new BufferedImage(TIMELINE_WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, TIMELINE_WIDTH, height);
        int y = 0;
        for (int i = 0; i < panels.size(); i++) {
            Panel p = panels.get(i);
            XYChart c = p.chart().apply(TIMELINE_WIDTH - maxLeft - maxRight + left[i] + right[i]);
            BufferedImage panel = BitmapEncoder.getBufferedImage(c);
            Graphics2D pg = panel.createGraphics();
            pg.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            pg.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            p.overlay().accept(c, pg);
            pg.dispose();
            g.drawImage(panel, maxLeft - left[i], y, null);
            y += p.height();
        }
        drawKey(g, y, maxLeft, match, threshold);
        g.dispose();
        write(png, image);
    }

    /** One panel of the timeline: its height, its chart at a given width, and what is drawn over it. */
    private record Panel(int height, IntFunction<XYChart> chart, BiConsumer<XYChart, Graphics2D> overlay) {
    }

    private static XYChart timeChart(int width, int height, String yTitle) {
        XYChart c = new XYChartBuilder().width(width).height(height).xAxisTitle("time (s)").yAxisTitle(yTitle).build();
        XYStyler st = c.getStyler();
        st.setLegendVisible(false);
        st.setChartTitleVisible(false);
        st.setXAxisTitleVisible(false);
        st.setXAxisDecimalPattern("0.#");
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setPlotGridLinesColor(new Color(225, 225, 225));
        st.setPlotBorderColor(Color.GRAY);
        st.setChartPadding(6);
        st.setPlotContentSize(1); // the time axis from exactly 0 to the end
        st.setXAxisMin(-1e-9); // XChart 3.8.8 crowds the ticks (every 3 s over 150 s) when the axis and a series both start at exactly 0
        st.setYAxisLeftWidthHint(Y_AXIS_WIDTH); // room for the row names of the events panel
        st.setXAxisTickMarkSpacingHint(100); // a time label about every 100 px
        return c;
    }

    private static XYChart waveChart(int width, String title, float[] audio, double seconds) {
        XYChart c = timeChart(width, WAVE_HEIGHT, "waveform");
        c.setTitle(title);
        XYStyler st = c.getStyler();
        st.setChartTitleVisible(true);
        st.setXAxisMax(seconds);
        st.setYAxisMin(-1.0);
        st.setYAxisMax(1.0);
        // min and max of each of `columns` stretches, as a zigzag that fills the envelope
        int columns = Math.min(audio.length, 2 * width);
        double[] x = new double[2 * columns], y = new double[2 * columns];
        for (int k = 0; k < columns; k++) {
            int from = (int) ((long) audio.length * k / columns), to = (int) ((long) audio.length * (k + 1) / columns);
            float lo = audio[from], hi = audio[from];
            for (int i = from + 1; i < to; i++) {
                lo = Math.min(lo, audio[i]);
                hi = Math.max(hi, audio[i]);
            }
            x[2 * k] = x[2 * k + 1] = seconds * (k + 0.5) / columns;
            y[2 * k] = lo;
            y[2 * k + 1] = hi;
        }
        XYSeries s = c.addSeries("waveform", x, y);
        s.setMarker(SeriesMarkers.NONE).setLineColor(WAVE).setLineWidth(0.8f);
        return c;
    }

    private static XYChart scoreChart(int width, double[] times, float[] score, double threshold, double seconds, double scoreMax) {
        XYChart c = timeChart(width, SCORE_HEIGHT, String.format(Locale.ROOT, "top score (threshold %.2f)", threshold));
        XYStyler st = c.getStyler();
        st.setXAxisMax(seconds);
        st.setYAxisMin(0.0);
        st.setYAxisMax(scoreMax);
        st.setYAxisDecimalPattern("0.0#");
        if (times.length > 0) {
            double[] y = new double[score.length];
            for (int i = 0; i < y.length; i++) y[i] = score[i];
            XYSeries s = c.addSeries("top score", times, y);
            s.setMarker(SeriesMarkers.NONE).setLineColor(Color.BLACK).setLineWidth(1f);
        }
        XYSeries t = c.addSeries("threshold", new double[] {0, seconds}, new double[] {threshold, threshold});
        t.setMarker(SeriesMarkers.NONE).setLineColor(FALSE_ALARM)
                .setLineStyle(new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0));
        return c;
    }

    /** Keyword bars at y = 1 and detection dots at y = 0, in a range that leaves room for their words. */
    private static XYChart eventsChart(int width, List<Truth> truths, boolean[] hit, Match match, double seconds) {
        XYChart c = timeChart(width, EVENTS_HEIGHT, " ");
        XYStyler st = c.getStyler();
        st.setXAxisTitleVisible(true);
        st.setXAxisMax(seconds);
        st.setYAxisMin(-1.4);
        st.setYAxisMax(2.4);
        st.setPlotGridHorizontalLinesVisible(false);
        st.setMarkerSize(9);
        st.setyAxisTickLabelsFormattingFunction(v -> ""); // the rows are named by labelEvents
        for (int i = 0; i < truths.size(); i++) {
            Truth t = truths.get(i);
            XYSeries s = c.addSeries("keyword " + i, new double[] {t.start(), t.end()}, new double[] {1, 1});
            s.setMarker(SeriesMarkers.NONE).setLineColor(hit[i] ? HIT : MISSED)
                    .setLineStyle(new BasicStroke(9f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER));
        }
        for (Match.Outcome o : Match.Outcome.values()) {
            double[] x = match.verdicts().stream().filter(v -> v.outcome() == o).mapToDouble(v -> v.event().time()).toArray();
            if (x.length == 0) continue;
            XYSeries s = c.addSeries(o.name(), x, new double[x.length]);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter).setMarker(SeriesMarkers.CIRCLE).setMarkerColor(color(o));
        }
        return c;
    }

    private static Color color(Match.Outcome o) {
        return switch (o) {
            case HIT -> HIT;
            case SUBSTITUTION -> WRONG_WORD;
            case DUPLICATE -> REPEAT;
            case FALSE_ALARM -> FALSE_ALARM;
        };
    }

    /** Light bands over the keywords' spans, between {@code yLow} and {@code yHigh}. */
    private static void shadeKeywords(XYChart c, Graphics2D g, List<Truth> truths, boolean[] hit, double yLow, double yHigh) {
        int top = (int) Math.round(c.getScreenYFromChart(yHigh)), bottom = (int) Math.round(c.getScreenYFromChart(yLow));
        for (int i = 0; i < truths.size(); i++) {
            Truth t = truths.get(i);
            int x0 = (int) Math.round(c.getScreenXFromChart(t.start())), x1 = (int) Math.round(c.getScreenXFromChart(t.end()));
            Color base = hit[i] ? HIT : MISSED;
            g.setColor(new Color(base.getRed(), base.getGreen(), base.getBlue(), 40));
            g.fillRect(x0, top, Math.max(1, x1 - x0), bottom - top);
        }
    }

    /** The top word at the peak of each run of frames at or above the threshold. */
    private static void labelPeaks(XYChart c, Graphics2D g, double[] times, float[] score, String[] word, double threshold) {
        Labeller labels = new Labeller(g);
        for (int i = 0; i < times.length; ) {
            if (!(score[i] >= threshold)) {
                i++;
                continue;
            }
            int peak = i;
            for (; i < times.length && score[i] >= threshold; i++) if (score[i] > score[peak]) peak = i;
            labels.place(word[peak], c.getScreenXFromChart(times[peak]), c.getScreenYFromChart(score[peak]) - 4, -1, Color.BLACK);
        }
    }

    /** Each keyword's word above its bar, each detection's word below its dot, in the dot's colour. */
    private static void labelEvents(XYChart c, Graphics2D g, List<Truth> truths, boolean[] hit, Match match) {
        nameRow(c, g, "keywords", 1);
        nameRow(c, g, "detections", 0);
        Labeller above = new Labeller(g);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < truths.size(); i++) order.add(i);
        order.sort(Comparator.comparingDouble(i -> truths.get(i).start()));
        double barTop = c.getScreenYFromChart(1) - 8;
        for (int i : order) {
            Truth t = truths.get(i);
            above.place(t.word(), c.getScreenXFromChart((t.start() + t.end()) / 2), barTop, -1, hit[i] ? HIT : MISSED);
        }
        Labeller below = new Labeller(g);
        double dotBottom = c.getScreenYFromChart(0) + 8 + g.getFontMetrics(LABEL_FONT).getAscent();
        for (Match.Verdict v : match.verdicts()) {
            below.place(v.event().word(), c.getScreenXFromChart(v.event().time()), dotBottom, +1, color(v.outcome()));
        }
    }

    /** Writes {@code name} left of the plot, level with {@code y}. */
    private static void nameRow(XYChart c, Graphics2D g, String name, double y) {
        g.setFont(LABEL_FONT.deriveFont(Font.BOLD));
        g.setColor(Color.BLACK);
        FontMetrics m = g.getFontMetrics();
        g.drawString(name, (float) (c.getScreenXFromChart(0) - 8 - m.stringWidth(name)), (float) (c.getScreenYFromChart(y) + m.getAscent() / 2.0 - 1));
    }

    /**
     * Writes words centred on their x in up to {@link #LABEL_ROWS} rows, each word in the first
     * row where it does not run into the previous one (words must come in x order); when every
     * row is taken it goes where the row ends the furthest left.
     */
    private static final class Labeller {
        private final Graphics2D g;
        private final FontMetrics metrics;
        private final double[] rowEnd = new double[LABEL_ROWS];

        Labeller(Graphics2D g) {
            this.g = g;
            this.metrics = g.getFontMetrics(LABEL_FONT);
            Arrays.fill(rowEnd, Double.NEGATIVE_INFINITY);
        }

        /** Writes {@code text} with its baseline at {@code y} in the first row, rows stepping by {@code direction} lines. */
        void place(String text, double x, double y, int direction, Color color) {
            int width = metrics.stringWidth(text);
            double from = x - width / 2.0;
            int row = 0;
            for (int r = 0; r < LABEL_ROWS; r++) {
                if (rowEnd[r] + 4 <= from) {
                    row = r;
                    break;
                }
                if (rowEnd[r] < rowEnd[row]) row = r;
            }
            rowEnd[row] = from + width;
            g.setFont(LABEL_FONT);
            g.setColor(color);
            g.drawString(text, (float) from, (float) (y + direction * row * (metrics.getHeight() - 1)));
        }
    }

    /** One entry of the colour key: a keyword bar or a detection dot. */
    private record KeyItem(Color color, boolean bar, String text) {
    }

    /** The colour key and the counts, under the panels, from the plot's left edge. */
    private static void drawKey(Graphics2D g, int top, int left, Match match, double threshold) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics m = g.getFontMetrics();
        int baseline = top + 16, x = left;
        List<KeyItem> items = List.of(new KeyItem(HIT, true, "keyword hit"), new KeyItem(MISSED, true, "keyword missed"), new KeyItem(HIT, false, "hit"),
                new KeyItem(WRONG_WORD, false, "wrong word"), new KeyItem(FALSE_ALARM, false, "false alarm"), new KeyItem(REPEAT, false, "repeat"));
        for (KeyItem item : items) {
            g.setColor(item.color());
            if (item.bar()) g.fillRect(x, baseline - 8, 22, 8);
            else g.fillOval(x + 5, baseline - 10, 10, 10);
            g.setColor(Color.BLACK);
            g.drawString(item.text(), x + 28, baseline);
            x += 28 + m.stringWidth(item.text()) + 22;
        }
        String counts = String.format(Locale.ROOT, "threshold %.2f:  %d of %d keywords hit,  %d wrong word,  %d false alarms (%.1f per hour),  %d repeats",
                threshold, match.hits(), match.keywords(), match.substitutions(), match.falseAlarms(), match.falseAlarmsPerHour(), match.duplicates());
        g.drawString(counts, left, baseline + m.getHeight() + 2);
    }

    private static void write(Path png, BufferedImage image) {
        try {
            if (!ImageIO.write(image, "png", png.toFile())) throw new IOException("no PNG writer");
        } catch (IOException e) {
            throw new IllegalArgumentException(png + ": cannot write plot (" + e.getMessage() + ")");
        }
    }
}
