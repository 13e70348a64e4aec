package dev.lmuformer.spark;

import org.apache.spark.sql.SparkSession;

/** The Spark session of a command: the cluster spark-submit names, or local mode on this machine. */
public final class SparkSessions {
    private SparkSessions() {
    }

    /**
     * A session on {@code master} when given, else on the master spark-submit set ({@code spark.master}),
     * else {@code local[*]}. A local session binds to loopback and starts no web UI: it is a program on
     * this machine, not a service.
     */
    public static SparkSession start(String master, String appName) {
        String chosen = master != null ? master : System.getProperty("spark.master", "local[*]");
        SparkSession.Builder b = SparkSession.builder().appName(appName).master(chosen);
        if (chosen.startsWith("local")) {
            b = b.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1").config("spark.ui.enabled", "false");
        }
        SparkSession spark = b.config("spark.log.level", "WARN").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        return spark;
    }

    /**
     * A failed write to {@code output} as the exception to throw: an output that exists (Spark's
     * AnalysisException, checked in Java's eyes) as a one-line message naming {@code --overwrite}.
     */
    static RuntimeException writeFailure(String output, Exception e) {
        if (String.valueOf(e.getMessage()).contains("already exists")) {
            return new IllegalArgumentException(output + " exists: give --overwrite to replace it", e);
        }
        return e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
    }
}
