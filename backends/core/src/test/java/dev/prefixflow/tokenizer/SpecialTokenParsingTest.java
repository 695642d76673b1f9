package dev.prefixflow.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.prefixflow.gguf.GgufFile;
import dev.prefixflow.testing.TestModels;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * Special-token parsing as llama.cpp's tokenizer_st_partition does it (parse_special on: a control
 * token's text becomes its id; off: it is plain text). Expected ids are llama.cpp's llama-tokenize
 * (--no-bos, with and without --no-parse-special) on the same files.
 */
class SpecialTokenParsingTest {
    private static final String CHAT = "<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\n"
            + "Grüße <|endoftext|>!<|im_end|>\n<|im_start|>assistant\n";

    @Test
    void qwen2VocabularyParsesChatMarkers() throws IOException {
        Tokenizer qwen2 = load("vocab/ggml-vocab-qwen2.gguf");
        assertArrayEquals(new int[] {151644, 8948, 198, 2610, 525, 50537, 13, 151645, 198, 151644, 872, 198, 6464,
                2391, 23455, 220, 151643, 0, 151645, 198, 151644, 77091, 198}, qwen2.encode(CHAT, false, true));
        assertArrayEquals(new int[] {27, 91, 318, 4906, 91, 29, 8948, 198, 2610, 525, 50537, 15757, 91, 318, 6213,
                91, 397, 27, 91, 318, 4906, 91, 29, 872, 198, 6464, 2391, 23455, 82639, 8691, 723, 427, 91, 29, 86932,
                91, 318, 6213, 91, 397, 27, 91, 318, 4906, 91, 29, 77091, 198}, qwen2.encode(CHAT, false, false));
    }

    @Test
    void gpt2EndOfTextIsOneTokenOnlyWhenParsed() throws IOException {
        Tokenizer gpt2 = TestTokenizers.gpt2();
        assertArrayEquals(new int[] {50256}, gpt2.encode("<|endoftext|>", false, true));
        // The "eot" prompt of qwen2-bpe-references.json, tokenized literally.
        assertArrayEquals(new int[] {27, 91, 437, 1659, 5239, 91, 29}, gpt2.encode("<|endoftext|>", false, false));
        assertArrayEquals(new int[] {27, 91, 437, 1659, 5239, 91, 29}, gpt2.encode("<|endoftext|>", true));
    }

    @Test
    void sentencePieceGivesTheTextAfterATokenItsOwnSpacePrefix() throws IOException {
        Tokenizer kjv = TestTokenizers.kjv();
        assertArrayEquals(new int[] {1, 1043, 261, 1791, 1243, 2}, kjv.encode("<s>In the beginning</s>", false, true));
        assertArrayEquals(new int[] {391, 1, 1986, 394, 2, 948}, kjv.encode("God<s> said</s>Let", false, true));
        assertArrayEquals(new int[] {0, 1986, 2036}, kjv.encode("<unk>x", false, true));
        assertArrayEquals(new int[] {1986, 63, 1993, 65, 2012, 1992, 261, 1791, 1243, 63, 50, 1993, 65},
                kjv.encode("<s>In the beginning</s>", false, false));
        assertArrayEquals(new int[] {391, 63, 1993, 65, 394, 63, 50, 1993, 65, 2015, 365},
                kjv.encode("God<s> said</s>Let", false, false));
    }

    static Tokenizer load(String model) throws IOException {
        try (GgufFile file = GgufFile.open(TestModels.path(model))) {
            return TokenizerLoader.fromGguf(file);
        }
    }
}
