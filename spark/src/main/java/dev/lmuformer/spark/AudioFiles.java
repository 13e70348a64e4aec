package dev.lmuformer.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Audio collections as Spark reads them: its {@code binaryFile} source, one row per file ({@code path}, {@code content}, …). */
public final class AudioFiles {
    private AudioFiles() {
    }

    /**
     * The WAV files of {@code input}: a directory (searched recursively for {@code *.wav}, any case) or a
     * glob such as {@code /data/calls/2024-*}{@code /*.wav} (every file it matches), on any file system
     * Spark reads (local, HDFS, S3 …). Fails with a one-line message when the path does not exist.
     */
    public static Dataset<Row> read(SparkSession spark, String input) {
        boolean glob = input.contains("*") || input.contains("?") || input.contains("[") || input.contains("{");
        var reader = spark.read().format("binaryFile");
        if (!glob) reader = reader.option("recursiveFileLookup", "true").option("pathGlobFilter", "*.{wav,WAV,Wav}");
        try {
            return reader.load(input);
        } catch (Exception e) { // Spark's AnalysisException (checked, in Java's eyes): the path does not exist or cannot be listed
            throw new IllegalArgumentException(input + ": cannot list the audio files (" + firstLine(e) + ")", e);
        }
    }

    /** The files named by {@code paths} (full paths, no globs); fails with a one-line message when one is missing. */
    public static Dataset<Row> readFiles(SparkSession spark, String[] paths) {
        try {
            return spark.read().format("binaryFile").load(paths);
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot read the listed clips (" + firstLine(e) + ")", e);
        }
    }

    private static String firstLine(Exception e) {
        return e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
    }
}
