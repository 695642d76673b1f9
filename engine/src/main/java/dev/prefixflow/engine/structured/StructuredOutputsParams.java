package dev.prefixflow.engine.structured;

import java.io.Serializable;
import java.util.List;

/**
 * What a request's output must look like (vLLM's StructuredOutputsParams): exactly one of a JSON
 * schema, any JSON object, one of a list of strings, or a regular expression. Records equal by
 * value, so a batch of requests with one schema compiles it once.
 *
 * @param json a JSON schema as JSON text, or null
 * @param regex a regular expression the whole output must match, or null
 * @param choice strings the output must be one of, or null
 * @param jsonObject whether the output must be a JSON object (OpenAI's {"type": "json_object"})
 */
public record StructuredOutputsParams(String json, String regex, List<String> choice, boolean jsonObject)
        implements Serializable {
    private static final long serialVersionUID = 1L;

    public StructuredOutputsParams {
        choice = choice == null ? null : List.copyOf(choice);
        int kinds = (json != null ? 1 : 0) + (regex != null ? 1 : 0) + (choice != null ? 1 : 0) + (jsonObject ? 1 : 0);
        if (kinds != 1) {
            throw new IllegalArgumentException("give exactly one structured output constraint, got " + kinds);
        }
    }

    public static StructuredOutputsParams jsonSchema(String schema) {
        return new StructuredOutputsParams(schema, null, null, false);
    }

    public static StructuredOutputsParams regex(String regex) {
        return new StructuredOutputsParams(null, regex, null, false);
    }

    public static StructuredOutputsParams choice(List<String> choices) {
        return new StructuredOutputsParams(null, null, choices, false);
    }

    public static StructuredOutputsParams anyJsonObject() {
        return new StructuredOutputsParams(null, null, null, true);
    }
}
