package dev.lmuformer.server;

import dev.lmuformer.testing.Fuzz;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded fuzzing of the text messages a client sends, parsed as the server parses them (Jetty hands
 * over text decoded from UTF-8; broken bytes arrive as replacement characters): 10,000 mutants of
 * config messages using every field ({@link ClientConfig#parse}) and 10,000 of the end message
 * ({@link ProtocolException#object}, as {@code Connection} reads it), with truncations, broken
 * quotes and brackets, nesting 2,000 deep, extreme numbers, duplicated keys and values of the
 * wrong type. Each either parses to a config within the documented ranges or raises a
 * {@link ProtocolException} with a one-line, printable message.
 */
class ClientConfigFuzzTest {
    private static final int CASES = 10_000;
    /** The words of the Speech Commands model (docs/serve.md): the longest list a message names. */
    private static final List<String> WORDS = List.of("backward", "follow", "five", "bed", "zero", "on", "learn", "two", "house", "tree",
            "dog", "stop", "seven", "eight", "down", "six", "forward", "cat", "right", "visual", "four", "wow", "no", "nine", "off", "three",
            "left", "marvin", "yes", "up", "sheila", "happy", "bird", "go", "one");

    @Test
    void corruptedConfigMessagesRaiseOnlyProtocolException() {
        Fuzz.run("client config", CASES, 20240614L, Duration.ofSeconds(20), Fuzz.Mutator.textOf(
                "{\"sample_rate\": 16000, \"encoding\": \"pcm_s16le\", \"keywords\": [\"yes\", \"no\"], \"threshold\": 0.9, \"scores\": true}",
                "{\"type\":\"config\",\"sample_rate\":8000,\"encoding\":\"f32le\",\"scores\":false}",
                "{\n  \"keywords\": [\"up\", \"left\", \"up\"],\n  \"threshold\": 1,\n  \"sample_rate\": 48000,\n  \"threshold\": 5e-1\n}",
                "{\"sample_rate\":22050,\"keywords\":[\"sheila\"],\"threshold\":1e-3}",
                "{}"),
                (mutant, i) -> {
                    ClientConfig c = ClientConfig.parse(new String(mutant, StandardCharsets.UTF_8), WORDS);
                    assertTrue(c.sampleRate() >= ClientConfig.MIN_RATE && c.sampleRate() <= ClientConfig.MAX_RATE, c::toString);
                    assertNotNull(c.encoding());
                    assertTrue(WORDS.containsAll(c.keywords()) && c.keywords().stream().distinct().count() == c.keywords().size(), c::toString);
                    assertTrue(Double.isNaN(c.threshold()) || c.threshold() > 0 && c.threshold() <= 1, c::toString);
                }, ProtocolException.class);
    }

    @Test
    void corruptedEndMessagesRaiseOnlyProtocolException() {
        Fuzz.run("end message", CASES, 20240615L, Duration.ofSeconds(20), Fuzz.Mutator.textOf("{\"type\":\"end\"}", "{ \"type\" : \"end\" }\n"),
                (mutant, i) -> {
                    Map<String, Object> m = ProtocolException.object(new String(mutant, StandardCharsets.UTF_8), "a text message");
                    m.keySet().forEach(k -> assertEquals(String.class, k.getClass()));
                }, ProtocolException.class);
    }
}
