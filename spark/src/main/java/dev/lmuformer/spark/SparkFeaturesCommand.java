package dev.lmuformer.spark;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code lmuformer spark features}: a dataset's filterbanks, computed on the executors, as Parquet for {@code spark train --features}. */
@Command(name = "features", description = "Compute the filterbank of every clip of a Speech Commands folder on Spark's executors and write them "
        + "as Parquet (clip, split, position, label, fbank; the words in _words), for spark train --features.",
        footer = {"", "Examples:",
                "  lmuformer spark features --data data/keywords --output runs/keywords.parquet",
                "  lmuformer spark train --features runs/keywords.parquet --set mixup=0 --out runs/from-features"})
final class SparkFeaturesCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--master", description = "Spark master URL (default: the one spark-submit gives, else local[*]).")
    String master;

    @Option(names = "--data", defaultValue = "data/keywords", description = "The Speech Commands folder, listed on the driver (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--output", required = true, description = "Output folder of the Parquet files.")
    String output;

    @Option(names = "--frames", defaultValue = "128", description = "Frames per clip, the model length: audio_length (default: ${DEFAULT-VALUE}).")
    int frames;

    @Option(names = "--overwrite", description = "Replace --output if it exists.")
    boolean overwrite;

    @Override
    public Integer call() {
        if (frames < 1) throw new IllegalArgumentException("--frames must be positive, got " + frames);
        SparkCommand.requireSpark();
        long clips = SparkJobs.features(master, data, frames, output, overwrite);
        spec.commandLine().getOut().printf("%d clips: filterbanks of %d frames written to %s%n", clips, frames, output);
        return 0;
    }
}
