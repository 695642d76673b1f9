package dev.prefixflow.engine.jsonl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prefixflow.engine.RequestResult;
import dev.prefixflow.sampling.TopLogprobs;
import dev.prefixflow.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;

/** A result's log-probabilities in OpenAI's shapes: chat's {@code content} list and completions' columns. */
final class LogprobsJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Tokenizer tokenizer;

    LogprobsJson(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** {@code {"content": [{"token", "logprob", "bytes", "top_logprobs": [...]}]}}, or null when not asked for. */
    JsonNode chat(RequestResult r) {
        if (r.logprobs() == null) {
            return JSON.nullNode();
        }
        ArrayNode content = JSON.createArrayNode();
        for (int i = 0; i < r.tokenIds().length; i++) {
            int before = before(r, i);
            ObjectNode entry = token(before, r.tokenIds()[i], r.logprobs()[i]);
            ArrayNode top = entry.putArray("top_logprobs");
            if (r.topLogprobs() != null) {
                TopLogprobs t = r.topLogprobs().get(i);
                for (int k = 0; k < t.ids().length; k++) {
                    top.add(token(before, t.ids()[k], t.logprobs()[k]));
                }
            }
            content.add(entry);
        }
        ObjectNode out = JSON.createObjectNode();
        out.set("content", content);
        return out;
    }

    /** {@code {"tokens", "token_logprobs", "top_logprobs": [{token: logprob}], "text_offset"}}, or null. */
    JsonNode completion(RequestResult r) {
        if (r.logprobs() == null) {
            return JSON.nullNode();
        }
        ObjectNode out = JSON.createObjectNode();
        ArrayNode tokens = out.putArray("tokens");
        ArrayNode logprobs = out.putArray("token_logprobs");
        ArrayNode top = out.putArray("top_logprobs");
        ArrayNode offsets = out.putArray("text_offset");
        int offset = 0;
        for (int i = 0; i < r.tokenIds().length; i++) {
            int before = before(r, i);
            String text = text(before, r.tokenIds()[i]);
            tokens.add(text);
            logprobs.add(r.logprobs()[i]);
            offsets.add(offset);
            offset += text.length();
            if (r.topLogprobs() == null) {
                top.addNull();
            } else {
                ObjectNode alternatives = top.addObject();
                TopLogprobs t = r.topLogprobs().get(i);
                for (int k = 0; k < t.ids().length; k++) {
                    alternatives.put(text(before, t.ids()[k]), t.logprobs()[k]);
                }
            }
        }
        return out;
    }

    /** PrefixFlow records: per position, the alternatives' ids and log-probabilities. */
    JsonNode record(RequestResult r) {
        ArrayNode out = JSON.createArrayNode();
        for (TopLogprobs t : r.topLogprobs()) {
            ArrayNode position = out.addArray();
            for (int k = 0; k < t.ids().length; k++) {
                position.addObject().put("token_id", t.ids()[k]).put("logprob", t.logprobs()[k]);
            }
        }
        return out;
    }

    private ObjectNode token(int before, int id, float logprob) {
        String text = text(before, id);
        ObjectNode node = JSON.createObjectNode();
        node.put("token", text);
        node.put("logprob", logprob);
        ArrayNode bytes = node.putArray("bytes");
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            bytes.add(b & 0xff);
        }
        return node;
    }

    /** The token before position {@code i} of the completion: the previous one, or the prompt's last. */
    private static int before(RequestResult r, int i) {
        return i > 0 ? r.tokenIds()[i - 1] : r.promptTokenIds()[r.promptTokenIds().length - 1];
    }

    /**
     * The text {@code id} adds after {@code before}: decoded in context, so that a SentencePiece token
     * keeps the space it starts with (alone it would count as the start of the text and lose it).
     */
    private String text(int before, int id) {
        String context = tokenizer.decode(new int[] {before});
        String both = tokenizer.decode(new int[] {before, id});
        return both.startsWith(context) ? both.substring(context.length()) : tokenizer.decode(new int[] {id});
    }
}
