package dev.prefixflow.engine;

import dev.prefixflow.engine.structured.StructuredOutputsParams;
import dev.prefixflow.sampling.SamplingParams;
import java.io.Serializable;
import java.util.Objects;

/**
 * One prompt, its sampling parameters and an id. The seed in {@code params} is used as given: a
 * caller that has none must pick one (the JSONL parser derives it from the id, so a replay after a
 * failure produces the same tokens).
 *
 * @param lora the LoRA adapter's name, an extra key of the block hashes so that adapters never
 *     share KV; null for the base model
 * @param structuredOutputs what the output must look like (a JSON schema, a regex ...); null for
 *     free text
 */
public record Request(String id, int[] promptTokenIds, SamplingParams params, String lora,
                      StructuredOutputsParams structuredOutputs) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** A request for free text. */
    public Request(String id, int[] promptTokenIds, SamplingParams params, String lora) {
        this(id, promptTokenIds, params, lora, null);
    }

    public Request {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(promptTokenIds, "promptTokenIds");
        Objects.requireNonNull(params, "params");
        promptTokenIds = promptTokenIds.clone();
    }

    /** The same request under another id (the engine's own, where callers' ids may repeat). */
    public Request withId(String newId) {
        return new Request(newId, promptTokenIds, params, lora, structuredOutputs);
    }

    @Override
    public int[] promptTokenIds() {
        return promptTokenIds.clone();
    }
}
