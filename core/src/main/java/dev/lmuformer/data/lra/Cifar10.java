package dev.lmuformer.data.lra;

import dev.lmuformer.io.FormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CIFAR-10 binary batches ({@code data_batch_1.bin} … {@code data_batch_5.bin},
 * {@code test_batch.bin}) as the LRA Image task reads them: each record is one label byte (0–9)
 * and 3,072 pixel bytes, the red, green and blue 32×32 planes row-major; the image becomes a
 * 1,024-long row-major sequence of grey levels (symbols 0–255).
 */
public final class Cifar10 {
    /** Tokens with padding. */
    public static final int VOCABULARY = 257;
    /** The ten classes. */
    public static final int CLASSES = 10;
    /** Pixels per image. */
    public static final int PIXELS = 32 * 32;
    private static final int RECORD = 1 + 3 * PIXELS;

    private Cifar10() {
    }

    /**
     * Reads batch files, records in file order.
     *
     * @throws FormatException naming the file (and record) when a file is not whole records or a label is not 0–9
     */
    public static TokenSet read(List<Path> files) {
        List<byte[]> images = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (Path file : files) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (IOException e) {
                throw new FormatException(file + ": cannot read (" + e.getMessage() + ")", e);
            }
            if (bytes.length == 0 || bytes.length % RECORD != 0) {
                throw new FormatException(file + ": " + bytes.length + " bytes is not a whole number of " + RECORD
                        + "-byte CIFAR-10 records (label byte + 3,072 pixels)");
            }
            for (int r = 0; r < bytes.length / RECORD; r++) {
                int at = r * RECORD;
                int label = bytes[at] & 0xff;
                if (label >= CLASSES) throw new FormatException(file + ": record " + (r + 1) + " has label " + label + ", not 0–9");
                byte[] grey = new byte[PIXELS];
                for (int p = 0; p < PIXELS; p++) {
                    grey[p] = (byte) luminance(bytes[at + 1 + p] & 0xff, bytes[at + 1 + PIXELS + p] & 0xff, bytes[at + 1 + 2 * PIXELS + p] & 0xff);
                }
                images.add(grey);
                labels.add(label);
            }
        }
        return new TokenSet(images.toArray(new byte[0][]), null, Tsv.ints(labels), CLASSES, VOCABULARY, 0);
    }

    /** ITU-R BT.601 luminance {@code 0.299 R + 0.587 G + 0.114 B}, rounded to the nearest grey level. */
    static int luminance(int r, int g, int b) {
        return (299 * r + 587 * g + 114 * b + 500) / 1000;
    }
}
