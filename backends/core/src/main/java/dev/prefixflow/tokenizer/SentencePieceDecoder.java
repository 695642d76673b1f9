package dev.prefixflow.tokenizer;

/** Streaming decode with the same rules as {@link SentencePieceTokenizer#decode}. */
final class SentencePieceDecoder implements IncrementalDecoder {

    private final SentencePieceTokenizer tokenizer;
    private final SequenceStart start;
    private final Utf8Stream utf8 = new Utf8Stream();

    SentencePieceDecoder(SentencePieceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
        this.start = new SequenceStart(tokenizer.bosId());
    }

    @Override
    public String next(int tokenId) {
        return utf8.push(tokenizer.textBytes(tokenId, start.advance(tokenId)));
    }

    @Override
    public String flush() {
        return utf8.finish();
    }
}
