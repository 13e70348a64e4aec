package dev.lmuformer.engine;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pool: every index exactly once, failures surface, nesting and concurrent callers, resizing. */
class ParallelTest {
    private int before;

    @BeforeEach
    void useThreeThreads() {
        before = Parallel.threads();
        Parallel.setThreads(3);
    }

    @AfterEach
    void restore() {
        Parallel.setThreads(before);
    }

    @Test
    void everyIndexRunsExactlyOnceOverManyCalls() {
        for (int call = 0; call < 20_000; call++) {
            int n = 1 + call % 7;
            int[] hits = new int[n];
            Parallel.forEach(n, i -> hits[i]++);
            for (int i = 0; i < n; i++) assertEquals(1, hits[i], "call " + call + " index " + i);
        }
    }

    @Test
    void theWorkersTakePart() {
        ConcurrentHashMap<Thread, Boolean> seen = new ConcurrentHashMap<>();
        for (int call = 0; call < 200 && seen.size() < 2; call++) {
            Parallel.forEach(64, i -> {
                seen.put(Thread.currentThread(), true);
                long until = System.nanoTime() + 20_000;
                while (System.nanoTime() < until) Thread.onSpinWait();
            });
        }
        assertTrue(seen.size() >= 2, "work ran on " + seen.size() + " thread(s)");
    }

    @Test
    void runSerialKeepsEveryCallOnTheCallerAndRestoresAfterwards() {
        Thread caller = Thread.currentThread();
        AtomicInteger elsewhere = new AtomicInteger();
        Parallel.runSerial(() -> {
            assertTrue(Parallel.serial());
            for (int call = 0; call < 50; call++) Parallel.forEach(64, i -> {
                if (Thread.currentThread() != caller) elsewhere.incrementAndGet();
            });
        });
        assertEquals(0, elsewhere.get(), "indices run off the calling thread inside runSerial");
        assertTrue(!Parallel.serial(), "runSerial left the caller serial");
        assertThrows(IllegalStateException.class, () -> Parallel.runSerial(() -> {
            throw new IllegalStateException("inside");
        }));
        assertTrue(!Parallel.serial(), "a failing body left the caller serial");
    }

    @Test
    void aFailureSurfacesOnTheCallerAndThePoolStaysUsable() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.forEach(100, i -> {
            if (i == 37) throw new IllegalStateException("index 37");
        }));
        assertEquals("index 37", e.getMessage());
        Error err = assertThrows(AssertionError.class, () -> Parallel.forEach(10, i -> {
            throw new AssertionError("boom");
        }));
        assertEquals("boom", err.getMessage());
        AtomicInteger count = new AtomicInteger();
        Parallel.forEach(1000, i -> count.incrementAndGet());
        assertEquals(1000, count.get());
    }

    @Test
    void nestedCallsRunSeriallyInsideTheBody() {
        AtomicLong sum = new AtomicLong();
        AtomicReference<Throwable> wrongThread = new AtomicReference<>();
        Parallel.forEach(8, i -> {
            Thread outer = Thread.currentThread();
            assertTrue(Parallel.serial());
            Parallel.forEach(8, j -> {
                if (Thread.currentThread() != outer) wrongThread.set(new AssertionError("nested body moved thread"));
                sum.addAndGet(i * 8L + j);
            });
        });
        assertNull(wrongThread.get());
        assertEquals(64L * 63 / 2, sum.get());
    }

    @Test
    void concurrentCallersAllComplete() throws InterruptedException {
        int callers = 4;
        CountDownLatch start = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] threads = new Thread[callers];
        for (int c = 0; c < callers; c++) {
            threads[c] = new Thread(() -> {
                try {
                    start.await();
                    for (int call = 0; call < 2000; call++) {
                        int[] hits = new int[5];
                        Parallel.forEach(5, i -> hits[i]++);
                        for (int h : hits) if (h != 1) throw new AssertionError("index ran " + h + " times");
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            });
            threads[c].start();
        }
        start.countDown();
        for (Thread t : threads) t.join(60_000);
        for (Thread t : threads) assertTrue(!t.isAlive(), "a caller is stuck");
        assertNull(failure.get());
    }

    @Test
    void resizingReplacesThePool() {
        AtomicInteger count = new AtomicInteger();
        Parallel.forEach(50, i -> count.incrementAndGet());
        Parallel.setThreads(2);
        Parallel.forEach(50, i -> count.incrementAndGet());
        Parallel.setThreads(1);
        Thread caller = Thread.currentThread();
        Parallel.forEach(50, i -> {
            assertSame(caller, Thread.currentThread());
            count.incrementAndGet();
        });
        assertEquals(150, count.get());
        assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
    }
}
