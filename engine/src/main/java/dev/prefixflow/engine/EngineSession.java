package dev.prefixflow.engine;

import dev.prefixflow.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One caller's requests in an engine, so that `batch`, `generate`, the Flink operator and the SQL
 * provider keep no bookkeeping of their own: each request gets an engine id (callers' ids need not be
 * unique), carries what the caller attached to it ({@code T}: a parsed line, a state key...), and comes
 * back finished under its own id with that attachment. A request with {@code n} > 1 runs as n engine
 * requests, choice i sampling with {@link SamplingParams#forChoice}; they share the prompt's prefill
 * through the prefix cache, and the request comes back once, when all its choices have finished.
 *
 * <p>Not thread-safe: one thread drives it, as it drives the engine.
 */
public final class EngineSession<T> {
    private final LlmEngine engine;
    private final Map<String, InFlight<T>> inFlight = new HashMap<>();
    private long nextEngineId;

    /**
     * A finished request: the caller's attachment and the results under the request's own id.
     *
     * @param result choice 0 (the only one when n = 1)
     * @param choices every choice, by index
     */
    public record Finished<T>(T attachment, RequestResult result, List<RequestResult> choices) {
    }

    /** One request's choices as they finish. */
    private static final class Choices<T> {
        final String id;
        final T attachment;
        final RequestResult[] results;
        int pending;

        Choices(String id, T attachment, int n) {
            this.id = id;
            this.attachment = attachment;
            this.results = new RequestResult[n];
            this.pending = n;
        }
    }

    private record InFlight<T>(Choices<T> request, int choice) {
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
        int n = request.params().n();
        Choices<T> choices = new Choices<>(request.id(), attachment, n);
        for (int i = 0; i < n; i++) {
            String engineId = Long.toString(nextEngineId++);
            inFlight.put(engineId, new InFlight<>(choices, i));
            SamplingParams params = n == 1 ? request.params() : request.params().forChoice(i);
            // Only choice 0 streams its text: a caller reading one stream reads one completion.
            engine.addRequest(new Request(engineId, request.promptTokenIds(), params, request.lora(),
                    request.structuredOutputs()),
                    i == 0 ? onText : piece -> { }, tierKey);
        }
    }

    /** Runs one engine step; the requests it finished. */
    public List<Finished<T>> step() {
        List<RequestResult> results = engine.step();
        List<Finished<T>> finished = new ArrayList<>(results.size());
        for (RequestResult r : results) {
            InFlight<T> f = inFlight.remove(r.id());
            Choices<T> c = f.request();
            c.results[f.choice()] = r.withId(c.id);
            if (--c.pending == 0) {
                finished.add(new Finished<>(c.attachment, c.results[0], List.of(c.results)));
            }
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
