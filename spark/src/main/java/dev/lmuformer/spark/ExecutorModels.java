package dev.lmuformer.spark;

import dev.lmuformer.checkpoint.Checkpoint;
import dev.lmuformer.stream.KeywordSpotter;
import org.apache.spark.SparkEnv;
import org.apache.spark.broadcast.Broadcast;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * What one executor JVM builds from a broadcast: the spotters of a broadcast checkpoint, the training
 * workers of a broadcast job. Neither is safe for two threads at once (a model's forward keeps
 * buffers), and an executor runs several tasks at once, so each broadcast has a pool: a task borrows
 * one for its partition and gives it back. A checkpoint is therefore parsed at most once per task
 * slot of an executor — never per row or per partition.
 *
 * <p>This is the module's one process-wide state, as a broadcast variable is the executor's: it is
 * bounded to {@link #POOLS} broadcasts (the least recently used pool is dropped, its
 * {@link AutoCloseable} members closed).
 */
final class ExecutorModels {
    /** Broadcasts whose pools are kept per executor; a job uses one or two. */
    static final int POOLS = 4;

    // by application and broadcast id: a broadcast id is unique only within one SparkContext
    private static final Map<String, Deque<Object>> BY_BROADCAST = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Deque<Object>> eldest) {
            if (size() <= POOLS) return false;
            eldest.getValue().forEach(ExecutorModels::close);
            return true;
        }
    };
    private static final AtomicInteger PARSED = new AtomicInteger();

    private ExecutorModels() {
    }

    /** A spotter of the broadcast checkpoint {@code checkpoint} (named {@code name}), parsed if the pool has none free. */
    static KeywordSpotter borrow(Broadcast<byte[]> checkpoint, String name) {
        return borrow(checkpoint, KeywordSpotter.class, () -> {
            PARSED.incrementAndGet();
            return new KeywordSpotter(parse(name, checkpoint.value()));
        });
    }

    /** A member of {@code broadcast}'s pool, made by {@code make} if the pool has none free. */
    static <T> T borrow(Broadcast<?> broadcast, Class<T> type, Supplier<T> make) {
        synchronized (BY_BROADCAST) {
            Deque<Object> pool = BY_BROADCAST.get(key(broadcast));
            if (pool != null && !pool.isEmpty()) return type.cast(pool.pop());
        }
        return make.get();
    }

    /** Returns a member borrowed from {@code broadcast}'s pool. */
    static void giveBack(Broadcast<?> broadcast, Object member) {
        synchronized (BY_BROADCAST) {
            BY_BROADCAST.computeIfAbsent(key(broadcast), k -> new ArrayDeque<>()).push(member);
        }
    }

    private static String key(Broadcast<?> broadcast) {
        return SparkEnv.get().conf().getAppId() + "/" + broadcast.id();
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

    private static void close(Object member) {
        if (member instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                // a dropped pool's member that fails to close holds nothing the job needs
            }
        }
    }
}
