package dev.lmuformer.checkpoint;

import dev.lmuformer.io.PthFormatException;
import dev.lmuformer.checkpoint.PthFixtures.Pickle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pickles that would run a command under Python's pickle (each creates a marker file there) are
 * refused by name, and the marker never appears.
 */
class PthSafetyTest {
    @TempDir
    Path dir;

    /** {@code {'x': module.name(arg)}} — under Python, unpickling calls module.name(arg). */
    private static byte[] calling(String module, String name, String arg, boolean stackGlobal) {
        Pickle p = new Pickle().op('}').str("x");
        if (stackGlobal) p.str(module).str(name).op(0x93);
        else p.global(module, name);
        return p.str(arg).op(0x85, 'R', 's', '.').bytes();
    }

    private void assertRefused(byte[] fileBytes, String expected, Path marker) throws IOException {
        Path f = dir.resolve("evil.pth");
        Files.write(f, fileBytes);
        PthFormatException e = assertThrows(PthFormatException.class, () -> Checkpoint.load(f));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertFalse(Files.exists(marker), "marker file created");
    }

    @ParameterizedTest
    @CsvSource({"os, system, false", "posix, system, false", "builtins, eval, false", "subprocess, Popen, false",
            "os, system, true", "builtins, exec, true", "nt, system, false", "torch, load, false"})
    void commandGlobalsAreRefusedInZip(String module, String name, boolean stackGlobal) throws IOException {
        Path marker = dir.resolve("pwned");
        String arg = name.equals("eval") || name.equals("exec")
                ? "__import__('os').system('touch " + marker + "')" : "touch " + marker;
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("data.pkl", calling(module, name, arg, stackGlobal));
        entries.put("version", "3\n".getBytes());
        assertRefused(PthFixtures.zip(entries), "forbidden global '" + module + "." + name + "'", marker);
    }

    @Test
    void commandGlobalIsRefusedInLegacyFormat() throws IOException {
        Path marker = dir.resolve("pwned");
        // The legacy stream starts with the pickled magic number; the second pickle already runs code.
        byte[] magic = {(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19, '.'};
        byte[] evil = calling("os", "system", "touch " + marker, false);
        byte[] file = new byte[magic.length + evil.length];
        System.arraycopy(magic, 0, file, 0, magic.length);
        System.arraycopy(evil, 0, file, magic.length, evil.length);
        assertRefused(file, "forbidden global 'os.system'", marker);
    }

    @Test
    void objectBuildingOpcodesAreRefused() throws IOException {
        Path marker = dir.resolve("pwned");
        // INST 'os\nsystem\n' over a marked argument: Python calls os.system(arg).
        byte[] pkl = new Pickle().op('(').str("touch " + marker).bytes();
        byte[] tail = "ios\nsystem\n.".getBytes();
        byte[] all = new byte[pkl.length + tail.length];
        System.arraycopy(pkl, 0, all, 0, pkl.length);
        System.arraycopy(tail, 0, all, pkl.length, tail.length);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("data.pkl", all);
        assertRefused(PthFixtures.zip(entries), "unsupported pickle opcode 0x69", marker);
        // OrderedDict is allowed, but only as an empty dict: calling it with items is refused.
        entries.put("data.pkl", new Pickle().global("collections", "OrderedDict").op(']', 0x85, 'R', '.').bytes());
        assertRefused(PthFixtures.zip(entries), "OrderedDict with arguments", marker);
        // A storage class is a token, never a callable.
        entries.put("data.pkl", new Pickle().global("torch", "FloatStorage").op(')', 'R', '.').bytes());
        assertRefused(PthFixtures.zip(entries), "'torch.FloatStorage' cannot be called", marker);
    }
}
