package dev.prefixflow.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prefixflow.gguf.GgufFile;
import dev.prefixflow.gguf.GgufFormatException;
import dev.prefixflow.testing.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * llama.cpp's own tokenizer cases ({@code models/ggml-vocab-*.gguf.inp/.out}, the ids its
 * test-tokenizer-0 expects without BOS) for every vocabulary of its source tree that PrefixFlow
 * reads, on excerpts of those vocabularies ({@link VocabularyExcerpt}) written back as
 * vocabulary-only GGUF files (no tensors, their own architecture names) and loaded as the engine
 * loads a model's tokenizer.
 */
class LlamaCppVocabularyCasesTest {

    /** Every llama.cpp vocabulary with cases whose tokenizer model PrefixFlow reads. */
    private static final List<String> VOCABULARIES = List.of("bert-bge", "command-r", "deepseek-coder", "deepseek-llm", "falcon",
            "gemma-4", "gpt-2", "llama-bpe", "llama-spm", "mpt", "phi-3", "qwen2", "qwen35", "refact", "starcoder");

    static Stream<String> vocabularies() {
        return VOCABULARIES.stream();
    }

    private static VocabularyExcerpt excerpt(String name) throws IOException {
        return VocabularyExcerpt.read(TestModels.path("tokenizer-vocabs/" + name + ".json"));
    }

    private static Tokenizer load(VocabularyExcerpt excerpt, Path dir) throws IOException {
        try (GgufFile file = GgufFile.open(excerpt.writeGguf(dir.resolve("vocab.gguf")))) {
            assertTrue(file.tensors().isEmpty());
            return TokenizerLoader.fromGguf(file);
        }
    }

    /** The cases whose ids differ from llama.cpp's, described. */
    private static List<String> mismatches(Tokenizer tokenizer, List<VocabularyExcerpt.Case> cases) {
        List<String> failures = new ArrayList<>();
        for (VocabularyExcerpt.Case c : cases) {
            int[] actual = tokenizer.encode(c.text(), false);
            if (!Arrays.equals(c.ids(), actual)) {
                failures.add("'" + c.text().replace("\n", "\\n") + "': expected " + Arrays.toString(c.ids())
                        + " got " + Arrays.toString(actual));
            }
        }
        return failures;
    }

    @Test
    void everyVocabularyOfTheSourceTreeWithCasesIsHere() throws IOException {
        try (Stream<Path> files = Files.list(TestModels.path("tokenizer-vocabs/README.md").getParent())) {
            assertEquals(VOCABULARIES, files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".json")).map(n -> n.substring(0, n.length() - 5)).sorted().toList());
        }
    }

    @ParameterizedTest
    @MethodSource("vocabularies")
    void encodesEveryCaseAsLlamaCppDoes(String name, @TempDir Path dir) throws IOException {
        VocabularyExcerpt excerpt = excerpt(name);
        List<VocabularyExcerpt.Case> cases = excerpt.cases();
        assertTrue(cases.size() >= 46, name + ": expected llama.cpp's full case list, got " + cases.size());
        assertEquals(List.of(), mismatches(load(excerpt, dir), cases));
    }

    /** A name llama.cpp does not map onto these splits fails, naming the key, where it is and what is accepted. */
    @Test
    void unknownPreTokenizerIsAFormatErrorAtTheKey(@TempDir Path dir) throws IOException {
        VocabularyExcerpt falcon = excerpt("falcon");
        ((ObjectNode) falcon.json().get("metadata")).put("tokenizer.ggml.pre", "chameleon");
        try (GgufFile file = GgufFile.open(falcon.writeGguf(dir.resolve("vocab.gguf")))) {
            GgufFormatException e = assertThrows(GgufFormatException.class, () -> TokenizerLoader.fromGguf(file));
            assertEquals("tokenizer.ggml.pre", e.field());
            assertTrue(e.offset() > 0, "offset " + e.offset());
            assertEquals(file.offset("tokenizer.ggml.pre"), e.offset());
            assertTrue(e.getMessage().contains("unsupported pre-tokenizer 'chameleon' (tokenizer.ggml.pre; supported: gpt-2, "),
                    e.getMessage());
        }
    }

    /** The cases tell splits apart: with another pre-tokenizer's split, some case comes out different. */
    @ParameterizedTest
    @MethodSource("vocabularies")
    void anotherSplitFailsSomeCase(String name, @TempDir Path dir) throws IOException {
        VocabularyExcerpt excerpt = excerpt(name);
        ObjectNode metadata = (ObjectNode) excerpt.json().get("metadata");
        String model = metadata.get("tokenizer.ggml.model").asText();
        if (model.equals("gpt2")) {
            String pre = metadata.get("tokenizer.ggml.pre").asText();
            metadata.put("tokenizer.ggml.pre", PreTokenizer.forName(pre) == PreTokenizer.GPT2 ? "llama-bpe" : "gpt-2");
        } else if (model.equals("bert")) {
            metadata.put("tokenizer.ggml.normalizer.lowercase", false);
        } else {
            // SentencePiece and Gemma 4 have no split to swap: flip the dummy space prefix instead.
            metadata.put("tokenizer.ggml.add_space_prefix", !metadata.path("tokenizer.ggml.add_space_prefix")
                    .asBoolean(model.equals("llama")));
        }
        assertFalse(mismatches(load(excerpt, dir), excerpt.cases()).isEmpty(), name);
    }
}
