package dev.lmuformer.data.lra;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Byte-level text classification files of the Long Range Arena, tokenised as LRA does: each byte
 * of the UTF-8 text is one symbol (vocabulary 256 + padding), cut at the maximum length.
 * <ul>
 * <li>Text (IMDb reviews): {@code label<TAB>text} per line, label 0 or 1; a first line
 *     {@code label<TAB>text} is taken as a header. Tabs inside the text are kept.</li>
 * <li>Retrieval (ACL Anthology Network pairs, the LRA release's {@code new_aan_pairs.*.tsv}):
 *     {@code label<TAB>id1<TAB>id2<TAB>text1<TAB>text2} per line, no header, label 0 or 1
 *     (also written {@code 1.0}); whether the two papers are linked by a citation.</li>
 * </ul>
 */
public final class ByteText {
    /** Tokens with padding. */
    public static final int VOCABULARY = 257;
    /** Both tasks are binary. */
    public static final int CLASSES = 2;

    private ByteText() {
    }

    /**
     * Reads a {@code label<TAB>text} file.
     *
     * @throws dev.lmuformer.io.FormatException naming the file and line of the first malformed line
     */
    public static TokenSet readLabelled(Path file, int maxLength) {
        List<byte[]> texts = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        int[] cut = {0};
        Tsv.read(file, 2, (line, f) -> {
            if (texts.isEmpty() && Tsv.text(f[0]).equals("label")) return; // the header
            if (f.length != 2) throw Tsv.error(file, line, "expected 'label<TAB>text', found no tab");
            labels.add(Tsv.label(file, line, f[0], CLASSES));
            texts.add(Tsv.cut(f[1], maxLength, cut));
        });
        return new TokenSet(texts.toArray(new byte[0][]), null, Tsv.ints(labels), CLASSES, VOCABULARY, cut[0]);
    }

    /**
     * Reads a {@code label<TAB>id1<TAB>id2<TAB>text1<TAB>text2} file: two sequences per example.
     *
     * @throws dev.lmuformer.io.FormatException naming the file and line of the first malformed line
     */
    public static TokenSet readPairs(Path file, int maxLength) {
        List<byte[]> first = new ArrayList<>();
        List<byte[]> second = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        int[] cut = {0};
        Tsv.read(file, 5, (line, f) -> {
            if (f.length != 5) throw Tsv.error(file, line, "expected 5 tab-separated fields 'label id1 id2 text1 text2', found " + f.length);
            labels.add(Tsv.label(file, line, f[0], CLASSES));
            first.add(Tsv.cut(f[3], maxLength, cut));
            second.add(Tsv.cut(f[4], maxLength, cut));
        });
        return new TokenSet(first.toArray(new byte[0][]), second.toArray(new byte[0][]), Tsv.ints(labels), CLASSES, VOCABULARY, cut[0]);
    }
}
