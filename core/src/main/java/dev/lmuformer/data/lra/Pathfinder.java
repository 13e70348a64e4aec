package dev.lmuformer.data.lra;

import dev.lmuformer.io.Excerpt;
import dev.lmuformer.io.FormatException;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Pathfinder (Long Range Arena): grey images of curved dashes with two dots, labelled 1 when a
 * path joins the dots. A folder of the LRA release (e.g. {@code pathfinder32/curv_contour_length_14})
 * holds {@code metadata/<n>.npy} — text files despite the name, one image per line,
 * whitespace-separated: the image's folder and file name relative to the root (e.g.
 * {@code imgs/0 sample_0.png}), a third field, and the label (0 or 1) fourth — and the PNG images.
 * An image becomes its row-major sequence of grey levels (32×32 → 1,024). Empty image files, which
 * the release contains, are skipped and reported. An image's size is read from its PNG header and
 * checked before it is decoded, so that a corrupted header cannot make the decoder allocate for a
 * huge image.
 */
public final class Pathfinder {
    /** Tokens with padding. */
    public static final int VOCABULARY = 257;
    /** Path or no path. */
    public static final int CLASSES = 2;
    /** Pixels an image may have a side at most: the release's are 32 to 256. */
    private static final int MAX_SIDE = 1024;
    /** The PNG signature, then the IHDR chunk's length (13) and type, then its width and height. */
    private static final long PNG_SIGNATURE = 0x89504e470d0a1a0aL;
    private static final int IHDR_LENGTH = 13, IHDR = 0x49484452, PNG_HEADER = 24;

    private Pathfinder() {
    }

    /**
     * Reads every image listed in {@code root/metadata/*.npy}, metadata files in numeric order.
     *
     * @param notes receives a line about skipped empty images
     * @throws FormatException naming the file and line of a malformed metadata line, or an image that
     *                         is missing, not decodable or of another size than the first
     */
    public static TokenSet read(Path root, Consumer<String> notes) {
        Path meta = root.resolve("metadata");
        List<Path> files;
        try (Stream<Path> s = Files.list(meta)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".npy")).sorted(Comparator.comparingLong(Pathfinder::number)
                    .thenComparing(Path::toString)).toList();
        } catch (IOException e) {
            throw new FormatException(meta + ": cannot list the metadata folder (" + e.getMessage() + ")", e);
        }
        if (files.isEmpty()) throw new FormatException(meta + ": no metadata/*.npy files");
        List<byte[]> images = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        int[] size = {-1, -1};
        int skipped = 0;
        for (Path file : files) {
            List<String> lines;
            try {
                lines = Files.readAllLines(file, java.nio.charset.StandardCharsets.ISO_8859_1);
            } catch (IOException e) {
                throw new FormatException(file + ": cannot read (" + e.getMessage() + ")", e);
            }
            for (int i = 0; i < lines.size(); i++) {
                String[] f = lines.get(i).trim().split("\\s+");
                if (f.length == 1 && f[0].isEmpty()) continue;
                if (f.length < 4) throw Tsv.error(file, i + 1, "expected 'folder file _ label', found " + f.length + " field(s)");
                int label = Tsv.label(file, i + 1, f[3].getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), CLASSES);
                String listed = Excerpt.of(f[0] + "/" + f[1]);
                Path image;
                try {
                    image = root.resolve(f[0]).resolve(f[1]).normalize();
                } catch (InvalidPathException e) {
                    throw Tsv.error(file, i + 1, "image " + listed + " is not a valid path");
                }
                if (!image.startsWith(root.normalize())) throw Tsv.error(file, i + 1, "image " + listed + " is outside " + root);
                byte[] grey = grey(image, listed, file, i + 1, size);
                if (grey == null) {
                    skipped++;
                    continue;
                }
                images.add(grey);
                labels.add(label);
            }
        }
        if (skipped > 0) notes.accept("pathfinder: skipped " + skipped + " empty image file(s)");
        return new TokenSet(images.toArray(new byte[0][]), null, Tsv.ints(labels), CLASSES, VOCABULARY, 0);
    }

    private static long number(Path p) {
        String name = p.getFileName().toString();
        try {
            return Long.parseLong(name.substring(0, name.length() - ".npy".length()));
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * The grey levels of an image, row-major; null for an empty file. {@code listed} is its name as the
     * metadata gives it (quoted), {@code size} the first image's (width, height).
     */
    private static byte[] grey(Path image, String listed, Path listedIn, int line, int[] size) {
        if (!Files.isRegularFile(image)) throw Tsv.error(listedIn, line, "image " + listed + " does not exist");
        BufferedImage img;
        try {
            byte[] bytes = Files.readAllBytes(image); // read once: the header check and the decoder share it
            if (bytes.length == 0) return null;
            checkPngSize(bytes, listed, listedIn, line, size);
            img = ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw Tsv.error(listedIn, line, "cannot read image " + listed + " (" + e.getMessage() + ")");
        }
        if (img == null || img.getWidth() != size[0] || img.getHeight() != size[1]) {
            throw Tsv.error(listedIn, line, "image " + listed + " is not a PNG ImageIO can decode");
        }
        int w = size[0], h = size[1];
        byte[] out = new byte[w * h];
        Raster r = img.getRaster();
        boolean grey8 = r.getNumBands() == 1 && img.getColorModel().getComponentSize(0) == 8 && img.getColorModel().getNumComponents() == 1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (grey8) {
                    out[y * w + x] = (byte) r.getSample(x, y, 0); // the stored level, no colour-space conversion
                } else {
                    int rgb = img.getRGB(x, y);
                    out[y * w + x] = (byte) Cifar10.luminance(rgb >> 16 & 0xff, rgb >> 8 & 0xff, rgb & 0xff);
                }
            }
        }
        return out;
    }

    /**
     * Checks the width and height in a PNG's header, before decoding it: against {@link #MAX_SIDE}
     * for the first image (which sets {@code size}), against the first image's for the others.
     */
    private static void checkPngSize(byte[] png, String listed, Path listedIn, int line, int[] size) {
        ByteBuffer header = ByteBuffer.wrap(png, 0, Math.min(png.length, PNG_HEADER));
        if (png.length < PNG_HEADER || header.getLong(0) != PNG_SIGNATURE || header.getInt(8) != IHDR_LENGTH || header.getInt(12) != IHDR) {
            throw Tsv.error(listedIn, line, "image " + listed + " is not a PNG file");
        }
        int w = header.getInt(16), h = header.getInt(20);
        if (size[0] < 0) {
            if (w < 1 || w > MAX_SIDE || h < 1 || h > MAX_SIDE) {
                throw Tsv.error(listedIn, line, "image " + listed + " is " + w + "×" + h + ", not 1…" + MAX_SIDE + " pixels a side");
            }
            size[0] = w;
            size[1] = h;
        } else if (w != size[0] || h != size[1]) {
            throw Tsv.error(listedIn, line, "image " + listed + " is " + w + "×" + h + ", the first image " + size[0] + "×" + size[1]);
        }
    }
}
