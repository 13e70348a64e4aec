package dev.lmuformer.spark;

import dev.lmuformer.data.Split;
import dev.lmuformer.data.speech.Augment;
import dev.lmuformer.data.speech.Labels;
import dev.lmuformer.data.speech.Pipeline;
import dev.lmuformer.data.speech.SpeechCommands;
import dev.lmuformer.model.SequenceModel;
import dev.lmuformer.stream.KeywordSpotter;
import dev.lmuformer.train.Evaluator;
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
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The metrics of {@code eval} over a labelled collection in the Speech Commands layout
 * ({@code word/clip.wav}, with {@code validation_list.txt} and {@code testing_list.txt}), with the
 * forward passes spread over the executors. Each clip's input is the {@link Pipeline}'s unaugmented
 * one, computed where the file is read; the logits come back to the driver in list order, which then
 * computes the metrics exactly as the single-machine {@link Evaluator} does.
 */
public final class DistributedEvaluation {
    /** Clips per forward pass, as {@code eval}'s loader batches them. */
    static final int BATCH = 256;

    private static final StructType LOGITS = new StructType()
            .add("index", DataTypes.IntegerType, false)
            .add("logits", DataTypes.createArrayType(DataTypes.FloatType, false), false);

    private DistributedEvaluation() {
    }

    /**
     * Logits and targets of every clip of {@code split} of the collection at {@code root} (a path Spark
     * reads), in the order of its list file, with the checkpoint of bytes {@code checkpoint}.
     *
     * @throws IllegalArgumentException when the model's classes are not the 35 Speech Commands words, the
     *                                  list names a word that is not one or a clip that is missing, or a clip cannot be read
     */
    public static Evaluator.Outputs evaluate(SparkSession spark, String root, Split split, String name, byte[] checkpoint) {
        if (split == Split.TRAIN) throw new IllegalArgumentException("evaluate the test or validation split, not train");
        KeywordSpotter driver = new KeywordSpotter(ExecutorModels.parse(name, checkpoint));
        Labels labels = Labels.speechCommands();
        int classes = driver.model().numClasses();
        if (labels.size() != classes) {
            throw new IllegalArgumentException("the model has " + classes + " classes but " + root + " has " + labels.size());
        }
        String listFile = split == Split.TEST ? SpeechCommands.TESTING_LIST : SpeechCommands.VALIDATION_LIST;
        List<String> listed = spark.read().textFile(join(root, listFile)).collectAsList();
        Map<String, Integer> index = new HashMap<>();
        int[] label = new int[listed.size()];
        for (int i = 0; i < listed.size(); i++) {
            String rel = listed.get(i).trim();
            int slash = rel.indexOf('/');
            int l = slash < 0 ? -1 : labels.indexOf(rel.substring(0, slash));
            if (l < 0) throw new IllegalArgumentException(listFile + " line " + (i + 1) + ": '" + rel + "' is not word/clip.wav of a Speech Commands word");
            label[i] = l;
            index.put(rel, i);
        }
        Broadcast<Map<String, Integer>> clips = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(index);
        Broadcast<byte[]> model = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(checkpoint);
        MapPartitionsFunction<Row, Row> forward = rows -> forwardPartition(rows, clips.value(), model, name);
        String[] paths = listed.stream().map(rel -> join(root, rel.trim())).toArray(String[]::new);
        List<Row> rows = AudioFiles.readFiles(spark, paths).select("path", "content").mapPartitions(forward, Encoders.row(LOGITS)).collectAsList();
        float[] logits = new float[listed.size() * classes];
        boolean[] seen = new boolean[listed.size()];
        for (Row r : rows) {
            int i = r.getInt(0);
            List<Float> l = r.getList(1);
            for (int c = 0; c < classes; c++) logits[i * classes + c] = l.get(c);
            seen[i] = true;
        }
        for (int i = 0; i < seen.length; i++) {
            if (!seen[i]) throw new IllegalArgumentException(listFile + " lists " + listed.get(i).trim() + " but " + root + " has no such clip");
        }
        float[] targets = new float[listed.size() * classes];
        for (int i = 0; i < label.length; i++) targets[i * classes + label[i]] = 1f;
        return new Evaluator.Outputs(logits, targets, listed.size(), classes);
    }

    private static Iterator<Row> forwardPartition(Iterator<Row> rows, Map<String, Integer> clips, Broadcast<byte[]> model, String name) {
        KeywordSpotter spotter = null;
        List<Row> out = new ArrayList<>();
        try {
            List<Integer> batch = new ArrayList<>();
            float[] x = null;
            Pipeline pipeline = null;
            while (rows.hasNext()) {
                Row r = rows.next();
                String path = r.getString(0);
                Integer i = clips.get(relative(path));
                if (i == null) throw new IllegalStateException(path + " is not a listed clip");
                if (spotter == null) {
                    spotter = ExecutorModels.borrow(model, name);
                    pipeline = new Pipeline(Augment.NONE, spotter.input(), spotter.model().numClasses());
                    x = new float[BATCH * pipeline.inputSize()];
                }
                pipeline.evaluationInput(Pipeline.load((byte[]) r.getAs(1), path), x, batch.size() * pipeline.inputSize());
                batch.add(i);
                if (batch.size() == BATCH) flush(spotter.model(), x, batch, out);
            }
            if (!batch.isEmpty()) flush(spotter.model(), x, batch, out);
        } finally {
            if (spotter != null) ExecutorModels.giveBack(model, spotter);
        }
        return out.iterator();
    }

    private static void flush(SequenceModel model, float[] x, List<Integer> batch, List<Row> out) {
        int n = batch.size();
        int classes = model.numClasses();
        int frames = model.config().seqLen();
        float[] logits = model.forward(n == BATCH ? x : Arrays.copyOf(x, x.length / BATCH * n), n, frames, false);
        for (int b = 0; b < n; b++) {
            Float[] l = new Float[classes];
            for (int c = 0; c < classes; c++) l[c] = logits[b * classes + c];
            out.add(RowFactory.create(batch.get(b), l));
        }
        batch.clear();
    }

    /** {@code word/clip.wav}: the last two parts of a path, as the list files name clips. */
    static String relative(String path) {
        int last = path.lastIndexOf('/');
        int before = last <= 0 ? -1 : path.lastIndexOf('/', last - 1);
        return path.substring(before + 1);
    }

    private static String join(String root, String file) {
        return root.endsWith("/") ? root + file : root + "/" + file;
    }
}
