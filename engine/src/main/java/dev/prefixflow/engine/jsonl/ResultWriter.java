package dev.prefixflow.engine.jsonl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prefixflow.engine.RequestResult;
import java.io.UncheckedIOException;
import java.util.UUID;

/**
 * Writes one output line per input line, in the input line's format: PrefixFlow result records,
 * or the OpenAI batch output format ({@code {"id", "custom_id", "response": {"status_code",
 * "request_id", "body": text_completion | chat.completion}, "error"}}, with {@code response} null on
 * error).
 */
public final class ResultWriter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BAD_LINE = "invalid_request_error";

    private final long createdEpochSeconds;

    /** @param createdEpochSeconds the "created" time of OpenAI completion objects */
    public ResultWriter(long createdEpochSeconds) {
        this.createdEpochSeconds = createdEpochSeconds;
    }

    /** The output line of a bad input line. */
    public String badLine(ParsedLine line) {
        return write(line, null, new RequestResult.Error(line.problem(), BAD_LINE));
    }

    /** The output line of a request the engine answered (possibly with an error). */
    public String result(ParsedLine line, RequestResult result) {
        return write(line, result, result.error());
    }

    private String write(ParsedLine line, RequestResult result, RequestResult.Error error) {
        ObjectNode node = line.format() == LineFormat.PLAIN ? plain(line, result, error)
                : openAi(line, result, error);
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode plain(ParsedLine line, RequestResult r, RequestResult.Error error) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", line.id());
        if (r != null) {
            node.set("prompt_token_ids", JSON.valueToTree(r.promptTokenIds()));
            node.set("token_ids", JSON.valueToTree(r.tokenIds()));
            node.put("text", r.text());
            node.put("finish_reason", r.finishReason() == null ? null : r.finishReason().apiName());
            ObjectNode usage = node.putObject("usage");
            usage.put("prompt_tokens", r.usage().promptTokens());
            usage.put("cached_tokens", r.usage().cachedTokens());
            usage.put("tier_cached_tokens", r.usage().tierCachedTokens());
            usage.put("completion_tokens", r.usage().completionTokens());
            ObjectNode timings = node.putObject("timings");
            timings.put("queued_ms", r.timings().queuedMs());
            timings.put("ttft_ms", r.timings().ttftMs());
            timings.put("e2e_ms", r.timings().e2eMs());
            if (r.logprobs() != null) {
                node.set("logprobs", JSON.valueToTree(r.logprobs()));
            }
        }
        if (error == null) {
            node.putNull("error");
        } else {
            ObjectNode e = node.putObject("error");
            e.put("message", error.message());
            e.put("type", error.type());
        }
        return node;
    }

    private ObjectNode openAi(ParsedLine line, RequestResult r, RequestResult.Error error) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", "batch_req_" + UUID.randomUUID().toString().replace("-", ""));
        node.put("custom_id", line.id());
        if (error != null) {
            node.putNull("response");
            ObjectNode e = node.putObject("error");
            e.put("code", error.type());
            e.put("message", error.message());
            return node;
        }
        ObjectNode response = node.putObject("response");
        response.put("status_code", 200);
        String requestId = "req_" + UUID.randomUUID().toString().replace("-", "");
        response.put("request_id", requestId);
        ObjectNode body = response.putObject("body");
        boolean chat = line.format() == LineFormat.OPENAI_CHAT;
        body.put("id", (chat ? "chatcmpl-" : "cmpl-") + requestId.substring(4));
        body.put("object", chat ? "chat.completion" : "text_completion");
        body.put("created", createdEpochSeconds);
        body.put("model", line.model());
        ObjectNode choice = body.putArray("choices").addObject();
        choice.put("index", 0);
        if (chat) {
            ObjectNode message = choice.putObject("message");
            message.put("role", "assistant");
            message.put("content", r.text());
        } else {
            choice.put("text", r.text());
        }
        choice.put("finish_reason", r.finishReason().apiName());
        choice.putNull("logprobs");
        ObjectNode usage = body.putObject("usage");
        usage.put("prompt_tokens", r.usage().promptTokens());
        usage.put("completion_tokens", r.usage().completionTokens());
        usage.put("total_tokens", r.usage().totalTokens());
        usage.putObject("prompt_tokens_details").put("cached_tokens", r.usage().cachedTokens());
        node.putNull("error");
        return node;
    }
}
