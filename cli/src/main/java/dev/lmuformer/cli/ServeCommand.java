package dev.lmuformer.cli;

import dev.lmuformer.stream.KeywordSpotter;
import dev.lmuformer.checkpoint.Checkpoint;
import dev.lmuformer.model.SequenceModel;
import dev.lmuformer.server.KeywordServer;
import dev.lmuformer.server.ServerOptions;
import dev.lmuformer.server.Spotter;
import dev.lmuformer.stream.ContinuousRule;
import dev.lmuformer.stream.SpottingRule;
import dev.lmuformer.stream.StreamingModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code lmuformer serve}: the keyword-spotting server ({@link KeywordServer}) until interrupted. */
@Command(name = "serve", description = "Serve continuous keyword spotting over WebSocket (ws://HOST:PORT/v1/stream), "
        + "a page that listens to the microphone (/), POST /v1/recognize for WAV files, /healthz and /metrics.",
        footer = {"", "Every stream is spotted as `stream --json` spots a file: the same events, sent as",
                "JSON text messages. The protocol, with a transcript: docs/serve.md.",
                "Binding anything but a loopback address needs --token.",
                "", "Examples:",
                "  lmuformer serve                                      # the shipped model (models/README.md)",
                "  lmuformer serve --checkpoint runs/demo/lmu_rnn_conv1d/best.safetensors",
                "  lmuformer serve --checkpoint m.safetensors --keywords yes,no,stop,go --port 9000",
                "  lmuformer serve --checkpoint m.safetensors --host 0.0.0.0 --token \"$(openssl rand -hex 16)\""})
final class ServeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--checkpoint", description = "Checkpoint of a model that streams (lmu_rnn_conv1d, slmu_rnn_ms_conv1d; "
            + "default: the shipped model, models/lmu_rnn_conv1d.safetensors).")
    Path checkpoint;

    @Option(names = "--host", defaultValue = ServerOptions.DEFAULT_HOST, description = "Address to bind (default: ${DEFAULT-VALUE}; any other needs --token).")
    String host;

    @Option(names = "--port", defaultValue = "" + ServerOptions.DEFAULT_PORT, description = "TCP port, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--max-sessions", defaultValue = "" + ServerOptions.DEFAULT_MAX_SESSIONS,
            description = "Streams at once; the next connection is refused with close code 1013 (default: ${DEFAULT-VALUE}).")
    int maxSessions;

    @Option(names = "--token", description = "Secret every /v1 request must present: 'Authorization: Bearer T' or ?token=T.")
    String token;

    @Option(names = "--allow-origin", split = ",", paramLabel = "ORIGIN",
            description = "Browser origins allowed to open streams besides the server's own, e.g. https://app.example.")
    List<String> origins = new ArrayList<>();

    @Option(names = "--idle-timeout", defaultValue = "30", paramLabel = "SECONDS",
            description = "Close a connection that sends nothing for this long (default: ${DEFAULT-VALUE}).")
    double idleSeconds;

    @Option(names = "--threads", defaultValue = "0", description = "Threads stepping the sessions (0: all cores).")
    int threads;

    @CommandLine.Mixin
    SpotOptions spot;

    @Override
    public Integer call() throws InterruptedException {
        Main.applyThreads(threads);
        if (spot.windowed) throw new IllegalArgumentException("serve spots continuously; --windowed is for stream and eval");
        if (!(idleSeconds > 0)) throw new IllegalArgumentException("--idle-timeout must be positive, got " + idleSeconds);
        ServerOptions options = new ServerOptions(host, port, maxSessions, token, origins, Duration.ofMillis(Math.round(idleSeconds * 1000)),
                ServerOptions.DEFAULT_MAX_MESSAGE_BYTES, ServerOptions.DEFAULT_MAX_UPLOAD_BYTES, ServerOptions.DEFAULT_QUEUE_SECONDS);
        Spotter spotter = spotter(ShippedModel.orDefault(checkpoint), spot);
        PrintWriter out = spec.commandLine().getOut();
        KeywordServer server = KeywordServer.start(spotter, options);
        // Ctrl-C: the JVM exits once its hooks have run; this one closes the server (open streams get 1001).
        // This thread just waits: returning from a hook's shutdown to System.exit would block for ever.
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "lmuformer-serve-stop"));
        out.printf("%s: %s; up to %d streams; %s%n", spotter.arch(), SpotOptions.describe(spotter.rule(), spotter.words()), maxSessions, Main.engineLine());
        out.printf("serving %s/  (streams: %s, /v1/recognize, /healthz, /metrics%s); Ctrl-C stops%n", server.url(), server.streamUrl(),
                token == null ? "" : "; token required");
        out.flush();
        new CountDownLatch(1).await();
        return 0;
    }

    /** The spotter of {@code checkpoint} under {@code spot}'s options: the rule {@code stream} would use. */
    static Spotter spotter(Path checkpoint, SpotOptions spot) {
        Checkpoint.Loaded loaded = Checkpoint.load(checkpoint);
        SequenceModel model = loaded.model();
        List<String> names = KeywordSpotter.words(loaded.metadata(), model.numClasses());
        SpottingRule rule = spot.rule(names, loaded.metadata());
        return new Spotter(StreamingModel.of(model), KeywordSpotter.modelInput(loaded), (ContinuousRule) rule, names, model.arch());
    }
}
