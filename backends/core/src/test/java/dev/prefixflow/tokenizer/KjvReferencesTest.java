package dev.prefixflow.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prefixflow.testing.TestModels;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Prompt tokenization and completion text against models/kjv-references.json, where a completion's
 * {@code text} is what its generated tokens add to the decoded prompt.
 */
class KjvReferencesTest {

    private static Tokenizer tokenizer;
    private static JsonNode prompts;

    @BeforeAll
    static void load() throws IOException {
        tokenizer = KjvTokenizer.load();
        prompts = new ObjectMapper().readTree(TestModels.path("kjv-references.json").toFile()).get("prompts");
        assertTrue(prompts.size() > 5, "expected the reference prompts");
    }

    @Test
    void promptsEncodeToReferenceIdsWithBos() {
        assertTrue(tokenizer.addsBos());
        for (JsonNode prompt : prompts) {
            assertArrayEquals(ids(prompt.get("prompt_token_ids")), tokenizer.encode(prompt.get("text").asText(), true),
                    prompt.get("name").asText());
        }
    }

    @Test
    void generatedTokensAddTheReferenceText() {
        int checked = 0;
        for (JsonNode prompt : prompts) {
            int[] promptIds = ids(prompt.get("prompt_token_ids"));
            String promptText = tokenizer.decode(promptIds);
            for (Iterator<Map.Entry<String, JsonNode>> files = prompt.get("greedy").fields(); files.hasNext(); checked++) {
                Map.Entry<String, JsonNode> file = files.next();
                int[] all = concat(promptIds, ids(file.getValue().get("token_ids")));
                String full = tokenizer.decode(all);
                String where = prompt.get("name").asText() + " / " + file.getKey();
                assertTrue(full.startsWith(promptText), where);
                assertEquals(file.getValue().get("text").asText(), full.substring(promptText.length()), where);
            }
        }
        assertTrue(checked > 0);
    }

    @Test
    void incrementalDecoderPrimedWithPromptStreamsTheReferenceText() {
        for (JsonNode prompt : prompts) {
            for (Iterator<Map.Entry<String, JsonNode>> files = prompt.get("greedy").fields(); files.hasNext(); ) {
                Map.Entry<String, JsonNode> file = files.next();
                IncrementalDecoder decoder = tokenizer.decoder();
                for (int id : ids(prompt.get("prompt_token_ids"))) {
                    decoder.next(id);
                }
                StringBuilder completion = new StringBuilder();
                for (int id : ids(file.getValue().get("token_ids"))) {
                    completion.append(decoder.next(id));
                }
                completion.append(decoder.flush());
                assertEquals(file.getValue().get("text").asText(), completion.toString(),
                        prompt.get("name").asText() + " / " + file.getKey());
            }
        }
    }

    private static int[] ids(JsonNode array) {
        return IntStream.range(0, array.size()).map(i -> array.get(i).asInt()).toArray();
    }

    private static int[] concat(int[] a, int[] b) {
        return IntStream.concat(IntStream.of(a), IntStream.of(b)).toArray();
    }
}
