package dev.prefixflow.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class CpuThreadPoolTest {

    private static final long WORK = 1L << 30;

    private final CpuThreadPool pool = new CpuThreadPool(3);

    /** Runs count items in chunks of grain and checks that each ran exactly once, in grain-aligned chunks. */
    private static void runOnce(CpuThreadPool pool, int count, int grain) {
        AtomicIntegerArray ran = new AtomicIntegerArray(count);
        pool.parallelFor(count, grain, WORK, (from, to) -> {
            assertEquals(0, from % grain, "chunk start " + from);
            assertTrue(to == count || to % grain == 0, "chunk end " + to);
            for (int i = from; i < to; i++) {
                ran.incrementAndGet(i);
            }
        });
        for (int i = 0; i < count; i++) {
            assertEquals(1, ran.get(i), "item " + i + " of " + count);
        }
    }

    @Test
    void everyItemRunsOnceOverManyJobsBackToBack() {
        for (int job = 0; job < 5000; job++) {
            runOnce(pool, 1 + job % 97 * 13, 1 + job % 5);
        }
    }

    @Test
    void helpersStillTakeWorkAfterParking() throws InterruptedException {
        Thread.sleep(20);
        Set<String> threads = ConcurrentHashMap.newKeySet();
        for (int round = 0; round < 50 && threads.size() < 2; round++) {
            Thread.sleep(2);
            pool.parallelFor(64, 1, WORK, (from, to) -> {
                threads.add(Thread.currentThread().getName());
                long until = System.nanoTime() + 200_000;
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            });
        }
        assertTrue(threads.stream().anyMatch(n -> n.startsWith("prefixflow-cpu-")), "threads: " + threads);
    }

    @Test
    void aFailureOnAnyThreadReachesTheCallerAndThePoolGoesOn() {
        for (int failing : new int[] {0, 7, 63}) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> pool.parallelFor(64, 1, WORK, (from, to) -> {
                        if (from <= failing && failing < to) {
                            throw new IllegalStateException("chunk at " + failing);
                        }
                    }));
            assertEquals("chunk at " + failing, e.getMessage());
            runOnce(pool, 1000, 4);
        }
    }

    @Test
    void nestedJobsRunInline() {
        AtomicIntegerArray ran = new AtomicIntegerArray(64 * 64);
        pool.parallelFor(64, 1, WORK, (from, to) -> {
            for (int i = from; i < to; i++) {
                int row = i;
                pool.parallelFor(64, 1, WORK, (f, t) -> {
                    for (int j = f; j < t; j++) {
                        ran.incrementAndGet(row * 64 + j);
                    }
                });
            }
        });
        for (int i = 0; i < 64 * 64; i++) {
            assertEquals(1, ran.get(i));
        }
    }

    @Test
    void callersOnSeveralThreadsEachGetTheirWholeJob() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            Future<?>[] done = new Future<?>[4];
            for (int c = 0; c < done.length; c++) {
                int seed = c;
                done[c] = callers.submit(() -> {
                    for (int job = 0; job < 500; job++) {
                        runOnce(pool, 50 + (seed * 31 + job) % 200, 1 + job % 4);
                    }
                });
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            callers.shutdownNow();
        }
    }
}
