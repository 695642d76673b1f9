package dev.prefixflow.sql;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prefixflow.engine.EngineSettings;
import dev.prefixflow.engine.jsonl.StructuredOutputsFields;
import dev.prefixflow.engine.structured.StructuredOutputManager;
import dev.prefixflow.engine.structured.StructuredOutputsParams;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.catalog.ResolvedCatalogModel;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.factories.ModelProviderFactory;
import org.apache.flink.table.functions.AsyncPredictFunction;
import org.apache.flink.table.ml.AsyncPredictRuntimeProvider;
import org.apache.flink.table.ml.ModelProvider;

/**
 * {@code CREATE MODEL m INPUT (...) OUTPUT (...) WITH ('provider' = 'prefixflow', 'model' = ...)}:
 * PrefixFlow's engine inside the TaskManagers, for {@code ML_PREDICT}. Options and columns are checked
 * when a query is planned, so a mistake fails the statement with a message naming it.
 */
public final class PrefixFlowModelProviderFactory implements ModelProviderFactory {
    public static final String IDENTIFIER = "prefixflow";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(ProviderOptions.MODEL);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of(ProviderOptions.TASK, ProviderOptions.MAX_TOKENS, ProviderOptions.TEMPERATURE,
                ProviderOptions.TOP_P, ProviderOptions.SEED, ProviderOptions.MAX_NUM_SEQS,
                ProviderOptions.MAX_NUM_BATCHED_TOKENS, ProviderOptions.KV_CACHE_BLOCKS, ProviderOptions.PREFIX_CACHING,
                ProviderOptions.CHAT_TEMPLATE, ProviderOptions.RESPONSE_FORMAT);
    }

    @Override
    public ModelProvider createModelProvider(Context context) {
        FactoryUtil.ModelProviderFactoryHelper helper = FactoryUtil.createModelProviderFactoryHelper(this, context);
        helper.validateExcept(ProviderOptions.LORA_PREFIX);
        ReadableConfig options = helper.getOptions();
        InputColumns.Task task = InputColumns.Task.named(options.get(ProviderOptions.TASK));
        String chatTemplate = options.getOptional(ProviderOptions.CHAT_TEMPLATE).map(path -> {
            if (task != InputColumns.Task.CHAT) {
                throw new IllegalArgumentException("option 'chat-template' applies to task 'chat' only");
            }
            return readTemplate(path);
        }).orElse(null);
        ResolvedCatalogModel model = context.getCatalogModel();
        EngineSettings base = EngineSettings.of(options.get(ProviderOptions.MODEL));
        EngineSettings settings = base
                .withLimits(options.get(ProviderOptions.MAX_NUM_SEQS), options.get(ProviderOptions.MAX_NUM_BATCHED_TOKENS),
                        base.blockSize(), options.get(ProviderOptions.KV_CACHE_BLOCKS))
                .withPrefixCaching(options.get(ProviderOptions.PREFIX_CACHING))
                .withLora(loraPaths(model.getOptions()));
        InputColumns.SamplingDefaults defaults = new InputColumns.SamplingDefaults(
                options.get(ProviderOptions.MAX_TOKENS), options.get(ProviderOptions.TEMPERATURE),
                options.get(ProviderOptions.TOP_P), options.getOptional(ProviderOptions.SEED).orElse(null),
                options.getOptional(ProviderOptions.RESPONSE_FORMAT).map(PrefixFlowModelProviderFactory::responseFormat)
                        .orElse(null));
        return new Provider(new PrefixFlowPredictFunction(settings,
                new InputColumns(model.getResolvedInputSchema(), task, defaults),
                new OutputColumns(model.getResolvedOutputSchema()), chatTemplate));
    }

    /** The template's text, read here so that the TaskManagers need no copy of the file. */
    private static String readTemplate(String path) {
        try {
            return Files.readString(Path.of(path), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("option 'chat-template': cannot read " + path + ": " + e, e);
        }
    }

    /**
     * The response format as compact JSON, checked as the engine will check it (its shape, and the
     * constraint compiled as far as it goes without the model's vocabulary), so that a bad one fails
     * the query's planning instead of every row.
     */
    private static String responseFormat(String json) {
        try {
            JsonNode format = JSON.readTree(json);
            StructuredOutputsParams constraint = StructuredOutputsFields.responseFormat(format);
            if (constraint != null) {
                StructuredOutputManager.check(constraint);
            }
            return format.toString();
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("option 'response-format' is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("option 'response-format': " + e.getMessage(), e);
        }
    }

    private static Map<String, String> loraPaths(Map<String, String> options) {
        // By name, so that every instance's settings, and so its shared engine, are the same.
        Map<String, String> paths = new TreeMap<>();
        options.forEach((key, value) -> {
            if (key.startsWith(ProviderOptions.LORA_PREFIX)) {
                String name = key.substring(ProviderOptions.LORA_PREFIX.length());
                if (name.isEmpty()) {
                    throw new IllegalArgumentException("option 'lora.' needs an adapter name: 'lora.NAME' = 'PATH'");
                }
                paths.put(name, value);
            }
        });
        return paths;
    }

    /** Hands ML_PREDICT the function the factory built and checked. */
    private record Provider(AsyncPredictFunction function) implements AsyncPredictRuntimeProvider {
        @Override
        public AsyncPredictFunction createAsyncPredictFunction(Context context) {
            return function;
        }

        @Override
        public ModelProvider copy() {
            return new Provider(function);
        }
    }
}
