package dev.prefixflow.cpu;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The fixed set of daemon threads the kernels share: the calling thread and {@code threads - 1}
 * helpers. Work is split into chunks that threads take in turn, so a thread slowed down by another
 * process does not hold the others back.
 *
 * <p>A helper spins for {@link #SPIN_NANOS} after each job before it parks. A decode step runs
 * about a hundred small parallel kernels back to back; handing each to parked executor threads
 * cost about 45 us of wake-up (a 512x2048 Q8_0 matmul took 77 us instead of about 28 on a 2-core
 * Zen 5), a tenth of a 1B model's decode time. Spinning is bounded, so an idle pool costs nothing.
 */
final class CpuThreadPool {

    /** System property giving the number of threads; defaults to the available processors. */
    static final String THREADS_PROPERTY = "prefixflow.cpu.threads";

    /** Below this much work (multiply-adds, roughly) waking other threads costs more than it saves. */
    private static final long MIN_PARALLEL_WORK = 1L << 15;
    private static final int CHUNKS_PER_THREAD = 4;
    /** How long a helper waits for the next job before parking: longer than the gaps within a step. */
    private static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(300);
    /** How long the caller spins for helpers to finish before it also yields its core. */
    private static final long WAIT_SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(50);

    private static final ThreadLocal<Boolean> IN_POOL = ThreadLocal.withInitial(() -> false);

    /** A piece of work over items [from, to). */
    @FunctionalInterface
    interface RangeTask {
        void run(int from, int to);
    }

    private final int threads;
    private final Helper[] helpers;
    /** One job at a time; a second caller meanwhile runs its job alone rather than wait. */
    private final ReentrantLock dispatch = new ReentrantLock();

    CpuThreadPool(int threads) {
        if (threads <= 0) {
            throw new IllegalArgumentException("Thread count must be positive: " + threads);
        }
        this.threads = threads;
        this.helpers = new Helper[threads - 1];
        for (int i = 0; i < helpers.length; i++) {
            helpers[i] = new Helper("prefixflow-cpu-" + (i + 1));
        }
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
        // Nested in a job of this thread's, or while another thread's job runs: alone, inline.
        if (dispatch.isHeldByCurrentThread() || !dispatch.tryLock()) {
            task.run(0, count);
            return;
        }
        try {
            int used = Math.min(threads, chunks) - 1;
            Job job = new Job(task, count, chunkGrains * grain, chunks, used);
            for (int i = 0; i < used; i++) {
                helpers[i].start(job);
            }
            job.run(false);
            job.awaitHelpers();
        } finally {
            dispatch.unlock();
        }
    }

    /** One parallelFor: its chunks, taken in turn, and the helpers still working on it. */
    private static final class Job {
        private final RangeTask task;
        private final int count;
        private final int chunkSize;
        private final int chunks;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger running;
        private volatile Throwable failure;

        Job(RangeTask task, int count, int chunkSize, int chunks, int helpers) {
            this.task = task;
            this.count = count;
            this.chunkSize = chunkSize;
            this.chunks = chunks;
            this.running = new AtomicInteger(helpers);
        }

        private void runChunks() {
            for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                int from = c * chunkSize;
                task.run(from, Math.min(count, from + chunkSize));
            }
        }

        /** Chunks until none are left; a failure stops the job and is kept for the caller. */
        void run(boolean helper) {
            try {
                runChunks();
            } catch (Throwable t) {
                if (failure == null) {
                    failure = t;
                }
                next.set(chunks);
            } finally {
                if (helper) {
                    running.decrementAndGet();
                }
            }
        }

        void awaitHelpers() {
            long start = System.nanoTime();
            while (running.get() > 0) {
                if (System.nanoTime() - start < WAIT_SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
            Throwable t = failure;
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error err) {
                throw err;
            }
            if (t != null) {
                throw new IllegalStateException(t);
            }
        }
    }

    /** A daemon thread that runs the jobs handed to it, spinning between them, then parking. */
    private static final class Helper {
        private final Thread thread;
        private volatile Job pending;
        private volatile boolean parked;

        Helper(String name) {
            thread = new Thread(this::loop, name);
            thread.setDaemon(true);
            thread.start();
        }

        void start(Job job) {
            pending = job;
            // Either the helper sees the job when it checks again after setting parked, or this
            // sees parked and unparks it (a permit given before park is kept).
            if (parked) {
                LockSupport.unpark(thread);
            }
        }

        private void loop() {
            IN_POOL.set(true);
            while (true) {
                Job job = await();
                pending = null;
                job.run(true);
            }
        }

        private Job await() {
            long start = System.nanoTime();
            while (true) {
                Job job = pending;
                if (job != null) {
                    return job;
                }
                if (System.nanoTime() - start < SPIN_NANOS) {
                    Thread.onSpinWait();
                    continue;
                }
                parked = true;
                while ((job = pending) == null) {
                    LockSupport.park(this);
                }
                parked = false;
                return job;
            }
        }
    }
}
