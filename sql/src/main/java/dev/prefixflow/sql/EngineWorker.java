package dev.prefixflow.sql;

import dev.prefixflow.engine.EngineFactory;
import dev.prefixflow.engine.EngineMetrics;
import dev.prefixflow.engine.EngineSession;
import dev.prefixflow.engine.EngineSettings;
import dev.prefixflow.engine.Request;
import dev.prefixflow.engine.RequestResult;
import dev.prefixflow.model.LoadedModel;
import dev.prefixflow.model.ModelLoader;
import dev.prefixflow.platform.Platform;
import dev.prefixflow.platform.Platforms;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One engine and the thread that steps it. Callers on any thread {@link #submit} requests and get a
 * future that completes when the request finishes; the engine thread adds what was submitted between
 * steps, so rows from every function instance that shares it are batched together. At most
 * {@code maxInFlight} requests are submitted and not finished: past that, {@code submit} waits, which
 * backpressures the query instead of buffering without limit.
 */
final class EngineWorker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EngineWorker.class);
    /** How long an idle engine thread waits for a request before it looks at {@code closed} again. */
    private static final long IDLE_POLL_MILLIS = 100;

    private record Submitted(Request request, CompletableFuture<RequestResult> done) {
    }

    private final LoadedModel model;
    private final EngineSession<CompletableFuture<RequestResult>> session;
    private final BlockingQueue<Submitted> submitted = new LinkedBlockingQueue<>();
    /** Futures not yet completed, to fail them all if the engine dies or closes. */
    private final Set<CompletableFuture<RequestResult>> open = ConcurrentHashMap.newKeySet();
    private final int maxInFlight;
    private final Semaphore slots;
    private final Thread thread;
    private volatile boolean closed;
    /** The engine's metrics after the latest admission or step, and the most requests it has held. */
    private volatile EngineMetrics latest;
    private volatile int peakRequests;

    EngineWorker(EngineSettings settings, int maxInFlight) throws IOException {
        Platform platform = Platforms.select(settings.platform());
        for (String advice : platform.advice()) {
            LOG.warn("Platform {} advises: {}", platform.name(), advice);
        }
        model = ModelLoader.load(Path.of(settings.modelPath()), platform);
        try {
            session = new EngineSession<>(EngineFactory.create(model, platform, settings));
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
        this.maxInFlight = maxInFlight;
        slots = new Semaphore(maxInFlight);
        latest = session.metrics();
        thread = new Thread(this::loop, "prefixflow-engine " + Path.of(settings.modelPath()).getFileName());
        thread.setDaemon(true);
        thread.start();
    }

    LoadedModel model() {
        return model;
    }

    /** Requests submitted and not finished at most: the bound that backpressures the query. */
    int maxInFlight() {
        return maxInFlight;
    }

    EngineMetrics latest() {
        return latest;
    }

    /** The most requests the engine has held (waiting + running), by its own counters after each admission. */
    int peakRequests() {
        return peakRequests;
    }

    /** Queues a request, waiting while the engine is full; the future fails if the engine closes or dies. */
    CompletableFuture<RequestResult> submit(Request request) throws InterruptedException {
        slots.acquire();
        CompletableFuture<RequestResult> done = new CompletableFuture<>();
        done.whenComplete((r, e) -> {
            open.remove(done);
            slots.release();
        });
        open.add(done);
        if (closed) {
            done.completeExceptionally(new IllegalStateException("the engine is closed"));
        } else {
            submitted.add(new Submitted(request, done));
        }
        return done;
    }

    private void loop() {
        try {
            while (!closed) {
                Submitted first = session.hasUnfinishedRequests() ? submitted.poll()
                        : submitted.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
                List<Submitted> batch = new ArrayList<>();
                if (first != null) {
                    batch.add(first);
                    submitted.drainTo(batch);
                }
                for (Submitted s : batch) {
                    session.add(s.request(), s.done());
                }
                if (!batch.isEmpty()) {
                    latest = session.metrics();
                    peakRequests = Math.max(peakRequests, latest.waiting() + latest.running());
                }
                if (session.hasUnfinishedRequests()) {
                    for (EngineSession.Finished<CompletableFuture<RequestResult>> f : session.step()) {
                        f.attachment().complete(f.result());
                    }
                    latest = session.metrics();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            closed = true;
            failAll(new IllegalStateException("the engine failed: " + t, t));
            return;
        }
        failAll(new IllegalStateException("the engine is closed"));
    }

    private void failAll(RuntimeException why) {
        for (CompletableFuture<RequestResult> f : List.copyOf(open)) {
            f.completeExceptionally(why);
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failAll(new IllegalStateException("the engine is closed"));
        model.close();
    }
}
