package dev.lmuformer.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the command line in-process with captured output, and checks the project's one-line errors. */
record CliRun(int code, String out, String err) {

    /** Runs {@code lmuformer args…}. */
    static CliRun run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** Fails unless the run failed with one error line, no stack trace, that mentions every fragment. */
    void assertOneLineError(String... fragments) {
        assertNotEquals(0, code, "exit code");
        String e = err.strip();
        assertFalse(e.contains("\n"), "one line expected, got: " + e);
        assertFalse(e.contains("at dev.lmuformer"), "no stack trace expected: " + e);
        assertTrue(e.startsWith("lmuformer: "), e);
        for (String f : fragments) assertTrue(e.contains(f), "error should mention '" + f + "': " + e);
    }
}
