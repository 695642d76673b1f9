package dev.prefixflow.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prefixflow.gguf.GgufFile;
import dev.prefixflow.testing.TestModels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Phi-3's special tokens drop the whitespace after them when special tokens are parsed, as its
 * tokenizer.json declares (rstrip) and llama.cpp applies by the model's name. The cases are chat-shaped
 * texts tokenized by llama.cpp's llama-tokenize on its ggml-vocab-phi-3.gguf (special tokens parsed, no
 * BOS), kept as a vocabulary excerpt (models/tokenizer-vocabs/special/README.md).
 */
class StripAfterSpecialTokensTest {

    private static VocabularyExcerpt phi3Chat() throws IOException {
        return VocabularyExcerpt.read(TestModels.path("tokenizer-vocabs/special/phi-3-chat.json"));
    }

    private static Tokenizer load(VocabularyExcerpt excerpt, Path dir) throws IOException {
        try (GgufFile file = GgufFile.open(excerpt.writeGguf(dir.resolve("vocab.gguf")))) {
            return TokenizerLoader.fromGguf(file);
        }
    }

    private static List<String> mismatches(Tokenizer tokenizer, List<VocabularyExcerpt.Case> cases) {
        List<String> failures = new ArrayList<>();
        for (VocabularyExcerpt.Case c : cases) {
            int[] actual = tokenizer.encode(c.text(), false, true);
            if (!Arrays.equals(c.ids(), actual)) {
                failures.add("'" + c.text().replace("\n", "\\n") + "': expected " + Arrays.toString(c.ids())
                        + " got " + Arrays.toString(actual));
            }
        }
        return failures;
    }

    @Test
    void phi3ChatTextsTokenizeAsLlamaCppDoes(@TempDir Path dir) throws IOException {
        VocabularyExcerpt excerpt = phi3Chat();
        assertTrue(excerpt.parseSpecial());
        assertTrue(excerpt.cases().size() >= 10, excerpt.cases().toString());
        assertEquals(List.of(), mismatches(load(excerpt, dir), excerpt.cases()));
    }

    /** The same vocabulary under another name keeps its whitespace, so some case comes out different. */
    @Test
    void anotherModelKeepsTheWhitespace(@TempDir Path dir) throws IOException {
        VocabularyExcerpt excerpt = phi3Chat();
        ((ObjectNode) excerpt.json().get("metadata")).put("general.name", "Llama 2 chat");
        assertFalse(mismatches(load(excerpt, dir), excerpt.cases()).isEmpty());
    }

    /** Without special-token parsing the control token is text, not a token that could strip. */
    @Test
    void literalTextMatchesNoToken(@TempDir Path dir) throws IOException {
        VocabularyExcerpt excerpt = phi3Chat();
        int user = excerpt.cases().get(0).ids()[0];
        int[] literal = load(excerpt, dir).encode("<|user|>\nHI", false, false);
        assertFalse(Arrays.stream(literal).anyMatch(id -> id == user), Arrays.toString(literal));
    }
}
