package dev.lmuformer.server;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.jr.ob.JSON;
import dev.lmuformer.io.Excerpt;

import java.io.IOException;
import java.util.Map;

/**
 * A client broke the stream protocol: the message says how; the stream gets it as an error and is
 * closed. Messages quote what the client sent only as a short, printable {@link Excerpt}.
 */
final class ProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ProtocolException(String message) {
        super(message);
    }

    /** {@code text} as a JSON object, or a ProtocolException naming {@code what}, where the parser stopped and (an excerpt of) its complaint. */
    static Map<String, Object> object(String text, String what) {
        Object v;
        try {
            v = JSON.std.anyFrom(text);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new ProtocolException(what + " is not valid JSON" + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
                    + ": " + Excerpt.ofMessage(e.getOriginalMessage()));
        } catch (IOException | RuntimeException e) {
            throw new ProtocolException(what + " is not valid JSON: " + Excerpt.ofMessage(e.getMessage()));
        }
        if (!(v instanceof Map<?, ?>)) throw new ProtocolException(what + " must be a JSON object, got " + json(v));
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) v;
        return m;
    }

    /** A value the client sent, for messages: an excerpt of a string, of anything else as JSON. */
    static String json(Object v) {
        if (v instanceof String s) return Excerpt.of(s);
        try {
            return Excerpt.of(JSON.std.asString(v));
        } catch (IOException e) {
            return Excerpt.of(String.valueOf(v));
        }
    }
}
