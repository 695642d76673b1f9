package dev.prefixflow.sql;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefixflow.chat.ChatFormat;
import dev.prefixflow.engine.EngineSettings;
import dev.prefixflow.engine.RequestResult;
import dev.prefixflow.engine.jsonl.RequestParser;
import dev.prefixflow.model.LoadedModel;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.functions.AsyncPredictFunction;
import org.apache.flink.table.functions.FunctionContext;

/**
 * ML_PREDICT's function for a PrefixFlow model: each row becomes a request to the engine this JVM
 * shares for the model's settings, and its future completes with the output row when the request
 * finishes. A row that cannot be served completes with an error row; only a failing engine fails it.
 * Rows are read as {@code batch} reads request lines, with the model's chat template or the
 * {@code chat-template} option's.
 */
public final class PrefixFlowPredictFunction extends AsyncPredictFunction {
    private static final long serialVersionUID = 1L;

    private final EngineSettings settings;
    private final InputColumns input;
    private final OutputColumns output;
    /** The {@code chat-template} option's text, or null for the model's own. */
    private final String chatTemplate;

    private transient EngineWorker engine;
    private transient RequestParser parser;
    private transient JsonNode responseFormat;
    /** Why no row can be served (a chat model without a template), or null. */
    private transient String unservable;
    private transient Counter requestsOut;
    private transient Counter errors;
    private transient Counter promptTokens;
    private transient Counter cachedTokens;
    private transient Counter generatedTokens;

    PrefixFlowPredictFunction(EngineSettings settings, InputColumns input, OutputColumns output, String chatTemplate) {
        this.settings = settings;
        this.input = input;
        this.output = output;
        this.chatTemplate = chatTemplate;
    }

    @Override
    public void open(FunctionContext context) throws Exception {
        super.open(context);
        // The streaming job's metric names, so `sql` shows progress as `run` does.
        MetricGroup metrics = context.getMetricGroup();
        requestsOut = metrics.counter("requestsOut");
        errors = metrics.counter("errors");
        promptTokens = metrics.counter("promptTokens");
        cachedTokens = metrics.counter("cachedTokens");
        generatedTokens = metrics.counter("generatedTokens");
        EngineWorker worker = SharedEngines.acquire(settings);
        engine = worker;
        // The shared engine's queues, as `run` shows them; the most requests it has held, and its bound.
        metrics.gauge("waiting", (Gauge<Integer>) () -> worker.latest().waiting());
        metrics.gauge("running", (Gauge<Integer>) () -> worker.latest().running());
        metrics.gauge("engineRequestsPeak", (Gauge<Integer>) worker::peakRequests);
        metrics.gauge("maxInFlight", (Gauge<Integer>) worker::maxInFlight);
        LoadedModel model = worker.model();
        ChatFormat chat = ChatFormat.of(model.file(), model.tokenizer(), chatTemplate);
        parser = new RequestParser(model.tokenizer(), model.config().contextLength(), chat);
        responseFormat = input.responseFormat();
        unservable = input.task() == InputColumns.Task.CHAT && chat.template() == null
                ? "the model has no chat template (tokenizer.chat_template); give one with the 'chat-template' option"
                : null;
    }

    @Override
    public CompletableFuture<Collection<RowData>> asyncPredict(RowData row) {
        InputColumns.Admission admission = unservable != null ? new InputColumns.Admission(null, unservable)
                : input.admit(row, parser, responseFormat);
        if (admission.problem() != null) {
            count(null);
            return CompletableFuture.completedFuture(List.of(output.errorRow(admission.problem())));
        }
        try {
            return engine.submit(admission.request()).thenApply(result -> {
                count(result);
                return List.of(output.row(result));
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(e);
        }
    }

    private void count(RequestResult result) {
        requestsOut.inc();
        if (result == null || result.isError()) {
            errors.inc();
        }
        if (result != null) {
            promptTokens.inc(result.usage().promptTokens());
            cachedTokens.inc(result.usage().cachedTokens());
            generatedTokens.inc(result.usage().completionTokens());
        }
    }

    @Override
    public void close() throws Exception {
        if (engine != null) {
            engine = null;
            SharedEngines.release(settings);
        }
        super.close();
    }
}
