package dev.lmuformer.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/** Tiny MNIST-format IDX files for the training command tests. */
final class TinyMnist {
    private TinyMnist() {
    }

    private static void writeIdx(Path file, int[] shape, byte[] data) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(4 + 4 * shape.length);
        header.put((byte) 0).put((byte) 0).put((byte) 8).put((byte) shape.length);
        for (int d : shape) header.putInt(d);
        try (OutputStream o = file.toString().endsWith(".gz") ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
            o.write(header.array());
            o.write(data);
        }
    }

    /** {@code prefix}-images/labels files of 28×28 images whose class (0 or 1) is whether the top or the bottom half is bright. */
    static void write(Path root, String prefix, int count, long seed, boolean gz) throws IOException {
        Random rnd = new Random(seed);
        byte[] images = new byte[count * 28 * 28];
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            labels[i] = (byte) (i % 2);
            for (int p = 0; p < 28 * 28; p++) {
                boolean top = p < 14 * 28;
                boolean bright = top == (labels[i] == 0);
                images[i * 784 + p] = (byte) (bright ? 200 + rnd.nextInt(50) : rnd.nextInt(40));
            }
        }
        writeIdx(root.resolve(prefix + "-images-idx3-ubyte" + (gz ? ".gz" : "")), new int[] {count, 28, 28}, images);
        writeIdx(root.resolve(prefix + "-labels-idx1-ubyte" + (gz ? ".gz" : "")), new int[] {count}, labels);
    }
}
