package dev.lmuformer.cli;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** PNG line charts of training curves and accuracy against frames (XChart, headless). */
final class Plots {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Plots() {
    }

    /** One named series. */
    record Series(String name, double[] x, double[] y) {
    }

    /** Writes a line chart of the series to {@code file} (PNG). */
    static void lineChart(Path file, String title, String xLabel, String yLabel, List<Series> series) {
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        chart.getStyler().setMarkerSize(3);
        for (Series s : series) {
            if (s.x().length > 0) chart.addSeries(s.name(), s.x(), s.y());
        }
        try {
            String name = file.toString();
            BitmapEncoder.saveBitmap(chart, name.endsWith(".png") ? name.substring(0, name.length() - 4) : name, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot write plot (" + e.getMessage() + ")");
        }
    }
}
