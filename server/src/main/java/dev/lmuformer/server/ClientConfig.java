package dev.lmuformer.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A stream's first text message (all fields optional):
 * {@code {"sample_rate": 16000, "encoding": "pcm_s16le", "keywords": ["yes", "no"], "threshold": 0.9, "scores": true}}.
 * Unknown fields are refused, so that a misspelt one is not silently ignored.
 *
 * @param sampleRate the rate of the audio the client sends, 8–48 kHz (resampled to 16 kHz)
 * @param encoding   how samples are sent in binary messages
 * @param keywords   words to spot, a subset of the model's; empty for the server's choice
 * @param threshold  the score every spotted word must reach; NaN for the server's
 * @param scores     whether to send score messages (top words, 10 per second)
 */
record ClientConfig(int sampleRate, Encoding encoding, List<String> keywords, double threshold, boolean scores) {
    /** The lowest and highest sample rate accepted. */
    static final int MIN_RATE = 8000, MAX_RATE = 48000;
    private static final Set<String> FIELDS = Set.of("sample_rate", "encoding", "keywords", "threshold", "scores");

    /** The wire format of samples in binary messages, little-endian, mono. */
    enum Encoding {
        /** 16-bit signed integers, scaled by 1/32768. */
        PCM_S16LE("pcm_s16le", 2),
        /** 32-bit IEEE floats in [-1, 1). */
        F32LE("f32le", 4);

        final String wire;
        final int bytes;

        Encoding(String wire, int bytes) {
            this.wire = wire;
            this.bytes = bytes;
        }
    }

    /** What a stream that sends audio first gets: 16 kHz 16-bit PCM, the server's rule. */
    static final ClientConfig DEFAULT = new ClientConfig(16000, Encoding.PCM_S16LE, List.of(), Double.NaN, false);

    /**
     * Parses a config message against the model's {@code words}.
     *
     * @throws ProtocolException naming what is wrong
     */
    static ClientConfig parse(String text, List<String> words) {
        Map<String, Object> m = ProtocolException.object(text, "the config message");
        for (String k : m.keySet()) {
            if (!FIELDS.contains(k) && !k.equals("type")) throw new ProtocolException("unknown config field " + ProtocolException.json(k) + "; known: "
                    + String.join(", ", FIELDS.stream().sorted().toList()));
        }
        if (m.containsKey("type") && !"config".equals(m.get("type"))) {
            throw new ProtocolException("expected a config message first (or audio), got type " + ProtocolException.json(m.get("type")));
        }
        int rate = DEFAULT.sampleRate;
        Object r = m.get("sample_rate");
        if (r != null) {
            if (!(r instanceof Integer || r instanceof Long) || ((Number) r).longValue() < MIN_RATE || ((Number) r).longValue() > MAX_RATE) {
                throw new ProtocolException("sample_rate must be a whole number of Hz in " + MIN_RATE + "…" + MAX_RATE + ", got "
                        + ProtocolException.json(r));
            }
            rate = ((Number) r).intValue();
        }
        Encoding encoding = DEFAULT.encoding;
        Object e = m.get("encoding");
        if (e != null) {
            encoding = null;
            for (Encoding x : Encoding.values()) if (x.wire.equals(e)) encoding = x;
            if (encoding == null) throw new ProtocolException("unknown encoding " + ProtocolException.json(e) + "; known: pcm_s16le, f32le");
        }
        List<String> keywords = new ArrayList<>();
        Object k = m.get("keywords");
        if (k != null) {
            if (!(k instanceof List<?> list) || list.isEmpty()) throw new ProtocolException("keywords must be a non-empty list of words, got "
                    + ProtocolException.json(k));
            for (Object w : list) {
                if (!(w instanceof String s) || !words.contains(s)) throw new ProtocolException("unknown keyword " + ProtocolException.json(w)
                        + "; the model knows: " + String.join(", ", words));
                if (!keywords.contains(s)) keywords.add(s);
            }
        }
        double threshold = Double.NaN;
        Object t = m.get("threshold");
        if (t != null) {
            if (!(t instanceof Number n) || !(n.doubleValue() > 0
                    && n.doubleValue() <= 1)) throw new ProtocolException("threshold must be a number in (0, 1], got " + ProtocolException.json(t));
            threshold = n.doubleValue();
        }
        boolean scores = false;
        Object s = m.get("scores");
        if (s != null) {
            if (!(s instanceof Boolean b)) throw new ProtocolException("scores must be true or false, got " + ProtocolException.json(s));
            scores = b;
        }
        return new ClientConfig(rate, encoding, List.copyOf(keywords), threshold, scores);
    }
}
