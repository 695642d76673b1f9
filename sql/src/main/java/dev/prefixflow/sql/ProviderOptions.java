package dev.prefixflow.sql;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * The WITH options of {@code CREATE MODEL ... WITH ('provider' = 'prefixflow', ...)}: the model file,
 * the engine's limits (vLLM's names), default sampling and output format, the task, and the adapters and
 * chat template.
 */
final class ProviderOptions {
    /** {@code lora.NAME = PATH}: one option per adapter, a row picks one by name. */
    static final String LORA_PREFIX = "lora.";

    static final ConfigOption<String> MODEL = ConfigOptions.key("model").stringType().noDefaultValue()
            .withDescription("Local path of the GGUF model file (the same path on every TaskManager).");
    static final ConfigOption<String> TASK = ConfigOptions.key("task").stringType().defaultValue("completion")
            .withDescription("completion: the first INPUT column is the prompt; chat: the messages.");
    static final ConfigOption<Integer> MAX_TOKENS = ConfigOptions.key("max-tokens").intType().defaultValue(16)
            .withDescription("Tokens to generate at most, unless a max_tokens INPUT column says otherwise.");
    static final ConfigOption<Double> TEMPERATURE = ConfigOptions.key("temperature").doubleType().defaultValue(1.0)
            .withDescription("Sampling temperature (0: greedy), unless a temperature INPUT column says otherwise.");
    static final ConfigOption<Double> TOP_P = ConfigOptions.key("top-p").doubleType().defaultValue(1.0)
            .withDescription("Nucleus sampling: keep the smallest set of tokens whose probability reaches p.");
    static final ConfigOption<Long> SEED = ConfigOptions.key("seed").longType().noDefaultValue()
            .withDescription("Seed of every row without a seed INPUT column; unset: derived from the id column, "
                    + "else from the prompt.");
    static final ConfigOption<Integer> MAX_NUM_SEQS = ConfigOptions.key("max-num-seqs").intType().defaultValue(32)
            .withDescription("Sequences one engine step runs at most.");
    static final ConfigOption<Integer> MAX_NUM_BATCHED_TOKENS = ConfigOptions.key("max-num-batched-tokens").intType()
            .defaultValue(512).withDescription("Tokens one engine step computes at most.");
    static final ConfigOption<Integer> KV_CACHE_BLOCKS = ConfigOptions.key("kv-cache-blocks").intType()
            .defaultValue(0).withDescription("Blocks in the KV pool; 0: max-num-seqs full contexts, within memory.");
    static final ConfigOption<Boolean> PREFIX_CACHING = ConfigOptions.key("prefix-caching").booleanType()
            .defaultValue(true).withDescription("Reuse the KV blocks of prompts' shared prefixes.");
    static final ConfigOption<String> CHAT_TEMPLATE = ConfigOptions.key("chat-template").stringType()
            .noDefaultValue().withDescription("Path of a Jinja chat template for task chat, read when the query is "
                    + "planned (default: the model's own, tokenizer.chat_template).");
    static final ConfigOption<String> RESPONSE_FORMAT = ConfigOptions.key("response-format").stringType()
            .noDefaultValue().withDescription("OpenAI's response_format, as JSON, for every row: {\"type\": "
                    + "\"json_object\"} or {\"type\": \"json_schema\", \"json_schema\": {\"name\": ..., \"schema\": {...}}}; "
                    + "the text is constrained to it (structured outputs).");

    private ProviderOptions() {
    }
}
