package dev.lmuformer.stream;

import dev.lmuformer.model.Init;
import dev.lmuformer.model.ModelConfig;
import dev.lmuformer.model.Models;
import dev.lmuformer.model.SequenceModel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A per-frame step allocates nothing (docs/streaming.md): measured with the thread's allocation
 * counter over rounds of frames, the least of them counting. Until C2 has compiled the vector
 * kernels the Vector API boxes its vectors (tens of KiB per frame, for a while that depends on
 * the JIT's timing), so the test waits for a clean round rather than a fixed warm-up; an object
 * per product (a view record per Gemm operand came to 0.6 to 1.1 KiB per frame) allocates in every round.
 * Unloaded, lmu_rnn_conv1d needs about 12 rounds; on a loaded 2-core CI machine 40 rounds were once not
 * enough (the allocation was still falling as C2 worked through its queue), hence a time limit. And on
 * JDK 17, C2 at times compiles a kernel with boxed vectors for good (11,328 bytes per frame for
 * lmu_rnn_conv1d in every round of 120 s, once in CI): then fresh JVMs are tried.
 */
class StepAllocationTest {
    private static final int FRAMES = 500;
    private static final Duration LIMIT = Duration.ofSeconds(120);
    /** Average bytes per frame allowed. */
    private static final double BOUND = 32;

    /** Fresh JVMs tried when the test's own JVM never gets a clean round. */
    private static final int FRESH_JVMS = 2;

    @ParameterizedTest
    @ValueSource(strings = {"lmu_rnn_conv1d", "slmu_rnn_ms_conv1d", "psmnist_lmu"})
    void aStepAllocatesNothing(String arch) throws Exception {
        String result = measure(arch, LIMIT);
        StringBuilder seen = new StringBuilder("this JVM: " + result);
        // JDK 17's C2 sometimes compiles a kernel with its vectors boxed for good, by compile order (DEVELOPERS.md): then the
        // same code in a fresh JVM is clean. Code that allocates per frame allocates in every JVM.
        for (int i = 0; i < FRESH_JVMS && !clean(result); i++) {
            result = inFreshJvm(arch);
            seen.append("; fresh JVM ").append(i + 1).append(": ").append(result);
        }
        assertTrue(clean(result), arch + ": allocates per frame (" + seen + ")");
    }

    /** Runs {@link #measure} in a new JVM with this one's options and class path. */
    private static String inFreshJvm(String arch) throws Exception {
        java.util.List<String> command = new java.util.ArrayList<>();
        command.add(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream().filter(a -> !a.startsWith("-agentlib")
                && !a.startsWith("-javaagent")).toList());
        command.addAll(java.util.List.of("-cp", System.getProperty("java.class.path"), StepAllocationTest.class.getName(), arch));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        p.waitFor();
        return out.lines().filter(l -> l.startsWith("least ")).findFirst().orElse("no result: " + out.strip());
    }

    /** Measures {@code args[0]} for half the test's time limit and prints the result line. */
    public static void main(String[] args) {
        System.out.println(measure(args[0], LIMIT.dividedBy(2)));
    }

    private static boolean clean(String result) {
        return result.startsWith("least ") && Double.parseDouble(result.split(" ")[1]) < BOUND;
    }

    /** "least B bytes per frame in N rounds (the last L)": rounds of {@link #FRAMES} frames until one is clean or {@code limit} is up. */
    private static String measure(String arch, Duration limit) {
        SequenceModel model = Models.create(arch.startsWith("psmnist") ? ModelConfig.fromMap(arch, Map.of("seq_len", 64, "theta", 64))
                : ModelConfig.fromMap(arch, Map.of("embed_dims", 64, "in_channels", 32, "num_classes", 5, "seq_len", 32, "theta", 32)));
        Init.pytorchDefault(model, 1);
        ModelStream stream = new ModelStream(model);
        ModelStream.State state = stream.newState();
        float[] frame = new float[stream.inputFeatures()];
        SplittableRandom rnd = new SplittableRandom(3);
        for (int i = 0; i < frame.length; i++) frame[i] = (float) (rnd.nextDouble() * 2 - 1);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        double least = Double.MAX_VALUE, last = 0;
        int rounds = 0;
        long deadline = System.nanoTime() + limit.toNanos();
        while (least >= BOUND && System.nanoTime() < deadline) {
            long before = threads.getThreadAllocatedBytes(id);
            run(stream, state, frame, FRAMES);
            last = (threads.getThreadAllocatedBytes(id) - before) / (double) FRAMES;
            least = Math.min(least, last);
            rounds++;
        }
        return "least " + least + " bytes per frame in " + rounds + " rounds (the last " + last + ")";
    }

    private static void run(ModelStream stream, ModelStream.State state, float[] frame, int frames) {
        for (int i = 0; i < frames; i++) {
            if (i % 20 == 0) stream.reset(state); // within the N frames the model was built for
            stream.step(state, frame);
        }
    }
}
