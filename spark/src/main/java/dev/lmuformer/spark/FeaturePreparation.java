package dev.lmuformer.spark;

import dev.lmuformer.audio.Fbank;
import dev.lmuformer.audio.ModelInput;
import dev.lmuformer.data.Split;
import dev.lmuformer.data.speech.Augment;
import dev.lmuformer.data.speech.Example;
import dev.lmuformer.data.speech.Pipeline;
import dev.lmuformer.data.speech.PreparedFeatures;
import dev.lmuformer.data.speech.SpeechCommands;
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

import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The filterbanks of a Speech Commands dataset computed on the executors and written as Parquet
 * ({@link #SCHEMA}), and read back as {@link PreparedFeatures} for {@code spark train --features}.
 * The class names go beside the Parquet files, in {@code _words} (one per line, by label; Spark's
 * readers skip names that begin with '_').
 */
public final class FeaturePreparation {
    /** One row per clip: {@code clip} (word/file.wav), {@code split}, {@code position} in the split's list, {@code label}, {@code fbank}. */
    public static final StructType SCHEMA = new StructType()
            .add("clip", DataTypes.StringType, false)
            .add("split", DataTypes.StringType, false)
            .add("position", DataTypes.IntegerType, false)
            .add("label", DataTypes.IntegerType, false)
            .add("fbank", DataTypes.createArrayType(DataTypes.FloatType, false), false);

    /** Where a clip goes: its split, position and label. */
    private record Place(String clip, String split, int position, int label) implements Serializable {
    }

    private FeaturePreparation() {
    }

    /**
     * Computes the unnormalised filterbank ({@code frames × 128}, as {@link Pipeline#rawFeatures}) of every
     * clip of the three splits of the dataset at {@code root} (listed on the driver; read by Spark) and
     * writes them with their words to {@code output}; returns the clips written.
     */
    public static long write(SparkSession spark, Path root, int frames, String output, boolean overwrite) {
        SpeechCommands dataset = SpeechCommands.open(root);
        Map<String, Place> places = new HashMap<>();
        List<String> paths = new ArrayList<>();
        for (Split split : Split.values()) {
            List<Example> examples = dataset.examples(split);
            for (int i = 0; i < examples.size(); i++) {
                Path f = examples.get(i).file().toAbsolutePath();
                String clip = f.getParent().getFileName() + "/" + f.getFileName();
                places.put(clip, new Place(clip, split.id(), i, examples.get(i).label()));
                paths.add(f.toString());
            }
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<Map<String, Place>> where = jsc.broadcast(places);
        MapPartitionsFunction<Row, Row> compute = rows -> compute(rows, where.value(), frames);
        Dataset<Row> rows = AudioFiles.readFiles(spark, paths.toArray(String[]::new)).select("path", "content")
                .mapPartitions(compute, Encoders.row(SCHEMA));
        var mode = overwrite ? org.apache.spark.sql.SaveMode.Overwrite : org.apache.spark.sql.SaveMode.ErrorIfExists;
        try {
            rows.write().mode(mode).parquet(output);
        } catch (Exception e) {
            throw SparkSessions.writeFailure(output, e);
        }
        spark.createDataset(dataset.labels().names(), Encoders.STRING()).coalesce(1).write().mode(org.apache.spark.sql.SaveMode.Overwrite)
                .text(output + "/_words");
        return spark.read().parquet(output).count();
    }

    private static Iterator<Row> compute(Iterator<Row> rows, Map<String, Place> places, int frames) {
        Pipeline pipeline = new Pipeline(Augment.NONE, new ModelInput(frames, 0, 1), 1);
        List<Row> out = new ArrayList<>();
        while (rows.hasNext()) {
            Row r = rows.next();
            String path = r.getString(0);
            Place p = places.get(DistributedEvaluation.relative(path));
            if (p == null) throw new IllegalStateException(path + " is not a listed clip");
            float[] x = new float[pipeline.inputSize()];
            pipeline.rawFeatures(Pipeline.load((byte[]) r.getAs(1), path), x, 0);
            Float[] boxed = new Float[x.length];
            for (int i = 0; i < x.length; i++) boxed[i] = x[i];
            out.add(RowFactory.create(p.clip(), p.split(), p.position(), p.label(), boxed));
        }
        return out.iterator();
    }

    /**
     * The features written by {@link #write} at {@code input}, collected on the driver in each split's
     * list order.
     *
     * @throws IllegalArgumentException when {@code input} is not such a folder
     */
    public static PreparedFeatures read(SparkSession spark, String input) {
        List<String> words;
        List<Row> rows;
        try {
            words = spark.read().textFile(input + "/_words").collectAsList();
            rows = spark.read().schema(SCHEMA).parquet(input).collectAsList();
        } catch (Exception e) {
            String m = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            throw new IllegalArgumentException(input + ": not features written by spark features (" + m + ")", e);
        }
        PreparedFeatures.Clips[] clips = new PreparedFeatures.Clips[3];
        int frames = -1;
        for (Split split : Split.values()) {
            List<Row> of = rows.stream().filter(r -> r.getString(1).equals(split.id())).sorted(Comparator.comparingInt(r -> r.getInt(2))).toList();
            String[] names = new String[of.size()];
            int[] labels = new int[of.size()];
            float[][] fbank = new float[of.size()][];
            for (int i = 0; i < names.length; i++) {
                Row r = of.get(i);
                names[i] = r.getString(0);
                labels[i] = r.getInt(3);
                List<Float> v = r.getList(4);
                fbank[i] = new float[v.size()];
                for (int j = 0; j < fbank[i].length; j++) fbank[i][j] = v.get(j);
                frames = fbank[i].length / Fbank.DEFAULT_MEL_BINS;
            }
            clips[split.ordinal()] = new PreparedFeatures.Clips(names, labels, fbank);
        }
        if (frames < 0) throw new IllegalArgumentException(input + ": no clips");
        return new PreparedFeatures(words, frames, Fbank.DEFAULT_MEL_BINS, clips[0], clips[1], clips[2]);
    }

    /** For messages: the sizes of the splits. */
    static String describe(PreparedFeatures f) {
        return Arrays.stream(Split.values()).map(s -> f.split(s).size() + " " + s.id()).reduce((a, b) -> a + " / " + b).orElse("");
    }
}
