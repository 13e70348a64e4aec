package dev.lmuformer.engine;

/** Picks the {@link Kernels} implementation once; the vector class is loaded only if usable. */
final class KernelChoice {
    static final Kernels INSTANCE = choose();

    private KernelChoice() {
    }

    private static Kernels choose() {
        String wanted = System.getProperty("lmuformer.kernels", "auto").trim().toLowerCase(java.util.Locale.ROOT);
        switch (wanted) {
            case "scalar":
                return new ScalarKernels();
            case "vector":
            case "auto": {
                try {
                    Class<?> c = Class.forName("dev.lmuformer.engine.vector.VectorKernels");
                    return (Kernels) c.getDeclaredConstructor().newInstance();
                } catch (Throwable e) {
                    if (wanted.equals("vector")) {
                        throw new IllegalStateException("lmuformer.kernels=vector but the Vector API is unavailable"
                                + " (run java with --add-modules jdk.incubator.vector): " + e);
                    }
                    return new ScalarKernels();
                }
            }
            default:
                throw new IllegalArgumentException("lmuformer.kernels must be auto, vector or scalar, got '" + wanted + "'");
        }
    }
}
