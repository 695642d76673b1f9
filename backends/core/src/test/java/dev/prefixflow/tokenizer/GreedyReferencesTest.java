package dev.prefixflow.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prefixflow.generate.CompletionText;
import dev.prefixflow.sampling.SamplingParams;
import dev.prefixflow.testing.TestModels;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Prompt tokenization and completion text against each test model's greedy references, where a
 * completion's {@code text} is what its generated tokens add to the decoded prompt.
 */
class GreedyReferencesTest {

    /** @param addsBos whether the reference prompt ids start with BOS */
    private record References(String file, Tokenizer tokenizer, JsonNode prompts, boolean addsBos) {
        @Override
        public String toString() {
            return file;
        }
    }

    static Stream<References> references() throws IOException {
        return Stream.of(
                new References("kjv-references.json", TestTokenizers.kjv(), prompts("kjv-references.json"), true),
                new References("qwen2-bpe-references.json", TestTokenizers.gpt2(), prompts("qwen2-bpe-references.json"),
                        false));
    }

    private static JsonNode prompts(String file) throws IOException {
        JsonNode prompts = new ObjectMapper().readTree(TestModels.path(file).toFile()).get("prompts");
        assertTrue(prompts.size() > 5, "expected the reference prompts of " + file);
        return prompts;
    }

    @ParameterizedTest
    @MethodSource("references")
    void promptsEncodeToReferenceIds(References refs) {
        assertEquals(refs.addsBos(), refs.tokenizer().addsBos());
        for (JsonNode prompt : refs.prompts()) {
            assertArrayEquals(ids(prompt.get("prompt_token_ids")), refs.tokenizer().encode(prompt.get("text").asText(), true),
                    prompt.get("name").asText());
        }
    }

    @ParameterizedTest
    @MethodSource("references")
    void generatedTokensAddTheReferenceText(References refs) {
        Tokenizer tokenizer = refs.tokenizer();
        int checked = 0;
        for (JsonNode prompt : refs.prompts()) {
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

    /** The engine's path: a {@link CompletionText} primed with the prompt, fed the generated ids. */
    @ParameterizedTest
    @MethodSource("references")
    void completionTextIsTheReferenceText(References refs) {
        int checked = 0;
        for (JsonNode prompt : refs.prompts()) {
            int[] promptIds = ids(prompt.get("prompt_token_ids"));
            for (Iterator<Map.Entry<String, JsonNode>> files = prompt.get("greedy").fields(); files.hasNext(); checked++) {
                Map.Entry<String, JsonNode> file = files.next();
                int[] generated = ids(file.getValue().get("token_ids"));
                CompletionText completion = new CompletionText(refs.tokenizer(),
                        SamplingParams.greedy(generated.length).withIgnoreEos(true), promptIds, Integer.MAX_VALUE);
                for (int id : generated) {
                    completion.append(id);
                }
                assertTrue(completion.finished());
                assertEquals(file.getValue().get("text").asText(), completion.text(),
                        prompt.get("name").asText() + " / " + file.getKey());
            }
        }
        assertTrue(checked > 0);
    }

    private static int[] ids(JsonNode array) {
        return IntStream.range(0, array.size()).map(i -> array.get(i).asInt()).toArray();
    }

    private static int[] concat(int[] a, int[] b) {
        return IntStream.concat(IntStream.of(a), IntStream.of(b)).toArray();
    }
}
