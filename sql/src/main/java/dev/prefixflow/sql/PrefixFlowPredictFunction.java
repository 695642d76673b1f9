package dev.prefixflow.sql;

import dev.prefixflow.engine.EngineSettings;
import dev.prefixflow.engine.RequestResult;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.functions.AsyncPredictFunction;
import org.apache.flink.table.functions.FunctionContext;

/**
 * ML_PREDICT's function for a PrefixFlow model: each row becomes a request to the engine this JVM
 * shares for the model's settings, and its future completes with the output row when the request
 * finishes. A row that cannot be served completes with an error row; only a failing engine fails it.
 */
public final class PrefixFlowPredictFunction extends AsyncPredictFunction {
    private static final long serialVersionUID = 1L;

    private final EngineSettings settings;
    private final InputColumns input;
    private final OutputColumns output;

    private transient EngineWorker engine;
    private transient Counter requestsOut;
    private transient Counter errors;
    private transient Counter promptTokens;
    private transient Counter cachedTokens;
    private transient Counter generatedTokens;

    PrefixFlowPredictFunction(EngineSettings settings, InputColumns input, OutputColumns output) {
        this.settings = settings;
        this.input = input;
        this.output = output;
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
        engine = SharedEngines.acquire(settings);
    }

    @Override
    public CompletableFuture<Collection<RowData>> asyncPredict(RowData row) {
        InputColumns.Admission admission = input.admit(row, engine.model().tokenizer());
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
