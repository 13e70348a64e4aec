package dev.lmuformer.engine;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The build tests the kernels it means to: the default test run has the Vector API and must run
 * {@code VectorKernels} (a silent fall-back to the scalar kernels would leave them untested), and
 * the {@code scalar-kernels} run (this tag) must run {@link ScalarKernels}.
 */
@Tag("kernels")
class KernelSelectionTest {
    @Test
    void theTestsRunTheKernelsTheirRunAsksFor() {
        String wanted = System.getProperty("lmuformer.kernels", "auto");
        Kernels chosen = Kernels.get();
        if (wanted.equals("scalar")) {
            assertInstanceOf(ScalarKernels.class, chosen);
        } else {
            assertTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
                    "the tests run without --add-modules jdk.incubator.vector, so the vector kernels go untested");
            assertEquals("dev.lmuformer.engine.vector.VectorKernels", chosen.getClass().getName(), "kernels in use: " + chosen.name());
        }
    }
}
