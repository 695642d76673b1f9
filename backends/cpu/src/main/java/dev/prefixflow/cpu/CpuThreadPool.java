package dev.prefixflow.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fixed pool of daemon threads the kernels share. Work is split into chunks that threads take
 * in turn, so a thread slowed down by another process does not hold the others back.
 */
final class CpuThreadPool {

    /** System property giving the number of threads; defaults to the available processors. */
    static final String THREADS_PROPERTY = "prefixflow.cpu.threads";

    /** Below this much work (multiply-adds, roughly) waking other threads costs more than it saves. */
    private static final long MIN_PARALLEL_WORK = 1L << 15;
    private static final int CHUNKS_PER_THREAD = 4;

    private static final ThreadLocal<Boolean> IN_POOL = ThreadLocal.withInitial(() -> false);

    /** A piece of work over items [from, to). */
    @FunctionalInterface
    interface RangeTask {
        void run(int from, int to);
    }

    private final int threads;
    private final ExecutorService executor;

    CpuThreadPool(int threads) {
        if (threads <= 0) {
            throw new IllegalArgumentException("Thread count must be positive: " + threads);
        }
        this.threads = threads;
        AtomicInteger id = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(() -> {
                IN_POOL.set(true);
                r.run();
            }, "prefixflow-cpu-" + id.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The process-wide pool, sized by {@link #THREADS_PROPERTY} or the available processors. Shared
     * because ServiceLoader makes a new platform object on every lookup.
     */
    static CpuThreadPool shared() {
        return Shared.POOL;
    }

    private static final class Shared {
        static final CpuThreadPool POOL = new CpuThreadPool(configuredThreads());

        private static int configuredThreads() {
            String configured = System.getProperty(THREADS_PROPERTY);
            return configured == null ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(configured.trim());
        }
    }

    int threads() {
        return threads;
    }

    /**
     * Runs {@code task} over [0, count) in chunks whose bounds are multiples of {@code grain} (except
     * at count), on the calling thread and the pool. {@code work} estimates the total cost; small
     * jobs, and jobs started from a pool thread (which must not wait on its own pool), run inline.
     */
    void parallelFor(int count, int grain, long work, RangeTask task) {
        int grains = (count + grain - 1) / grain;
        int chunkGrains = Math.max(1, grains / (threads * CHUNKS_PER_THREAD));
        int chunks = (grains + chunkGrains - 1) / chunkGrains;
        if (threads == 1 || chunks <= 1 || work < MIN_PARALLEL_WORK || IN_POOL.get()) {
            task.run(0, count);
            return;
        }
        int chunkSize = chunkGrains * grain;
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                int from = c * chunkSize;
                task.run(from, Math.min(count, from + chunkSize));
            }
        };
        int helpers = Math.min(threads, chunks) - 1;
        List<Future<?>> futures = new ArrayList<>(helpers);
        for (int i = 0; i < helpers; i++) {
            futures.add(executor.submit(worker));
        }
        worker.run();
        for (Future<?> f : futures) {
            await(f);
        }
    }

    private static void await(Future<?> f) {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for a kernel", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        }
    }
}
