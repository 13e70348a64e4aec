package dev.lmuformer.server;

import com.fasterxml.jackson.jr.ob.JSON;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The text messages a server sends (docs/serve.md); keyword events are {@link dev.lmuformer.stream.KeywordSession.Keyword#json}. */
final class ServerMessages {
    private ServerMessages() {
    }

    /**
     * {@code {"type":"ready","sample_rate":…,"encoding":…,"model":…,"words":[…],"thresholds":{word: t, …},"scores":…}}:
     * the spotted words, each with its threshold.
     */
    static String ready(ClientConfig c, String arch, List<String> words, double[] thresholds) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "ready");
        m.put("sample_rate", c.sampleRate());
        m.put("encoding", c.encoding().wire);
        m.put("model", arch);
        m.put("words", words);
        Map<String, Object> t = new LinkedHashMap<>();
        for (int i = 0; i < words.size(); i++) t.put(words.get(i), thresholds[i]);
        m.put("thresholds", t);
        m.put("scores", c.scores());
        return json(m);
    }

    /** {@code {"type":"scores","time":…,"known_at":…,"top":[{"word":…,"score":…},…]}}: the best {@code n} scores of one frame. */
    static String scores(double time, double knownAt, List<String> words, double[] scores, int n) {
        List<Map<String, Object>> top = new ArrayList<>();
        boolean[] taken = new boolean[scores.length];
        for (int k = 0; k < Math.min(n, scores.length); k++) {
            int best = -1;
            for (int c = 0; c < scores.length; c++) if (!taken[c] && (best < 0 || scores[c] > scores[best])) best = c;
            taken[best] = true;
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("word", words.get(best));
            w.put("score", Math.round(scores[best] * 1e4) / 1e4);
            top.add(w);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "scores");
        m.put("time", Math.round(time * 1e3) / 1e3);
        m.put("known_at", Math.round(knownAt * 1e3) / 1e3);
        m.put("top", top);
        return json(m);
    }

    /** {@code {"type":"error","message":…}}. */
    static String error(String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "error");
        m.put("message", message);
        return json(m);
    }

    /** {@code {"type":"end"}}. */
    static String end() {
        return "{\"type\":\"end\"}";
    }

    static String json(Object v) {
        try {
            return JSON.std.asString(v);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // maps of strings, numbers and lists into a string
        }
    }
}
