package dev.prefixflow.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** What every tokenizer answers straight from its vocabulary: ids, sizes, token types and pieces. */
abstract class VocabularyTokenizer implements Tokenizer {
    protected final Vocabulary vocabulary;

    VocabularyTokenizer(Vocabulary vocabulary) {
        this.vocabulary = vocabulary;
    }

    @Override
    public int vocabularySize() {
        return vocabulary.size();
    }

    @Override
    public int bosId() {
        return vocabulary.bosId();
    }

    @Override
    public int eosId() {
        return vocabulary.eosId();
    }

    @Override
    public boolean addsBos() {
        return vocabulary.addBos();
    }

    @Override
    public boolean isControl(int id) {
        int type = vocabulary.tokenTypes()[checkId(id)];
        return type == Vocabulary.CONTROL_TYPE || type == Vocabulary.UNKNOWN_TYPE;
    }

    @Override
    public String piece(int id) {
        return vocabulary.tokens()[checkId(id)];
    }

    /** The text of {@code ids} where each token adds the same bytes wherever it stands: {@code text[id]}. */
    protected String decode(int[] ids, byte[][] text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(ids.length * 4);
        for (int id : ids) {
            out.writeBytes(text[checkId(id)]);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The id itself, or an exception naming it when it is outside the vocabulary. */
    protected int checkId(int id) {
        if (id < 0 || id >= vocabulary.size()) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + vocabulary.size());
        }
        return id;
    }
}
