package dev.lmuformer.spark;

import dev.lmuformer.stream.KeywordSpotter;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Keyword spotting over a collection of audio files: a function from a Dataset of files (Spark's
 * {@code binaryFile} rows, {@code path} and {@code content}) to a Dataset of {@link #SCHEMA}. The
 * checkpoint travels once as a broadcast of its bytes and is parsed on each executor
 * ({@link ExecutorModels}); a file that cannot be read becomes a row with its {@code error}, and the
 * job goes on.
 *
 * <p>Functions over {@code Dataset<Row>} rather than a Spark ML {@code Transformer}: a Transformer
 * would bring {@code spark-mllib} and its parameter machinery for one stage that is never tuned or
 * fitted, and would still need these functions inside.
 */
public final class BatchSpotting {
    /** An event: {@code word}, {@code time} and {@code known_at} in seconds, {@code score}. */
    public static final StructType EVENT = new StructType()
            .add("word", DataTypes.StringType, false)
            .add("time", DataTypes.DoubleType, false)
            .add("score", DataTypes.DoubleType, false)
            .add("known_at", DataTypes.DoubleType, false);

    /** The result rows: {@code path, logits, top, probability, events, error} (the first five null where {@code error} is set). */
    public static final StructType SCHEMA = new StructType()
            .add("path", DataTypes.StringType, false)
            .add("logits", DataTypes.createArrayType(DataTypes.FloatType, false), true)
            .add("top", DataTypes.StringType, true)
            .add("probability", DataTypes.DoubleType, true)
            .add("events", DataTypes.createArrayType(EVENT, false), true)
            .add("error", DataTypes.StringType, true);

    private BatchSpotting() {
    }

    /**
     * Spots keywords in every file of {@code audio} with the checkpoint {@code checkpoint} (its bytes;
     * {@code name} for messages).
     *
     * @param audio rows with at least {@code path} (string) and {@code content} (binary), as {@link AudioFiles#read} gives
     * @return one row of {@link #SCHEMA} per input row
     */
    public static Dataset<Row> spot(SparkSession spark, Dataset<Row> audio, String name, byte[] checkpoint) {
        new KeywordSpotter(ExecutorModels.parse(name, checkpoint)); // a bad checkpoint fails here, on the driver, not in every task
        Broadcast<byte[]> model = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(checkpoint);
        MapPartitionsFunction<Row, Row> score = rows -> scorePartition(rows, model, name);
        return audio.select("path", "content").mapPartitions(score, Encoders.row(SCHEMA));
    }

    private static Iterator<Row> scorePartition(Iterator<Row> rows, Broadcast<byte[]> model, String name) {
        if (!rows.hasNext()) return rows;
        KeywordSpotter spotter = ExecutorModels.borrow(model, name);
        try {
            List<Row> out = new ArrayList<>();
            while (rows.hasNext()) {
                Row r = rows.next();
                out.add(row(RecordingResult.of(spotter, r.getString(0), r.getAs(1))));
            }
            return out.iterator();
        } finally {
            ExecutorModels.giveBack(model, spotter);
        }
    }

    /** A result as a row of {@link #SCHEMA}. */
    static Row row(RecordingResult r) {
        if (r.error() != null) return RowFactory.create(r.path(), null, null, null, null, r.error());
        Float[] logits = new Float[r.logits().length];
        for (int i = 0; i < logits.length; i++) logits[i] = r.logits()[i];
        Row[] events = new Row[r.events().size()];
        for (int i = 0; i < events.length; i++) {
            RecordingResult.Event e = r.events().get(i);
            events[i] = RowFactory.create(e.word(), e.time(), e.score(), e.knownAt());
        }
        return RowFactory.create(r.path(), logits, r.top(), r.probability(), events, null);
    }
}
