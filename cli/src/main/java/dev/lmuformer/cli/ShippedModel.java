package dev.lmuformer.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The keyword model that ships with the project ({@code models/lmu_rnn_conv1d.safetensors}, described in
 * {@code models/README.md}): what {@code stream}, {@code serve} and {@code eval} load when no
 * {@code --checkpoint} is given.
 */
final class ShippedModel {
    /** The shipped LMUFormer, relative to the project's folder. */
    static final Path LMU = Path.of("models", "lmu_rnn_conv1d.safetensors");
    /** How many folders above the folder of this code's jar (cli/target/lmuformer.jar) or classes (cli/target/classes) the project's may be. */
    private static final int LEVELS_UP = 2;

    private ShippedModel() {
    }

    /** {@code given} when set; else the shipped model, looked up in the working directory, then in the project folder holding this code. */
    static Path orDefault(Path given) {
        if (given != null) return given;
        Set<Path> tried = new LinkedHashSet<>();
        tried.add(LMU.toAbsolutePath().normalize());
        Path code = codeLocation();
        Path dir = code == null ? null : code.getParent();
        for (int up = 0; dir != null && up <= LEVELS_UP; up++, dir = dir.getParent()) tried.add(dir.resolve(LMU).normalize());
        for (Path p : tried) if (Files.isRegularFile(p)) return p;
        throw new IllegalArgumentException("no --checkpoint given and the shipped model " + LMU + " is not there (looked for "
                + String.join(", ", tried.stream().map(Path::toString).toList()) + "); give --checkpoint FILE, or run from the project's folder");
    }

    /** The jar or class folder this class was loaded from, or null where the class loader does not say. */
    private static Path codeLocation() {
        try {
            var source = ShippedModel.class.getProtectionDomain().getCodeSource();
            return source == null ? null : Path.of(source.getLocation().toURI()).toAbsolutePath();
        } catch (URISyntaxException | IllegalArgumentException | SecurityException e) {
            return null;
        }
    }
}
