package dev.prefixflow.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Byte-level BPE ({@code tokenizer.ggml.model = "gpt2"}: GPT-2, Llama 3, Qwen2): text is split by
 * the model's pre-tokenizer, each pre-token's UTF-8 bytes are merged by rank, and tokens decode back
 * to bytes. Only normal tokens come from text, so a literal {@code <|endoftext|>} is plain text.
 */
public final class ByteLevelBpeTokenizer extends VocabularyTokenizer {

    private static final byte[] NO_TEXT = new byte[0];

    private final PreTokenizer preTokenizer;
    private final BpeMerger merger;
    /** Normal tokens by their string, for pre-tokenizers that take a whole token before merging. */
    private final Map<String, Integer> normalTokens;
    /** Per token, the bytes it decodes to. */
    private final byte[][] text;
    private final PieceCache pieces = new PieceCache(this::tokenize);

    public ByteLevelBpeTokenizer(Vocabulary vocabulary) {
        super(vocabulary);
        this.preTokenizer = PreTokenizer.forName(vocabulary.preTokenizer());
        int size = vocabulary.size();
        text = new byte[size][];
        normalTokens = new HashMap<>(size * 2);
        for (int id = 0; id < size; id++) {
            String token = vocabulary.tokens()[id];
            switch (vocabulary.tokenTypes()[id]) {
                case Vocabulary.NORMAL_TYPE -> {
                    normalTokens.putIfAbsent(token, id);
                    text[id] = ByteLevelAlphabet.bytesOf(token);
                }
                // User-defined tokens are written as plain text, not in the byte alphabet.
                case Vocabulary.USER_DEFINED_TYPE -> text[id] = token.getBytes(StandardCharsets.UTF_8);
                default -> text[id] = NO_TEXT;
            }
        }
        int[] byteTokens = new int[256];
        for (int b = 0; b < 256; b++) {
            Integer id = normalTokens.get(ByteLevelAlphabet.charOf(b));
            if (id == null) {
                throw new IllegalArgumentException("byte-level vocabulary has no token for byte 0x"
                        + Integer.toHexString(b) + " ('" + ByteLevelAlphabet.charOf(b) + "')");
            }
            byteTokens[b] = id;
        }
        merger = new BpeMerger(new MergeRanks(vocabulary.merges(), normalTokens), byteTokens);
    }

    @Override
    public int[] encode(String text, boolean addBos) {
        int[] out = new int[text.length() / 3 + 2];
        int size = 0;
        if (addBos && vocabulary.addBos()) {
            out[size++] = vocabulary.bosId();
        }
        for (String piece : preTokenizer.split(text)) {
            int[] ids = pieces.idsOf(piece);
            if (size + ids.length > out.length) {
                out = Arrays.copyOf(out, Math.max(size + ids.length, out.length * 2));
            }
            System.arraycopy(ids, 0, out, size, ids.length);
            size += ids.length;
        }
        return Arrays.copyOf(out, size);
    }

    private int[] tokenize(String piece) {
        if (preTokenizer.wholeTokensFirst()) {
            Integer whole = normalTokens.get(ByteLevelAlphabet.stringOf(piece.getBytes(StandardCharsets.UTF_8)));
            if (whole != null) {
                return new int[] {whole};
            }
        }
        return merger.merge(piece);
    }

    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(ids.length * 4);
        for (int id : ids) {
            out.writeBytes(text[checkId(id)]);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] tokenBytes(int id) {
        return text[checkId(id)].clone();
    }

    @Override
    public IncrementalDecoder decoder() {
        return new TokenBytesDecoder(id -> text[checkId(id)]);
    }

}
