package dev.prefixflow.sql;

import dev.prefixflow.engine.EngineSettings;
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
                ProviderOptions.CHAT_TEMPLATE);
    }

    @Override
    public ModelProvider createModelProvider(Context context) {
        FactoryUtil.ModelProviderFactoryHelper helper = FactoryUtil.createModelProviderFactoryHelper(this, context);
        helper.validateExcept(ProviderOptions.LORA_PREFIX);
        ReadableConfig options = helper.getOptions();
        String task = options.get(ProviderOptions.TASK);
        if (task.equals("chat")) {
            throw new IllegalArgumentException("task 'chat' needs chat-template support, which this build of "
                    + "PrefixFlow does not have yet; use task 'completion' with the prompt as a STRING");
        }
        if (!task.equals("completion")) {
            throw new IllegalArgumentException("option 'task' must be 'completion' or 'chat', not '" + task + "'");
        }
        if (options.getOptional(ProviderOptions.CHAT_TEMPLATE).isPresent()) {
            throw new IllegalArgumentException("option 'chat-template' applies to task 'chat' only");
        }
        ResolvedCatalogModel model = context.getCatalogModel();
        EngineSettings base = EngineSettings.of(options.get(ProviderOptions.MODEL));
        EngineSettings settings = base
                .withLimits(options.get(ProviderOptions.MAX_NUM_SEQS), options.get(ProviderOptions.MAX_NUM_BATCHED_TOKENS),
                        base.blockSize(), options.get(ProviderOptions.KV_CACHE_BLOCKS))
                .withPrefixCaching(options.get(ProviderOptions.PREFIX_CACHING))
                .withLora(loraPaths(model.getOptions()));
        InputColumns.SamplingDefaults defaults = new InputColumns.SamplingDefaults(
                options.get(ProviderOptions.MAX_TOKENS), options.get(ProviderOptions.TEMPERATURE),
                options.get(ProviderOptions.TOP_P), options.getOptional(ProviderOptions.SEED).orElse(null));
        return new Provider(new PrefixFlowPredictFunction(settings,
                new InputColumns(model.getResolvedInputSchema(), defaults),
                new OutputColumns(model.getResolvedOutputSchema())));
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
