package dev.prefixflow.engine.jsonl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prefixflow.engine.Request;
import dev.prefixflow.sampling.SamplingParams;
import dev.prefixflow.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads request lines: PrefixFlow records ({@code {"id", "prompt" | "prompt_token_ids", "max_tokens",
 * "temperature", "top_p", "top_k", "min_p", "seed", "stop", "stop_token_ids", "ignore_eos",
 * "logprobs", "lora"}}) and OpenAI batch lines ({@code {"custom_id", "method": "POST", "url":
 * "/v1/completions", "body": {"model", "prompt", same sampling fields}}}). A bad line becomes a
 * {@link ParsedLine} naming the problem, never an exception (problems are raised internally as
 * IllegalArgumentException, whose message names the field, as SamplingParams' own checks do).
 *
 * <p>Defaults, as in the OpenAI API and vLLM: max_tokens 16, temperature 1.0, top_p 1, top_k and
 * min_p off. A line without a seed gets one derived from its id (FNV-1a over its UTF-8 bytes), so
 * that replaying a request after a failure gives the same tokens; a line without an id is called
 * "line-N".
 */
public final class RequestParser {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Tokenizer tokenizer;
    private final int contextLength;

    public RequestParser(Tokenizer tokenizer, int contextLength) {
        this.tokenizer = tokenizer;
        this.contextLength = contextLength;
    }

    /** Parses line {@code lineNumber} (1-based, used to name lines without a readable id). */
    public ParsedLine parse(String line, int lineNumber) {
        String fallbackId = "line " + lineNumber;
        JsonNode root;
        try {
            root = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            return bad(lineNumber, fallbackId, LineFormat.PLAIN, null, "not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            return bad(lineNumber, fallbackId, LineFormat.PLAIN, null, "expected a JSON object");
        }
        boolean openAi = root.has("custom_id") || root.has("body");
        LineFormat format = openAi ? LineFormat.OPENAI_BATCH : LineFormat.PLAIN;
        JsonNode idNode = root.get(openAi ? "custom_id" : "id");
        String id = idNode != null && idNode.isTextual() ? idNode.asText() : null;
        String name = id != null ? id : fallbackId;
        JsonNode fields = root;
        String model = null;
        try {
            if (idNode != null && id == null) {
                throw new IllegalArgumentException((openAi ? "custom_id" : "id") + " must be a string");
            }
            if (openAi) {
                fields = openAiBody(root, id);
                model = optionalText(fields, "model");
            }
            Request request = request(id != null ? id : "line-" + lineNumber, fields);
            return new ParsedLine(lineNumber, name, format, model, request, null);
        } catch (IllegalArgumentException e) {
            return bad(lineNumber, name, format, model, e.getMessage());
        }
    }

    private static JsonNode openAiBody(JsonNode root, String id) {
        if (id == null) {
            throw new IllegalArgumentException("custom_id is missing");
        }
        String method = optionalText(root, "method");
        if (method != null && !method.equals("POST")) {
            throw new IllegalArgumentException("method must be POST, got " + method);
        }
        String url = optionalText(root, "url");
        if (url != null && !url.equals("/v1/completions")) {
            throw new IllegalArgumentException("url " + url + " is not supported; use /v1/completions");
        }
        JsonNode body = root.get("body");
        if (body == null || !body.isObject()) {
            throw new IllegalArgumentException("body must be a JSON object");
        }
        return body;
    }

    private Request request(String id, JsonNode f) {
        int[] prompt = prompt(f);
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt is empty");
        }
        for (int t : prompt) {
            if (t < 0 || t >= tokenizer.vocabularySize()) {
                throw new IllegalArgumentException("prompt token id " + t + " is outside the vocabulary (0.."
                        + (tokenizer.vocabularySize() - 1) + ")");
            }
        }
        if (prompt.length >= contextLength) {
            throw new IllegalArgumentException("the prompt has " + prompt.length + " tokens; the model's context length is "
                    + contextLength);
        }
        SamplingParams params = new SamplingParams(
                intField(f, "max_tokens", SamplingParams.DEFAULT_MAX_TOKENS),
                (float) numberField(f, "temperature", 1.0),
                intField(f, "top_k", 0),
                (float) numberField(f, "top_p", 1.0),
                (float) numberField(f, "min_p", 0.0),
                f.has("seed") ? longField(f, "seed") : seedFor(id),
                intList(f, "stop_token_ids"),
                stopStrings(f),
                booleanField(f, "ignore_eos"),
                logprobs(f));
        return new Request(id, prompt, params, optionalText(f, "lora"));
    }

    private int[] prompt(JsonNode f) {
        JsonNode text = f.get("prompt");
        JsonNode ids = f.get("prompt_token_ids");
        if ((text == null) == (ids == null)) {
            throw new IllegalArgumentException(text == null ? "the line has no prompt (\"prompt\" or \"prompt_token_ids\")"
                    : "give \"prompt\" or \"prompt_token_ids\", not both");
        }
        if (text != null && text.isTextual()) {
            return tokenizer.encode(text.asText(), true);
        }
        // The OpenAI API also takes a prompt as a list of token ids.
        String name = text != null ? "prompt" : "prompt_token_ids";
        JsonNode array = text != null ? text : ids;
        if (!array.isArray()) {
            throw new IllegalArgumentException(name + " must be " + (text != null ? "a string or " : "") + "a list of token ids");
        }
        return intList(f, name).stream().mapToInt(Integer::intValue).toArray();
    }

    private static List<String> stopStrings(JsonNode f) {
        JsonNode stop = f.get("stop");
        if (stop == null || stop.isNull()) {
            return List.of();
        }
        if (stop.isTextual()) {
            return List.of(stop.asText());
        }
        List<String> out = new ArrayList<>();
        if (stop.isArray()) {
            for (JsonNode s : stop) {
                if (!s.isTextual()) {
                    throw new IllegalArgumentException("stop must be a string or a list of strings");
                }
                out.add(s.asText());
            }
            return out;
        }
        throw new IllegalArgumentException("stop must be a string or a list of strings");
    }

    /** OpenAI's logprobs is a count of top alternatives; any positive count asks for the chosen token's. */
    private static boolean logprobs(JsonNode f) {
        JsonNode n = f.get("logprobs");
        if (n == null || n.isNull()) {
            return false;
        }
        if (n.isBoolean()) {
            return n.asBoolean();
        }
        if (n.isIntegralNumber() && n.asInt() >= 0) {
            return n.asInt() > 0;
        }
        throw new IllegalArgumentException("logprobs must be a boolean or a non-negative integer");
    }

    private static int intField(JsonNode f, String name, int fallback) {
        JsonNode n = f.get(name);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new IllegalArgumentException(name + " must be an integer, got " + n);
        }
        return n.asInt();
    }

    private static long longField(JsonNode f, String name) {
        JsonNode n = f.get(name);
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new IllegalArgumentException(name + " must be an integer, got " + n);
        }
        return n.asLong();
    }

    private static double numberField(JsonNode f, String name, double fallback) {
        JsonNode n = f.get(name);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isNumber()) {
            throw new IllegalArgumentException(name + " must be a number, got " + n);
        }
        return n.asDouble();
    }

    private static boolean booleanField(JsonNode f, String name) {
        JsonNode n = f.get(name);
        if (n == null || n.isNull()) {
            return false;
        }
        if (!n.isBoolean()) {
            throw new IllegalArgumentException(name + " must be true or false, got " + n);
        }
        return n.asBoolean();
    }

    private static List<Integer> intList(JsonNode f, String name) {
        JsonNode n = f.get(name);
        if (n == null || n.isNull()) {
            return List.of();
        }
        if (!n.isArray()) {
            throw new IllegalArgumentException(name + " must be a list of integers");
        }
        List<Integer> out = new ArrayList<>();
        for (JsonNode v : n) {
            if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                throw new IllegalArgumentException(name + " must be a list of integers, found " + v);
            }
            out.add(v.asInt());
        }
        return out;
    }

    private static String optionalText(JsonNode f, String name) {
        JsonNode n = f.get(name);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new IllegalArgumentException(name + " must be a string, got " + n);
        }
        return n.asText();
    }

    /** FNV-1a, 64 bits, over the id's UTF-8 bytes: stable across JVMs and runs. */
    public static long seedFor(String id) {
        long h = 0xcbf29ce484222325L;
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    private static ParsedLine bad(int lineNumber, String id, LineFormat format, String model, String problem) {
        return new ParsedLine(lineNumber, id, format, model, null, problem);
    }
}
