package dev.prefixflow.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One caller's requests in an engine, so that `batch`, `generate`, the Flink operator and the SQL
 * provider keep no bookkeeping of their own: each request gets an engine id (callers' ids need not be
 * unique), carries what the caller attached to it ({@code T}: a parsed line, a state key...), and comes
 * back finished under its own id with that attachment.
 *
 * <p>Not thread-safe: one thread drives it, as it drives the engine.
 */
public final class EngineSession<T> {
    private final LlmEngine engine;
    private final Map<String, InFlight<T>> inFlight = new HashMap<>();
    private long nextEngineId;

    /** A finished request: the caller's attachment and the result under the request's own id. */
    public record Finished<T>(T attachment, RequestResult result) {
    }

    private record InFlight<T>(String id, T attachment) {
    }

    public EngineSession(LlmEngine engine) {
        this.engine = engine;
    }

    public void add(Request request, T attachment) {
        add(request, attachment, piece -> { }, null);
    }

    /**
     * @param onText receives the completion's text as it grows
     * @param tierKey where the request's blocks go in the evicted-block tier (its routing key), or null
     */
    public void add(Request request, T attachment, Consumer<String> onText, String tierKey) {
        String engineId = Long.toString(nextEngineId++);
        inFlight.put(engineId, new InFlight<>(request.id(), attachment));
        engine.addRequest(new Request(engineId, request.promptTokenIds(), request.params(), request.lora()), onText,
                tierKey);
    }

    /** Runs one engine step; the requests it finished. */
    public List<Finished<T>> step() {
        List<RequestResult> results = engine.step();
        List<Finished<T>> finished = new ArrayList<>(results.size());
        for (RequestResult r : results) {
            InFlight<T> f = inFlight.remove(r.id());
            finished.add(new Finished<>(f.attachment(), r.withId(f.id())));
        }
        return finished;
    }

    /** Steps until every request has finished. */
    public List<Finished<T>> runUntilDone() {
        List<Finished<T>> all = new ArrayList<>();
        while (hasUnfinishedRequests()) {
            all.addAll(step());
        }
        return all;
    }

    public boolean hasUnfinishedRequests() {
        return engine.hasUnfinishedRequests();
    }

    public EngineMetrics metrics() {
        return engine.metrics();
    }

    public LlmEngine engine() {
        return engine;
    }
}
