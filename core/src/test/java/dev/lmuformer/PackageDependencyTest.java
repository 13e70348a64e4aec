package dev.lmuformer;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The core library's packages depend on each other in one direction only: the engine on nothing,
 * the layers on the engine, the models on the layers, training and streaming on the models, and
 * never training on streaming. Read from the sources' imports and fully qualified names (comments aside).
 */
class PackageDependencyTest {
    private static final Path SOURCES = Path.of("src/main/java/dev/lmuformer");
    private static final Pattern COMMENT = Pattern.compile("/\\*.*?\\*/|//[^\n]*", Pattern.DOTALL);
    private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.lmuformer\\.([a-z]+(?:\\.[a-z]+)*)\\.[A-Z]");

    /** Package → the project's packages its main sources name. */
    private static Map<String, Set<String>> dependencies() throws IOException {
        Map<String, Set<String>> deps = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = SOURCES.relativize(f.getParent()).toString().replace('/', '.').replace('\\', '.');
                Set<String> out = deps.computeIfAbsent(pkg, k -> new TreeSet<>());
                Matcher m = REFERENCE.matcher(COMMENT.matcher(Files.readString(f)).replaceAll(" "));
                while (m.find()) {
                    // a package's own sub-packages are part of it (the engine loads engine.vector by name)
                    if (!m.group(1).equals(pkg) && !m.group(1).startsWith(pkg + ".")) out.add(m.group(1));
                }
            }
        }
        return deps;
    }

    @Test
    void packagesDependDownwardOnly() throws IOException {
        Map<String, Set<String>> deps = dependencies();
        assertTrue(deps.keySet().containsAll(Set.of("engine", "nn", "model", "train", "stream", "io", "data")), deps.keySet().toString());
        assertEquals(Set.of(), deps.get("engine"), "engine depends on nothing of the project");
        assertEquals(Set.of("engine"), deps.get("nn"), "layers depend on the engine only");
        assertEquals(Set.of("engine"), deps.get("io"), "the file formats depend on the engine only");
        assertEquals(Set.of("engine", "nn"), deps.get("model"), "models depend on layers and the engine only");
        assertFalse(deps.get("train").contains("stream"), "training must not depend on streaming: " + deps.get("train"));
        assertFalse(deps.get("data").stream().anyMatch(d -> d.startsWith("data.")), "the shared data package names no task's package: " + deps.get("data"));
    }

    @Test
    void everyPackageSaysWhatItHolds() throws IOException {
        for (String pkg : dependencies().keySet()) {
            Path info = SOURCES.resolve(pkg.replace('.', '/')).resolve("package-info.java");
            assertTrue(Files.exists(info), "no package-info.java in " + pkg);
            assertTrue(Files.readString(info).contains("/**"), pkg + "'s package-info.java has no Javadoc");
        }
    }
}
