package dev.prefixflow.engine.structured;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefixflow.gguf.GgufFile;
import dev.prefixflow.testing.TestModels;
import dev.prefixflow.tokenizer.Tokenizer;
import dev.prefixflow.tokenizer.TokenizerLoader;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Token masks from the vocabulary trie hold exactly the tokens whose bytes, fed one by one to the
 * automaton, keep it alive (and EOS exactly in complete states), on the real Qwen2 byte-level BPE
 * vocabulary (151,936 tokens) and the kjv-5m SentencePiece one, along random constrained walks.
 */
class TokenMaskTest {
    private static final String SCHEMA = """
            {"type": "object", "properties": {"name": {"type": "string", "maxLength": 8},
             "score": {"type": "number", "minimum": -2, "maximum": 2}, "tags": {"type": "array",
             "items": {"enum": ["a", "ünï", "日本"]}, "maxItems": 2}}, "required": ["name", "score"]}""";

    @Test
    void masksAgreeWithTokenByTokenRunsOnByteLevelBpe() throws Exception {
        checkWalks(tokenizer("vocab/ggml-vocab-qwen2.gguf"));
    }

    @Test
    void masksAgreeWithTokenByTokenRunsOnSentencePiece() throws Exception {
        checkWalks(tokenizer("kjv-5m-q80.gguf"));
    }

    private static Tokenizer tokenizer(String file) throws Exception {
        try (GgufFile gguf = GgufFile.open(TestModels.path(file))) {
            return TokenizerLoader.fromGguf(gguf);
        }
    }

    private static void checkWalks(Tokenizer tokenizer) {
        StructuredOutputManager manager = new StructuredOutputManager(tokenizer, Runnable::run, Runnable::run,
                MaskCache.DEFAULT_BYTES);
        VocabularyTrie trie = new VocabularyTrie(tokenizer);
        for (StructuredOutputsParams params : new StructuredOutputsParams[] {StructuredOutputsParams.jsonSchema(SCHEMA),
                StructuredOutputsParams.regex("(é|日本語|[a-z]){1,6}")}) {
            CompiledGrammar grammar = manager.compiled(params).join();
            Random random = new Random(3);
            int state = CompiledGrammar.initialState();
            for (int step = 0; step < 12; step++) {
                long[] mask = grammar.bitmask(state);
                int allowed = 0;
                for (int id = 0; id < tokenizer.vocabularySize(); id++) {
                    boolean expected = id == tokenizer.eosId() ? grammar.isComplete(state)
                            : trie.bytes(id).length > 0 && grammar.advance(state, id) >= 0;
                    assertEquals(expected, (mask[id >>> 6] & (1L << id)) != 0, "token " + id + " in state " + state);
                    allowed += expected ? 1 : 0;
                }
                assertTrue(allowed > 0, "state " + state + " allows nothing");
                int pick = pickAllowed(mask, tokenizer, random);
                if (pick == tokenizer.eosId()) {
                    break;
                }
                state = grammar.advance(state, pick);
            }
        }
    }

    private static int pickAllowed(long[] mask, Tokenizer tokenizer, Random random) {
        while (true) {
            int id = random.nextInt(tokenizer.vocabularySize());
            if ((mask[id >>> 6] & (1L << id)) != 0) {
                return id;
            }
        }
    }
}
