package dev.prefixflow.engine.jsonl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.prefixflow.chat.ChatFormat;
import dev.prefixflow.chat.ChatTemplateException;
import dev.prefixflow.engine.Request;
import dev.prefixflow.sampling.Penalties;
import dev.prefixflow.sampling.SamplingParams;
import dev.prefixflow.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads request lines: PrefixFlow records ({@code {"id", "prompt" | "prompt_token_ids" | "messages",
 * "max_tokens", "temperature", "top_p", "top_k", "min_p", "seed", "stop", "stop_token_ids",
 * "ignore_eos", "logprobs", "lora", "split_special_tokens"}}, and for messages "add_generation_prompt",
 * "continue_final_message", "chat_template_kwargs") and OpenAI batch lines ({@code {"custom_id",
 * "method": "POST", "url": "/v1/completions" | "/v1/chat/completions", "body": {"model", "prompt" |
 * "messages", same sampling fields}}}). Messages are rendered with the model's chat template and
 * tokenized with special tokens parsed and no BOS added (the template writes its own); raw prompts
 * parse special tokens too unless "split_special_tokens" is true. An output constraint is read by
 * {@link StructuredOutputsFields}. A bad line becomes a
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

    /** Body fields that would change the answer and are not supported, with the value that means "off". */
    private static final Map<String, String> UNSUPPORTED = Map.ofEntries(
            Map.entry("best_of", "1"), Map.entry("logit_bias", "{}"), Map.entry("tools", "[]"),
            Map.entry("tool_choice", "\"none\""), Map.entry("functions", "[]"), Map.entry("function_call", "\"none\""),
            Map.entry("stream", "false"), Map.entry("echo", "false"), Map.entry("suffix", "\"\""),
            Map.entry("prompt_logprobs", "0"), Map.entry("min_tokens", "0"), Map.entry("use_beam_search", "false"),
            Map.entry("length_penalty", "1"), Map.entry("skip_special_tokens", "true"),
            Map.entry("include_stop_str_in_output", "false"), Map.entry("truncate_prompt_tokens", "null"),
            Map.entry("audio", "null"), Map.entry("modalities", "[\"text\"]"), Map.entry("prediction", "null"),
            Map.entry("reasoning_effort", "null"), Map.entry("parallel_tool_calls", "true"),
            Map.entry("chat_template", "null"));

    private final Tokenizer tokenizer;
    private final int contextLength;
    private final ChatFormat chat;

    /** A parser for a model without a chat template: lines with messages get an error. */
    public RequestParser(Tokenizer tokenizer, int contextLength) {
        this(tokenizer, contextLength, ChatFormat.of((String) null, tokenizer));
    }

    public RequestParser(Tokenizer tokenizer, int contextLength, ChatFormat chat) {
        this.tokenizer = tokenizer;
        this.contextLength = contextLength;
        this.chat = chat;
    }

    /** Parses line {@code lineNumber} (1-based, used to name lines without a readable id). */
    public ParsedLine parse(String line, int lineNumber) {
        JsonNode root;
        try {
            root = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            return bad(lineNumber, "line " + lineNumber, LineFormat.PLAIN, null,
                    "not valid JSON: " + e.getOriginalMessage(), false);
        }
        return parse(root, lineNumber);
    }

    /** Parses a line already read as JSON (the SQL provider builds its rows' requests this way). */
    public ParsedLine parse(JsonNode root, int lineNumber) {
        String fallbackId = "line " + lineNumber;
        if (root == null || !root.isObject()) {
            return bad(lineNumber, fallbackId, LineFormat.PLAIN, null, "expected a JSON object", false);
        }
        boolean openAi = root.has("custom_id") || root.has("body");
        LineFormat format = !openAi ? LineFormat.PLAIN
                : "/v1/chat/completions".equals(root.path("url").asText(null)) ? LineFormat.OPENAI_CHAT
                : LineFormat.OPENAI_BATCH;
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
                checkUnsupported(fields);
            }
            Request request = request(id != null ? id : "line-" + lineNumber, fields, format);
            return new ParsedLine(lineNumber, name, format, model, request, null, id != null);
        } catch (IllegalArgumentException e) {
            return bad(lineNumber, name, format, model, e.getMessage(), id != null);
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
        if (url != null && !url.equals("/v1/completions") && !url.equals("/v1/chat/completions")) {
            throw new IllegalArgumentException("url " + url + " is not supported; use /v1/completions or"
                    + " /v1/chat/completions");
        }
        JsonNode body = root.get("body");
        if (body == null || !body.isObject()) {
            throw new IllegalArgumentException("body must be a JSON object");
        }
        return body;
    }

    private static void checkUnsupported(JsonNode body) {
        for (Map.Entry<String, String> field : UNSUPPORTED.entrySet()) {
            JsonNode value = body.get(field.getKey());
            if (value != null && !value.isNull() && !isOff(value, field.getValue())) {
                throw new IllegalArgumentException(field.getKey() + " is not supported (only " + field.getValue() + ")");
            }
        }
    }

    private static boolean isOff(JsonNode value, String off) {
        try {
            JsonNode offValue = JSON.readTree(off);
            return value.equals(offValue) || (value.isNumber() && offValue.isNumber()
                    && value.asDouble() == offValue.asDouble()) || (value.isContainerNode() && value.isEmpty()
                    && offValue.isContainerNode());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private Request request(String id, JsonNode f, LineFormat format) {
        int[] prompt = prompt(f, format);
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
                maxTokens(f),
                (float) numberField(f, "temperature", 1.0),
                intField(f, "top_k", 0),
                (float) numberField(f, "top_p", 1.0),
                (float) numberField(f, "min_p", 0.0),
                f.has("seed") ? longField(f, "seed") : seedFor(id),
                intList(f, "stop_token_ids"),
                stopStrings(f),
                booleanField(f, "ignore_eos"),
                logprobs(f),
                topLogprobs(f, format),
                new Penalties((float) numberField(f, "presence_penalty", 0.0),
                        (float) numberField(f, "frequency_penalty", 0.0),
                        (float) numberField(f, "repetition_penalty", 1.0)),
                intField(f, "n", 1));
        return new Request(id, prompt, params, optionalText(f, "lora"), StructuredOutputsFields.read(f));
    }

    /** OpenAI's chat API renamed max_tokens to max_completion_tokens; both are read. */
    private static int maxTokens(JsonNode f) {
        if (f.hasNonNull("max_tokens") && f.hasNonNull("max_completion_tokens")) {
            throw new IllegalArgumentException("give max_tokens or max_completion_tokens, not both");
        }
        return intField(f, f.hasNonNull("max_completion_tokens") ? "max_completion_tokens" : "max_tokens",
                SamplingParams.DEFAULT_MAX_TOKENS);
    }

    private int[] prompt(JsonNode f, LineFormat format) {
        JsonNode text = f.get("prompt");
        JsonNode ids = f.get("prompt_token_ids");
        JsonNode messages = f.get("messages");
        int given = (text != null ? 1 : 0) + (ids != null ? 1 : 0) + (messages != null ? 1 : 0);
        if (format == LineFormat.OPENAI_CHAT && messages == null) {
            throw new IllegalArgumentException("a /v1/chat/completions body needs \"messages\"");
        }
        if (format == LineFormat.OPENAI_BATCH && messages != null) {
            throw new IllegalArgumentException("\"messages\" belong to /v1/chat/completions, not /v1/completions");
        }
        if (given != 1) {
            throw new IllegalArgumentException(given == 0
                    ? "the line has no prompt (\"prompt\", \"prompt_token_ids\" or \"messages\")"
                    : "give one of \"prompt\", \"prompt_token_ids\" and \"messages\", not several");
        }
        boolean parseSpecial = !booleanField(f, "split_special_tokens");
        if (messages != null) {
            return tokenizer.encode(chatPrompt(f, messages), false, parseSpecial);
        }
        if (text != null && text.isTextual()) {
            return tokenizer.encode(text.asText(), true, parseSpecial);
        }
        // The OpenAI API also takes a prompt as a list of token ids.
        String name = text != null ? "prompt" : "prompt_token_ids";
        JsonNode array = text != null ? text : ids;
        if (!array.isArray()) {
            throw new IllegalArgumentException(name + " must be " + (text != null ? "a string or " : "") + "a list of token ids");
        }
        return intList(f, name).stream().mapToInt(Integer::intValue).toArray();
    }

    private String chatPrompt(JsonNode f, JsonNode messages) {
        JsonNode kwargs = f.get("chat_template_kwargs");
        if (kwargs != null && !kwargs.isNull() && !kwargs.isObject()) {
            throw new IllegalArgumentException("chat_template_kwargs must be an object, got " + kwargs);
        }
        Map<String, Object> extra = kwargs == null || kwargs.isNull() ? Map.of()
                : JSON.convertValue(kwargs, new TypeReference<Map<String, Object>>() {});
        boolean addGenerationPrompt = !f.has("add_generation_prompt") || booleanField(f, "add_generation_prompt");
        try {
            return chat.render(ChatMessages.read(messages), addGenerationPrompt,
                    booleanField(f, "continue_final_message"), extra);
        } catch (ChatTemplateException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
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

    /**
     * How many alternatives to report per token: chat requests and records name it top_logprobs (with
     * logprobs true); OpenAI's /v1/completions gives it as the logprobs count itself.
     */
    private static int topLogprobs(JsonNode f, LineFormat format) {
        if (format == LineFormat.OPENAI_BATCH) {
            if (f.hasNonNull("top_logprobs")) {
                throw new IllegalArgumentException("top_logprobs belongs to /v1/chat/completions; /v1/completions"
                        + " takes the count as logprobs");
            }
            JsonNode n = f.get("logprobs");
            return n != null && n.isIntegralNumber() ? n.asInt() : 0;
        }
        return intField(f, "top_logprobs", 0);
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

    private static ParsedLine bad(int lineNumber, String id, LineFormat format, String model, String problem,
                                  boolean identified) {
        return new ParsedLine(lineNumber, id, format, model, null, problem, identified);
    }
}
