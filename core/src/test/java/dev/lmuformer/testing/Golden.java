package dev.lmuformer.testing;

import dev.lmuformer.io.Safetensors;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Locates {@code ../shared/golden} (system property {@code lmuformer.shared}, set by the build,
 * or the environment variable {@code LMUFORMER_SHARED}); tests that need it are skipped with a
 * clear message where it is absent.
 */
public final class Golden {
    private static final Map<String, Safetensors> CACHE = new ConcurrentHashMap<>();

    private Golden() {
    }

    /** The shared folder, or null when it cannot be found. */
    public static Path sharedOrNull() {
        String p = System.getProperty("lmuformer.shared");
        if (p == null || p.isBlank()) p = System.getenv("LMUFORMER_SHARED");
        if (p == null || p.isBlank()) p = "../../shared";
        Path dir = Paths.get(p).toAbsolutePath().normalize();
        return Files.isDirectory(dir.resolve("golden")) ? dir : null;
    }

    /** The golden folder; skips the calling test when ../shared is absent. */
    public static Path dir() {
        Path shared = sharedOrNull();
        Assumptions.assumeTrue(shared != null,
                "skipped: ../shared/golden not found (set -Dlmuformer.shared=DIR or LMUFORMER_SHARED)");
        return shared.resolve("golden");
    }

    /** A golden file relative to the golden folder, e.g. {@code "full/lmu_rnn_conv1d.safetensors"}; skips if absent. */
    public static Path file(String relative) {
        Path f = dir().resolve(relative);
        Assumptions.assumeTrue(Files.exists(f), "skipped: golden file " + f + " not found");
        return f;
    }

    /** A parsed golden safetensors file, cached across tests. */
    public static Safetensors tensors(String relative) {
        Path f = file(relative);
        return CACHE.computeIfAbsent(f.toString(), k -> Safetensors.read(f));
    }
}
