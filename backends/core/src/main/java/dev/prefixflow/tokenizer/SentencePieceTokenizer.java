package dev.prefixflow.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * SentencePiece BPE tokenizer ({@code tokenizer.ggml.model = "llama"}), matching llama.cpp's SPM
 * tokenizer: spaces become U+2581, a dummy-prefix space is prepended, pieces are merged by score
 * and unknown characters fall back to byte tokens. With a merge list ({@code "gemma4"}) pieces are
 * merged by rank instead ({@link SpmBpeMerger}). User-defined tokens are cut out of the text first
 * (as llama.cpp does), the text after one getting its own dummy prefix; control tokens too when
 * special tokens are parsed, else text such as {@code "<s>"} never becomes one.
 */
public final class SentencePieceTokenizer extends VocabularyTokenizer {

    private static final char SPACE_MARK = '\u2581';
    private static final byte[] NO_TEXT = new byte[0];

    /** Per token, the bytes it decodes to. */
    private final byte[][] text;
    private final Function<String, int[]> merger;
    private final SpecialTokens specialTokens;

    public SentencePieceTokenizer(Vocabulary vocabulary) {
        super(vocabulary);
        int size = vocabulary.size();
        text = new byte[size][];
        Map<String, Integer> textTokens = new HashMap<>(size * 2);
        int[] byteTokens = new int[256];
        Arrays.fill(byteTokens, -1);
        for (int id = 0; id < size; id++) {
            String piece = vocabulary.tokens()[id];
            switch (vocabulary.tokenTypes()[id]) {
                case Vocabulary.NORMAL_TYPE -> {
                    textTokens.putIfAbsent(piece, id);
                    text[id] = piece.replace(SPACE_MARK, ' ').getBytes(StandardCharsets.UTF_8);
                }
                case Vocabulary.BYTE_TYPE -> {
                    int value = byteValue(id, piece);
                    byteTokens[value] = id;
                    text[id] = new byte[] {(byte) value};
                }
                case Vocabulary.USER_DEFINED_TYPE -> text[id] = piece.getBytes(StandardCharsets.UTF_8);
                default -> text[id] = NO_TEXT;
            }
        }
        specialTokens = new SpecialTokens(vocabulary);
        if (vocabulary.merges().length > 0) {
            // Merges may also produce user-defined tokens (as llama.cpp's lookup by text does).
            for (int id = 0; id < size; id++) {
                if (vocabulary.tokenTypes()[id] == Vocabulary.USER_DEFINED_TYPE) {
                    textTokens.putIfAbsent(vocabulary.tokens()[id], id);
                }
            }
            merger = new SpmBpeMerger(textTokens, vocabulary.merges(), byteTokens)::tokenize;
        } else {
            merger = new SpmMerger(textTokens, vocabulary.scores(), byteTokens, vocabulary.unkId())::tokenize;
        }
    }

    @Override
    public int[] encode(String text, boolean addBos, boolean parseSpecial) {
        TokenSink out = new TokenSink(text.length() / 3 + 2);
        if (addBos && vocabulary.addBos()) {
            out.add(vocabulary.bosId());
        }
        boolean afterToken = true;
        for (SpecialTokens.Fragment f : specialTokens.split(text, parseSpecial)) {
            if (f.isText()) {
                encodeText(text.substring(f.start(), f.end()), afterToken, out);
            } else {
                out.add(f.id());
            }
            afterToken = !f.isText();
        }
        return out.toArray();
    }

    /** {@code dummyPrefix}: at the start, or after a token cut out of the text. */
    private void encodeText(String text, boolean dummyPrefix, TokenSink out) {
        // Like SentencePiece, empty text has no dummy prefix and so no tokens.
        if (!text.isEmpty()) {
            out.addAll(merger.apply(normalize(text, dummyPrefix && vocabulary.addSpacePrefix())));
        }
    }

    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(ids.length * 4);
        SequenceStart start = new SequenceStart(vocabulary.bosId());
        for (int id : ids) {
            out.writeBytes(textBytes(id, start.advance(id)));
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] tokenBytes(int id) {
        return textBytes(id, false).clone();
    }

    @Override
    public IncrementalDecoder decoder() {
        SequenceStart start = new SequenceStart(vocabulary.bosId());
        return new TokenBytesDecoder(id -> textBytes(id, start.advance(id)));
    }

    /** The bytes token {@code id} adds to the text; at the start without the dummy-prefix space. */
    private byte[] textBytes(int id, boolean atStart) {
        byte[] bytes = text[checkId(id)];
        boolean dummyPrefix = atStart && vocabulary.addSpacePrefix()
                && vocabulary.tokenTypes()[id] == Vocabulary.NORMAL_TYPE
                && bytes.length > 0 && bytes[0] == ' ';
        return dummyPrefix ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
    }

    private static String normalize(String text, boolean dummyPrefix) {
        StringBuilder out = new StringBuilder(text.length() + 1);
        if (dummyPrefix) {
            out.append(SPACE_MARK);
        }
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            i += Character.charCount(codePoint);
            if (codePoint == ' ') {
                out.append(SPACE_MARK);
            } else if (Character.getType(codePoint) == Character.SURROGATE) {
                // A lone surrogate has no UTF-8 form; the JDK would encode it as '?'.
                out.append('\uFFFD');
            } else {
                out.appendCodePoint(codePoint);
            }
        }
        return out.toString();
    }

    private static int byteValue(int id, String piece) {
        if (piece.length() != 6 || !piece.startsWith("<0x") || piece.charAt(5) != '>') {
            throw new IllegalArgumentException("byte token " + id + " is not of the form <0xNN>: " + piece);
        }
        return Integer.parseInt(piece.substring(3, 5), 16);
    }
}
