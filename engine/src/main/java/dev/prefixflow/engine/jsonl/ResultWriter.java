package dev.prefixflow.engine.jsonl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.prefixflow.engine.RequestResult;
import dev.prefixflow.tokenizer.Tokenizer;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.UUID;

/**
 * Writes one output line per input line, in the input line's format: PrefixFlow result records,
 * or the OpenAI batch output format ({@code {"id", "custom_id", "response": {"status_code",
 * "request_id", "body": text_completion | chat.completion}, "error"}}, with {@code response} null on
 * error). A request with n > 1 gets n choices: OpenAI's {@code choices} list, and in records the first
 * choice's fields as for n = 1 plus {@code choices} (each with index, token_ids, text, finish_reason and
 * its logprobs); completion_tokens counts every choice's tokens.
 */
public final class ResultWriter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BAD_LINE = "invalid_request_error";

    private final long createdEpochSeconds;
    private final LogprobsJson logprobsJson;

    /**
     * @param createdEpochSeconds the "created" time of OpenAI completion objects
     * @param tokenizer the model's, for the token texts of logprobs
     */
    public ResultWriter(long createdEpochSeconds, Tokenizer tokenizer) {
        this.createdEpochSeconds = createdEpochSeconds;
        this.logprobsJson = new LogprobsJson(tokenizer);
    }

    /** The output line of a bad input line. */
    public String badLine(ParsedLine line) {
        return write(line, List.of(), new RequestResult.Error(line.problem(), BAD_LINE));
    }

    /** The output line of a request the engine answered (possibly with an error). */
    public String result(ParsedLine line, RequestResult result) {
        return result(line, List.of(result));
    }

    /** The output line of an answer: a rejected line's problem, or its choices'. */
    public String result(Answer answer) {
        return answer.line().isBad() ? badLine(answer.line()) : result(answer.line(), answer.choices());
    }

    public String result(ParsedLine line, List<RequestResult> choices) {
        RequestResult.Error error = choices.stream().map(RequestResult::error).filter(e -> e != null).findFirst()
                .orElse(null);
        return write(line, choices, error);
    }

    private String write(ParsedLine line, List<RequestResult> choices, RequestResult.Error error) {
        ObjectNode node = line.format() == LineFormat.PLAIN ? plain(line, choices, error)
                : openAi(line, choices, error);
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ObjectNode plain(ParsedLine line, List<RequestResult> choices, RequestResult.Error error) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", line.id());
        if (!choices.isEmpty()) {
            RequestResult r = choices.get(0);
            node.set("prompt_token_ids", JSON.valueToTree(r.promptTokenIds()));
            node.set("token_ids", JSON.valueToTree(r.tokenIds()));
            node.put("text", r.text());
            node.put("finish_reason", r.finishReason() == null ? null : r.finishReason().apiName());
            ObjectNode usage = node.putObject("usage");
            usage.put("prompt_tokens", r.usage().promptTokens());
            usage.put("cached_tokens", r.usage().cachedTokens());
            usage.put("tier_cached_tokens", r.usage().tierCachedTokens());
            usage.put("completion_tokens", completionTokens(choices));
            ObjectNode timings = node.putObject("timings");
            timings.put("queued_ms", r.timings().queuedMs());
            timings.put("ttft_ms", r.timings().ttftMs());
            timings.put("e2e_ms", r.timings().e2eMs());
            recordLogprobs(node, r);
            if (choices.size() > 1) {
                ArrayNode all = node.putArray("choices");
                for (int i = 0; i < choices.size(); i++) {
                    RequestResult c = choices.get(i);
                    ObjectNode choice = all.addObject();
                    choice.put("index", i);
                    choice.set("token_ids", JSON.valueToTree(c.tokenIds()));
                    choice.put("text", c.text());
                    choice.put("finish_reason", c.finishReason() == null ? null : c.finishReason().apiName());
                    recordLogprobs(choice, c);
                }
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

    private void recordLogprobs(ObjectNode node, RequestResult r) {
        if (r.logprobs() != null) {
            node.set("logprobs", JSON.valueToTree(r.logprobs()));
        }
        if (r.topLogprobs() != null) {
            node.set("top_logprobs", logprobsJson.record(r));
        }
    }

    private static int completionTokens(List<RequestResult> choices) {
        return choices.stream().mapToInt(c -> c.usage().completionTokens()).sum();
    }

    private ObjectNode openAi(ParsedLine line, List<RequestResult> choices, RequestResult.Error error) {
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
        ArrayNode all = body.putArray("choices");
        for (int i = 0; i < choices.size(); i++) {
            RequestResult c = choices.get(i);
            ObjectNode choice = all.addObject();
            choice.put("index", i);
            if (chat) {
                ObjectNode message = choice.putObject("message");
                message.put("role", "assistant");
                message.put("content", c.text());
            } else {
                choice.put("text", c.text());
            }
            choice.put("finish_reason", c.finishReason().apiName());
            choice.set("logprobs", chat ? logprobsJson.chat(c) : logprobsJson.completion(c));
        }
        RequestResult r = choices.get(0);
        ObjectNode usage = body.putObject("usage");
        usage.put("prompt_tokens", r.usage().promptTokens());
        usage.put("completion_tokens", completionTokens(choices));
        usage.put("total_tokens", r.usage().promptTokens() + completionTokens(choices));
        usage.putObject("prompt_tokens_details").put("cached_tokens", r.usage().cachedTokens());
        node.putNull("error");
        return node;
    }
}
