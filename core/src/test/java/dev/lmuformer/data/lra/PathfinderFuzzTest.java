package dev.lmuformer.data.lra;

import dev.lmuformer.io.FormatException;
import dev.lmuformer.testing.Fuzz;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded fuzzing of {@link Pathfinder#read} on a folder of 4×4 images: 10,000 mutants of the
 * metadata text (fields, labels and image paths broken, lines dropped and repeated, bad encodings),
 * and 10,000 mutants of a PNG's bytes, half aimed at its IHDR (sizes set to 0, negative and 2^31−1)
 * and half at its IDAT chunk, the mutant listed before and after a valid image. Each read either
 * gives 4×4 images with labels 0 or 1, or raises a {@link FormatException}.
 */
class PathfinderFuzzTest {
    private static final int CASES = 10_000;
    private static final int SIDE = 4;
    /** The signature (8 bytes) and the IHDR chunk (length, type, 13 bytes of data, CRC). */
    private static final int IHDR_END = 8 + 12 + 13;

    @TempDir
    Path dir;

    @Test
    void corruptedMetadataRaisesOnlyFormatException() throws IOException {
        Path root = dir.resolve("metadata-fuzz");
        write(root.resolve("imgs/0/sample_0.png"), png(BufferedImage.TYPE_BYTE_GRAY, 10));
        write(root.resolve("imgs/0/sample_1.png"), png(BufferedImage.TYPE_BYTE_GRAY, 200));
        write(root.resolve("imgs/1/sample_0.png"), png(BufferedImage.TYPE_INT_RGB, 0));
        write(root.resolve("imgs/0/sample_2.png"), new byte[0]); // the release has empty files; they are skipped
        Path meta = Files.createDirectories(root.resolve("metadata")).resolve("0.npy");
        Fuzz.run("pathfinder metadata", CASES, 20240612L, Duration.ofSeconds(20), Fuzz.Mutator.textOf(
                "imgs/0 sample_0.png 0 1 3 7\nimgs/0 sample_1.png 0 0 3 7\nimgs/0 sample_2.png 0 1 3 7\n",
                "imgs/1 sample_0.png 0 1.0\nimgs/0 sample_1.png 0 0\n",
                "\timgs/0   sample_1.png\t0\t1\r\n\r\nimgs/0 sample_0.png 2 0 x y z\r\n"),
                (mutant, i) -> {
                    Files.write(meta, mutant);
                    checkValid(Pathfinder.read(root, note -> { }));
                }, FormatException.class);
    }

    @Test
    void corruptedImagesRaiseOnlyFormatException() throws IOException {
        byte[][] valid = {png(BufferedImage.TYPE_BYTE_GRAY, 10), png(BufferedImage.TYPE_INT_RGB, 90), png(BufferedImage.TYPE_USHORT_GRAY, 30),
            png(BufferedImage.TYPE_BYTE_BINARY, 1)};
        // the mutant first (its size checked on its own) and after a valid image (checked against it)
        Path[] roots = {dir.resolve("mutant-first"), dir.resolve("mutant-second")};
        for (Path root : roots) write(root.resolve("imgs/0/valid.png"), valid[0]);
        Files.writeString(Files.createDirectories(roots[0].resolve("metadata")).resolve("0.npy"), "imgs/0 mutant.png 0 1\nimgs/0 valid.png 0 0\n");
        Files.writeString(Files.createDirectories(roots[1].resolve("metadata")).resolve("0.npy"), "imgs/0 valid.png 0 0\nimgs/0 mutant.png 0 1\n");
        Fuzz.run("pathfinder png", CASES, 20240613L, Duration.ofSeconds(20), rnd -> {
            byte[] v = valid[rnd.nextInt(valid.length)];
            int[] idat = idat(v);
            return rnd.nextBoolean() ? Fuzz.binary(v, rnd, 8, IHDR_END) : Fuzz.binary(v, rnd, idat[0], idat[1]);
        }, (mutant, i) -> {
            Path root = roots[i % 2];
            Files.write(root.resolve("imgs/0/mutant.png"), mutant);
            checkValid(Pathfinder.read(root, note -> { }));
        }, FormatException.class);
    }

    @Test
    void imagesOutsideTheRootAreRefused() throws IOException {
        Path root = dir.resolve("escape");
        write(dir.resolve("outside.png"), png(BufferedImage.TYPE_BYTE_GRAY, 10));
        Files.writeString(Files.createDirectories(root.resolve("metadata")).resolve("0.npy"), "imgs/0 ../../../outside.png 0 1\n");
        FormatException e = assertThrows(FormatException.class, () -> Pathfinder.read(root, note -> { }));
        assertTrue(e.getMessage().contains("'imgs/0/../../../outside.png' is outside"), e.getMessage());
    }

    /** What every read folder holds: 4×4 images, labels 0 or 1 (the constructor checks the range). */
    private static void checkValid(TokenSet s) {
        for (byte[] image : s.first()) assertEquals(SIDE * SIDE, image.length);
        assertEquals(Pathfinder.CLASSES, s.classes());
    }

    /** A 4×4 PNG of the given type with grey levels from {@code level} on. */
    private static byte[] png(int type, int level) throws IOException {
        BufferedImage img = new BufferedImage(SIDE, SIDE, type);
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                int g = (level + 16 * x + 40 * y) & 0xff;
                img.setRGB(x, y, 0xff000000 | g << 16 | g << 8 | g);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, "png", out));
        return out.toByteArray();
    }

    /** The offsets of the first IDAT chunk, from its length field to the end of its CRC. */
    private static int[] idat(byte[] png) {
        ByteBuffer b = ByteBuffer.wrap(png);
        for (int at = 8; at + 8 <= png.length; at += 12 + b.getInt(at)) {
            String type = new String(png, at + 4, 4, StandardCharsets.ISO_8859_1);
            if (type.equals("IDAT")) return new int[] {at, at + 12 + b.getInt(at)};
        }
        throw new AssertionError("no IDAT chunk");
    }

    private static void write(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
    }
}
