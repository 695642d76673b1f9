package dev.prefixflow.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Byte-level BPE ({@code tokenizer.ggml.model = "gpt2"}: GPT-2, Llama 3, Qwen2): text is split by
 * the model's pre-tokenizer, each pre-token's UTF-8 bytes are merged by rank, and tokens decode back
 * to bytes. User-defined tokens are cut out of the text first (as llama.cpp does); control tokens
 * too when special tokens are parsed, else a literal {@code <|endoftext|>} is plain text.
 */
public final class ByteLevelBpeTokenizer extends ByteTableTokenizer {

    private static final byte[] NO_TEXT = new byte[0];
    /** The byte token of a byte the vocabulary has none for: a symbol that never merges. */
    private static final int NO_TOKEN = -2;

    private final PreTokenizer preTokenizer;
    private final BpeMerger merger;
    /** Normal and user-defined tokens by their string: what merges and bytes may produce. */
    private final Map<String, Integer> textTokens;
    private final SpecialTokens specialTokens;
    private final PieceCache pieces = new PieceCache(this::tokenize);

    public ByteLevelBpeTokenizer(Vocabulary vocabulary) {
        super(vocabulary);
        this.preTokenizer = PreTokenizer.forName(vocabulary.preTokenizer());
        int size = vocabulary.size();
        textTokens = new HashMap<>(size * 2);
        for (int id = 0; id < size; id++) {
            String token = vocabulary.tokens()[id];
            switch (vocabulary.tokenTypes()[id]) {
                case Vocabulary.NORMAL_TYPE -> {
                    textTokens.putIfAbsent(token, id);
                    text[id] = ByteLevelAlphabet.bytesOf(token);
                }
                // User-defined tokens are written as plain text, not in the byte alphabet; some
                // vocabularies (DeepSeek's) still give byte characters this type.
                case Vocabulary.USER_DEFINED_TYPE -> {
                    textTokens.putIfAbsent(token, id);
                    text[id] = token.getBytes(StandardCharsets.UTF_8);
                }
                default -> text[id] = NO_TEXT;
            }
        }
        specialTokens = new SpecialTokens(vocabulary);
        int[] byteTokens = new int[256];
        for (int b = 0; b < 256; b++) {
            byteTokens[b] = textTokens.getOrDefault(ByteLevelAlphabet.charOf(b), NO_TOKEN);
        }
        merger = new BpeMerger(new MergeRanks(vocabulary.merges(), textTokens), byteTokens);
    }

    @Override
    public int[] encode(String text, boolean addBos, boolean parseSpecial) {
        TokenSink out = new TokenSink(text.length() / 3 + 2);
        if (addBos && vocabulary.addBos()) {
            out.add(vocabulary.bosId());
        }
        for (SpecialTokens.Fragment f : specialTokens.split(text, parseSpecial)) {
            if (f.isText()) {
                encodeText(text.substring(f.start(), f.end()), out);
            } else {
                out.add(f.id());
            }
        }
        return out.toArray();
    }

    private void encodeText(String text, TokenSink out) {
        for (String piece : preTokenizer.split(text)) {
            out.addAll(pieces.idsOf(piece));
        }
    }

    private int[] tokenize(String piece) {
        if (preTokenizer.wholeTokensFirst()) {
            Integer whole = textTokens.get(ByteLevelAlphabet.stringOf(piece.getBytes(StandardCharsets.UTF_8)));
            if (whole != null) {
                return new int[] {whole};
            }
        }
        return merger.merge(piece);
    }
}
