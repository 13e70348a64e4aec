package dev.lmuformer.cli;

import dev.lmuformer.data.speech.Example;
import dev.lmuformer.data.speech.Pipeline;
import dev.lmuformer.data.speech.SpeechCommands;
import dev.lmuformer.data.Split;
import dev.lmuformer.server.KeywordServer;
import dev.lmuformer.server.ServerOptions;
import dev.lmuformer.server.Spotter;
import dev.lmuformer.stream.KeywordSession;
import dev.lmuformer.testing.TinySpeechCommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The whole product in a real browser: {@code serve} with a model trained here on the bundled
 * keywords, headless Chromium opening its page with a fake microphone that plays a keyword the
 * model finds, and the word read back from the page — through getUserMedia, the page's worklet
 * and its 16 kHz resampler, the WebSocket, the session group and the page's keyword list. A WAV
 * sent from the page the way a dropped file is sent gets its keyword listed too. Skipped without
 * Chromium ({@code scripts/install-chromium.sh}), failed instead when {@code CI=true}.
 */
class BrowserServeTest {
    private static final int RATE = KeywordSession.SAMPLE_RATE;

    @TempDir
    Path dir;

    @Test
    @Timeout(600)
    void thePageHearsAKeywordThroughTheMicrophoneAndInADroppedFile() throws Exception {
        Optional<Path> binary = Chromium.find();
        if (binary.isEmpty()) {
            String why = "no Chromium ($CHROMIUM, chromium, chromium-browser or google-chrome); scripts/install-chromium.sh installs one";
            if ("true".equals(System.getenv("CI"))) fail("CI=true, so the browser test must run: " + why);
            assumeTrue(false, why);
        }
        Path checkpoint = SmallKeywordModel.trained();
        ServeCommand cmd = new ServeCommand();
        new CommandLine(cmd).parseArgs("--checkpoint", checkpoint.toString());
        Spotter spotter = ServeCommand.spotter(cmd.checkpoint, cmd.spot);
        // a training clip the model finds, alone in quiet background, as the server would stream it
        SpeechCommands data = SpeechCommands.open(SmallKeywordModel.DATA);
        float[] noise = SmallKeywordModel.quiet(Pipeline.load(data.backgroundNoise().get(0)));
        String word = null;
        float[] mic = null;
        Set<Integer> tried = new HashSet<>();
        for (Example e : data.examples(Split.TRAIN)) {
            if (!tried.add(e.label())) continue;
            float[] w = scene(Pipeline.load(e.file()), noise);
            List<String> found = spot(spotter, w);
            String name = spotter.words().get(e.label());
            if (found.equals(List.of(name))) {
                word = name;
                mic = w;
                break;
            }
        }
        assertTrue(word != null, "the trained model should find some training word alone in background");
        Path wav = dir.resolve("mic.wav");
        short[] pcm = new short[mic.length];
        for (int i = 0; i < pcm.length; i++) pcm[i] = (short) Math.max(-32768, Math.min(32767, Math.round(mic[i] * 32768)));
        TinySpeechCommands.writePcm16(wav, pcm, RATE);

        try (KeywordServer server = KeywordServer.start(spotter, ServerOptions.defaults().withPort(0));
             Chromium chromium = Chromium.launch(wav)) {
            chromium.navigate(server.url() + "/?autostart=1");
            try {
                chromium.waitFor("window.lmuformer && lmuformer.state === 'listening'", Duration.ofSeconds(30));
            } catch (IllegalStateException e) {
                throw new AssertionError(e.getMessage() + "; page state " + chromium.evaluate("window.lmuformer && lmuformer.state") + ", status "
                        + chromium.evaluate("document.querySelector('#status') && document.querySelector('#status').textContent") + ", errors "
                        + chromium.evaluate("window.lmuformer && lmuformer.errors") + ", console " + chromium.console(), e);
            }
            // the fake microphone loops the file: the word comes round every few seconds
            chromium.waitFor("lmuformer.events.some(e => e.word === '" + word + "')", Duration.ofSeconds(90));
            String listed = chromium.evaluate("Array.from(document.querySelectorAll('#keywords li')).map(li => li.dataset.word).join(',')");
            System.out.println("BrowserServeTest: '" + word + "' spoken, the page lists " + listed + " after "
                    + chromium.evaluate("lmuformer.captured") + " samples; scores seen " + chromium.evaluate("lmuformer.scoresSeen"));
            assertTrue(listed.contains(word), "the page's keyword list shows the word: " + listed);
            assertEquals("[]", chromium.evaluate("lmuformer.errors"), "no errors on the page");
            assertTrue(Integer.parseInt(chromium.evaluate("lmuformer.scoresSeen")) > 0, "the score bars moved");
            // the same audio as a file, sent as the page sends a dropped one
            chromium.evaluate("fetch('data:audio/wav;base64," + java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(wav))
                    + "').then(r => r.arrayBuffer()).then(b => lmuformer.sendFile(b, 'clip.wav'))");
            chromium.waitFor("document.querySelector(\"#keywords li[data-source='file'][data-word='" + word + "']\") !== null", Duration.ofSeconds(60));
        }
    }

    /** The word alone: 1 s of background, the clip, 1.5 s of background. */
    private static float[] scene(float[] clip, float[] noise) {
        float[] w = new float[RATE + clip.length + RATE * 3 / 2];
        for (int i = 0; i < w.length; i++) w[i] = noise[i % noise.length];
        for (int i = 0; i < clip.length; i++) w[RATE + i] += clip[i];
        return w;
    }

    /** The words a session of the server's rule finds in {@code w}. */
    private static List<String> spot(Spotter spotter, float[] w) {
        List<String> words = new java.util.ArrayList<>();
        KeywordSession s = new KeywordSession(spotter.model(), spotter.input(), spotter.rule(), new KeywordSession.Listener() {
            @Override
            public void onKeyword(KeywordSession.Keyword k) {
                words.add(spotter.words().get(k.label()));
            }
        });
        s.push(w, 0, w.length);
        s.finish();
        return words;
    }
}
