package dev.lmuformer.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The keyword models that ship with the project ({@code models/*.safetensors}, described in
 * {@code models/README.md}): the LMUFormer is what {@code stream}, {@code serve} and {@code eval} load
 * when no {@code --checkpoint} is given; the demo reports every one it finds.
 */
final class ShippedModel {
    /** The shipped LMUFormer, relative to the project's folder. */
    static final Path LMU = Path.of("models", "lmu_rnn_conv1d.safetensors");
    /** The shipped Spiking LMUFormer, relative to the project's folder. */
    static final Path SLMU = Path.of("models", "slmu_rnn_ms_conv1d.safetensors");
    /** Every shipped model, the default first. */
    static final List<Path> ALL = List.of(LMU, SLMU);
    /** How many folders above the folder of this code's jar (cli/target/lmuformer.jar) or classes (cli/target/classes) the project's may be. */
    private static final int LEVELS_UP = 2;

    private ShippedModel() {
    }

    /** {@code given} when set; else the shipped LMUFormer, looked up as {@link #find} does. */
    static Path orDefault(Path given) {
        if (given != null) return given;
        return find(LMU).orElseThrow(() -> new IllegalArgumentException("no --checkpoint given and the shipped model " + LMU
                + " is not there (looked for " + String.join(", ", candidates(LMU).stream().map(Path::toString).toList())
                + "); give --checkpoint FILE, or run from the project's folder"));
    }

    /** The shipped file {@code relative} (one of {@link #ALL}): in the working directory, else in the project folder holding this code. */
    static Optional<Path> find(Path relative) {
        return candidates(relative).stream().filter(Files::isRegularFile).findFirst();
    }

    /** Where {@code relative} is looked for, in order. */
    private static Set<Path> candidates(Path relative) {
        Set<Path> tried = new LinkedHashSet<>();
        tried.add(relative.toAbsolutePath().normalize());
        Path code = codeLocation();
        Path dir = code == null ? null : code.getParent();
        for (int up = 0; dir != null && up <= LEVELS_UP; up++, dir = dir.getParent()) tried.add(dir.resolve(relative).normalize());
        return tried;
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
