package dev.lmuformer.io;

import dev.lmuformer.testing.Fuzz;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * 12,000 mutants of three small valid safetensors files (tensors of every dtype, a scalar, an empty
 * tensor, {@code __metadata__}; one file with a single tensor, one with none). A third are byte
 * corruptions with half of them aimed at the length field and the JSON header ({@link Fuzz#binary});
 * a third corrupt the JSON as text ({@link Fuzz#text}) and frame it again with its true length so
 * that it reaches the JSON reader; a third set one value of the header (a dimension, an offset, a
 * shape list, a dtype, a name or a metadata value) to an extreme, mistyped or nested one, or to an
 * offset inside the data (overlaps, mismatches with the shape). Each mutant either reads, and then
 * every tensor converts with as many bytes as its shape needs, or raises {@link FormatException}.
 */
class SafetensorsFuzzTest {
    private static final int CASES = 12_000;

    /** A JSON number, string or flat list: the values {@link #valueChanged} replaces. */
    private static final Pattern VALUE = Pattern.compile("-?\\d+|\"(?:[^\"\\\\]|\\\\.)*\"|\\[[^\\[\\]]*\\]");
    private static final String[] REPLACEMENTS = {"-1", "0", "1", "2147483647", "2147483648", "4294967296", "9223372036854775807",
        "18446744073709551617", "-9223372036854775809", "1e400", "1.5", "null", "true", "{}", "[]", "[0]", "[-1]", "[3, 1]", "[[2], 3]",
        "[2147483647, 2147483647, 2147483647]", "[65536, 65536, 65536, 65536]", "[1, 2, 3]", "[0, 0]", "[\"0\", 4]",
        "\"F32\"", "\"F16\"", "\"BF16\"", "\"F64\"", "\"I64\"", "\"I8\"", "\"BOOL\"", "\"C64\"", "\"Q4_0\"", "\"f32\"", "\"\"",
        "\"__metadata__\"", "\"line\\nbreak\\u0000\\u0085\"", "{\"a\": 1}"};

    @TempDir
    Path dir;

    @Test
    void corruptedFilesRaiseOnlyFormatException() {
        List<byte[]> valid = List.of(
                file(Map.of("format", "pt", "note", "fuzz seed"),
                        tensor(Dtype.F32, 2, 3), tensor(Dtype.F16, 4), tensor(Dtype.BF16, 2, 2), tensor(Dtype.F64),
                        tensor(Dtype.I64, 3), tensor(Dtype.U8, 0, 5), tensor(Dtype.BOOL, 2), tensor(Dtype.I8, 1, 1, 3)),
                file(Map.of(), tensor(Dtype.F32, 5)),
                file(Map.of("empty", "")));
        Path f = dir.resolve("mutant.safetensors");
        Fuzz.run("safetensors", CASES, 20240612L, Duration.ofSeconds(30), rnd -> mutant(valid.get(rnd.nextInt(valid.size())), rnd), (bytes, i) -> {
            Files.write(f, bytes);
            Safetensors st = Safetensors.read(f);
            for (String name : st.names()) {
                StoredTensor t = st.stored(name);
                assertEquals(t.numel() * t.dtype().width(), t.data().length, name);
                if (t.dtype() != Dtype.C64) assertEquals(t.numel(), st.tensor(name).size(), name);
            }
        }, FormatException.class);
    }

    /** A named tensor of {@code shape} holding distinct bytes. */
    private static Map.Entry<String, StoredTensor> tensor(Dtype dtype, int... shape) {
        byte[] data = new byte[(int) StoredTensor.numel(shape) * dtype.width()];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 37 + 11);
        if (dtype == Dtype.BOOL) Arrays.fill(data, (byte) 1);
        return Map.entry("layer." + dtype.name().toLowerCase() + Arrays.toString(shape), new StoredTensor(dtype, shape, data));
    }

    /** The bytes the writer makes of these tensors and metadata. */
    @SafeVarargs
    private byte[] file(Map<String, String> metadata, Map.Entry<String, StoredTensor>... tensors) {
        Map<String, StoredTensor> all = new LinkedHashMap<>();
        for (Map.Entry<String, StoredTensor> t : tensors) all.put(t.getKey(), t.getValue());
        Path p = dir.resolve("seed.safetensors");
        Safetensors.writeStored(p, all, metadata);
        try {
            return Files.readAllBytes(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] mutant(byte[] valid, SplittableRandom rnd) {
        int headerEnd = 8 + (int) ByteBuffer.wrap(valid).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        String json = new String(valid, 8, headerEnd - 8, StandardCharsets.UTF_8);
        byte[] data = Arrays.copyOfRange(valid, headerEnd, valid.length);
        return switch (rnd.nextInt(3)) {
            case 0 -> Fuzz.binary(valid, rnd, 0, headerEnd);
            case 1 -> framed(Fuzz.text(json, rnd), data);
            default -> framed(valueChanged(json, data.length, rnd).getBytes(StandardCharsets.UTF_8), data);
        };
    }

    /** {@code json} with one of its values replaced by an extreme one or by an offset into the data. */
    private static String valueChanged(String json, int dataLen, SplittableRandom rnd) {
        List<int[]> values = new ArrayList<>();
        for (Matcher m = VALUE.matcher(json); m.find(); ) values.add(new int[] {m.start(), m.end()});
        int[] v = values.get(rnd.nextInt(values.size()));
        String by = rnd.nextInt(4) == 0 ? String.valueOf(rnd.nextInt(dataLen + 9)) : REPLACEMENTS[rnd.nextInt(REPLACEMENTS.length)];
        return json.substring(0, v[0]) + by + json.substring(v[1]);
    }

    /** A header of {@code json} with its true length, then {@code data}. */
    private static byte[] framed(byte[] json, byte[] data) {
        return ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).put(json).put(data).array();
    }
}
