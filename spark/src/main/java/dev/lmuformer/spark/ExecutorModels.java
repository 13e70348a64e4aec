package dev.lmuformer.spark;

import dev.lmuformer.checkpoint.Checkpoint;
import dev.lmuformer.stream.KeywordSpotter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The models of one executor JVM, parsed from a broadcast checkpoint. A model is not safe for two
 * threads at once (its forward keeps buffers), and an executor runs several tasks at once, so each
 * checkpoint has a pool: a task borrows a spotter for its partition and returns it. A checkpoint is
 * therefore parsed at most once per task slot of an executor — never per row or per partition.
 *
 * <p>This is the module's one process-wide state, as a broadcast variable is the executor's: it is
 * bounded to {@link #CHECKPOINTS} checkpoints (the least recently used pool is dropped).
 */
final class ExecutorModels {
    /** Checkpoints kept per executor; a job uses one. */
    static final int CHECKPOINTS = 4;

    private static final Map<Long, Deque<KeywordSpotter>> POOLS = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Deque<KeywordSpotter>> eldest) {
            return size() > CHECKPOINTS;
        }
    };
    private static final AtomicInteger PARSED = new AtomicInteger();

    private ExecutorModels() {
    }

    /** A spotter of checkpoint {@code id} (a broadcast's id), parsed from {@code bytes} if the pool has none free. */
    static KeywordSpotter borrow(long id, String name, byte[] bytes) {
        synchronized (POOLS) {
            Deque<KeywordSpotter> pool = POOLS.get(id);
            if (pool != null && !pool.isEmpty()) return pool.pop();
        }
        PARSED.incrementAndGet();
        return new KeywordSpotter(parse(name, bytes));
    }

    /** Returns a spotter borrowed for checkpoint {@code id}. */
    static void giveBack(long id, KeywordSpotter spotter) {
        synchronized (POOLS) {
            POOLS.computeIfAbsent(id, k -> new ArrayDeque<>()).push(spotter);
        }
    }

    /** How many times this JVM has parsed a checkpoint (for the tests: once per task slot at most). */
    static int parsed() {
        return PARSED.get();
    }

    /**
     * Parses checkpoint bytes (safetensors or .pth, told apart by content) through a private temporary file.
     *
     * @throws IllegalArgumentException naming {@code name} when the bytes are not a checkpoint the project reads
     */
    static Checkpoint.Loaded parse(String name, byte[] bytes) {
        Path file = null;
        try {
            file = Files.createTempFile("lmuformer-", "-" + Path.of(name).getFileName());
            Files.write(file, bytes);
            return Checkpoint.load(file);
        } catch (RuntimeException e) { // the reader's message names the temporary file: name the checkpoint instead
            String m = file == null ? String.valueOf(e.getMessage()) : String.valueOf(e.getMessage()).replace(file.toString(), name);
            throw new IllegalArgumentException(m.lines().findFirst().orElse(m), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stage the checkpoint " + name + " (" + e.getMessage() + ")", e);
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    // a temporary file left behind is harmless; the job goes on
                }
            }
        }
    }
}
