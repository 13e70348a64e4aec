package dev.lmuformer.io;

import dev.lmuformer.engine.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files (format versions 1–3): reads little-endian float32/float64 and
 * integer arrays in C order as float32 tensors; writes float32.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    /** Reads an array; throws {@link FormatException} naming the file on any problem. */
    public static Tensor read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new FormatException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        return parse(file.toString(), bytes);
    }

    /** Parses {@code .npy} bytes; {@code source} names them in error messages. */
    public static Tensor parse(String source, byte[] bytes) {
        if (bytes.length < 10) throw new FormatException(source + ": not a .npy file (too short)");
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) throw new FormatException(source + ": not a .npy file (bad magic)");
        }
        int major = bytes[6];
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen;
        int start;
        if (major == 1) {
            headerLen = b.getShort(8) & 0xffff;
            start = 10;
        } else if (major == 2 || major == 3) {
            if (bytes.length < 12) throw new FormatException(source + ": truncated .npy header");
            headerLen = b.getInt(8) & 0xffffffffL;
            start = 12;
        } else {
            throw new FormatException(source + ": unsupported .npy version " + major);
        }
        if (start + headerLen > bytes.length) throw new FormatException(source + ": truncated .npy header");
        String header = new String(bytes, start, (int) headerLen, StandardCharsets.ISO_8859_1);
        Matcher descr = DESCR.matcher(header);
        Matcher fortran = FORTRAN.matcher(header);
        Matcher shapeM = SHAPE.matcher(header);
        if (!descr.find() || !fortran.find() || !shapeM.find()) throw new FormatException(source + ": malformed .npy header: " + Excerpt.of(header.trim()));
        if (fortran.group(1).equals("True")) throw new FormatException(source + ": Fortran-ordered arrays are not supported; save with C order");
        String[] parts = shapeM.group(1).split(",");
        int count = 0;
        int[] dims = new int[parts.length];
        long size = 1;
        for (String p : parts) {
            p = p.trim();
            if (p.isEmpty()) continue;
            try {
                dims[count] = Integer.parseInt(p.replace("L", ""));
            } catch (NumberFormatException e) {
                throw new FormatException(source + ": malformed shape in .npy header: " + Excerpt.of("(" + shapeM.group(1) + ")"));
            }
            if (dims[count] < 0) throw new FormatException(source + ": negative dimension in .npy header");
            size *= dims[count++];
            if (size > Integer.MAX_VALUE) throw new FormatException(source + ": array too large");
        }
        int[] shape = java.util.Arrays.copyOf(dims, count);
        String type = descr.group(1);
        int width;
        switch (type) {
            case "<f4": case "<i4": case "<u4": width = 4; break;
            case "<f8": case "<i8": width = 8; break;
            case "|u1": case "|i1": case "|b1": width = 1; break;
            default: throw new FormatException(source + ": unsupported .npy dtype " + Excerpt.of(type) + " (use little-endian float32)");
        }
        int dataStart = start + (int) headerLen;
        long needed = size * width;
        if (bytes.length - dataStart < needed) {
            throw new FormatException(source + ": truncated .npy data (" + (bytes.length - dataStart) + " bytes, shape needs " + needed + ")");
        }
        float[] out = new float[(int) size];
        b.position(dataStart);
        for (int i = 0; i < out.length; i++) {
            switch (type) {
                case "<f4": out[i] = b.getFloat(); break;
                case "<f8": out[i] = (float) b.getDouble(); break;
                case "<i4": out[i] = b.getInt(); break;
                case "<u4": out[i] = b.getInt() & 0xffffffffL; break;
                case "<i8": out[i] = b.getLong(); break;
                case "|u1": case "|b1": out[i] = b.get() & 0xff; break;
                default: out[i] = b.get(); break;
            }
        }
        return new Tensor(out, shape);
    }

    /** Writes a float32 array atomically (temporary file, then rename). */
    public static void write(Path file, Tensor t) {
        StringBuilder shape = new StringBuilder("(");
        int[] s = t.shape();
        for (int i = 0; i < s.length; i++) {
            shape.append(s[i]);
            if (s.length == 1 || i < s.length - 1) shape.append(s.length == 1 ? "," : ", ");
        }
        shape.append(')');
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
        int unpadded = 10 + dict.length() + 1;
        int pad = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteBuffer out = ByteBuffer.allocate(10 + header.length() + 4 * t.size()).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        out.put(header.getBytes(StandardCharsets.ISO_8859_1));
        out.asFloatBuffer().put(t.data);
        AtomicFiles.write(file, out.array());
    }
}
