package dev.lmuformer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's Java quick start, taken from the README itself: it must stay within 25 lines,
 * compile against the library, and run — training on the bundled keywords, classifying a test
 * clip and streaming it — in a JVM of its own, started as a library user would start it.
 */
class QuickStartTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final String SECTION = "## Java quick start";

    @Test
    void readmeQuickStartCompilesAndRuns(@TempDir Path dir) throws Exception {
        String code = quickStart(Files.readString(ROOT.resolve("README.md")));
        assertTrue(code.lines().count() <= 25, "the quick start has " + code.lines().count() + " lines, more than 25");
        Files.writeString(dir.resolve("QuickStart.java"), code);

        String classpath = String.join(File.pathSeparator, classpath());
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> problems = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(problems, null, StandardCharsets.UTF_8)) {
            boolean ok = javac.getTask(null, files, problems, List.of("-cp", classpath, "-d", classes.toString(), "-Xlint:all", "-Werror"), null,
                    files.getJavaFileObjects(dir.resolve("QuickStart.java"))).call();
            assertTrue(ok, "the quick start does not compile: " + problems.getDiagnostics());
        }

        // as a user runs it: from a folder holding the bundled data, with the Vector API module added
        Files.createSymbolicLink(dir.resolve("data"), ROOT.resolve("data"));
        String clip = Files.readAllLines(ROOT.resolve("data/keywords/testing_list.txt")).get(0).strip();
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-cp", classes + File.pathSeparator + classpath,
                "QuickStart", "data/keywords/" + clip).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8); // until it exits
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the quick start did not finish");
        assertEquals(0, p.exitValue(), "the quick start failed:\n" + out);

        assertTrue(Files.isRegularFile(dir.resolve("runs/quickstart/best.safetensors")), "no checkpoint was written:\n" + out);
        List<String> words = Files.readAllLines(ROOT.resolve("data/keywords/testing_list.txt")).stream()
                .map(l -> l.substring(0, l.indexOf('/'))).distinct().toList();
        List<String> lines = out.lines().filter(l -> !l.startsWith("WARNING")).toList(); // the incubator module's notice
        assertTrue(lines.get(0).startsWith("Classification[word="), "first line should be the clip's class:\n" + out);
        String word = lines.get(0).substring("Classification[word=".length(), lines.get(0).indexOf(','));
        assertTrue(words.contains(word), "'" + word + "' is not a class of the data");
        for (String l : lines.subList(1, lines.size())) assertTrue(l.startsWith("{\"type\":\"keyword\",\"word\":"), "not a keyword event: " + l);
    }

    /** The first {@code java} block of the README's quick-start section. */
    static String quickStart(String readme) {
        int section = readme.indexOf("\n" + SECTION + "\n");
        assertTrue(section >= 0, "README.md has no '" + SECTION + "' section");
        int start = readme.indexOf("```java\n", section);
        int next = readme.indexOf("\n## ", section + 1);
        assertTrue(start >= 0 && (next < 0 || start < next), "the quick-start section has no java block");
        int end = readme.indexOf("\n```", start + 8);
        return readme.substring(start + 8, end + 1);
    }

    /** This JVM's class path, with a manifest-only launcher jar (how surefire starts tests) expanded into its entries. */
    private static List<String> classpath() throws IOException {
        List<String> entries = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(e);
            if (p.getFileName().toString().startsWith("surefirebooter") && Files.isRegularFile(p)) {
                try (JarFile jar = new JarFile(p.toFile())) {
                    Manifest m = jar.getManifest();
                    for (String url : m.getMainAttributes().getValue("Class-Path").split(" ")) {
                        if (!url.isBlank()) entries.add(url.startsWith("file:") ? Path.of(URI.create(url)).toString() : p.resolveSibling(url).toString());
                    }
                }
            } else {
                entries.add(e);
            }
        }
        return entries;
    }
}
