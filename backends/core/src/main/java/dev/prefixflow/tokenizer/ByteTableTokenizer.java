package dev.prefixflow.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** A tokenizer whose every token adds the same bytes to the text wherever it stands. */
abstract class ByteTableTokenizer extends VocabularyTokenizer {

    /** Per token, the bytes it decodes to; filled by the subclass's constructor. */
    protected final byte[][] text;

    ByteTableTokenizer(Vocabulary vocabulary) {
        super(vocabulary);
        text = new byte[vocabulary.size()][];
    }

    @Override
    public final String decode(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(ids.length * 4);
        for (int id : ids) {
            out.writeBytes(text[checkId(id)]);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public final byte[] tokenBytes(int id) {
        return text[checkId(id)].clone();
    }

    @Override
    public final IncrementalDecoder decoder() {
        return new TokenBytesDecoder(id -> text[checkId(id)]);
    }
}
