package dev.lmuformer.server;

import com.fasterxml.jackson.jr.ob.JSON;

import java.io.IOException;
import java.util.Map;

/** A client broke the stream protocol: the message says how; the stream gets it as an error and is closed. */
final class ProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ProtocolException(String message) {
        super(message);
    }

    /** {@code text} as a JSON object, or a ProtocolException naming {@code what} and the parser's complaint. */
    static Map<String, Object> object(String text, String what) {
        Object v;
        try {
            v = JSON.std.anyFrom(text);
        } catch (IOException | RuntimeException e) {
            throw new ProtocolException(what + " is not valid JSON: " + firstLine(e.getMessage()));
        }
        if (!(v instanceof Map<?, ?>)) throw new ProtocolException(what + " must be a JSON object, got " + json(v));
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) v;
        return m;
    }

    /** {@code v} as JSON, shortened, for messages. */
    static String json(Object v) {
        String s;
        try {
            s = JSON.std.asString(v);
        } catch (IOException e) {
            s = String.valueOf(v);
        }
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    private static String firstLine(String s) {
        if (s == null) return "unreadable";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
