package dev.prefixflow.tokenizer;

import java.util.function.IntFunction;

/**
 * Streaming decode for tokenizers whose tokens stand for byte strings: the bytes of each token go
 * through one {@link Utf8Stream}, so a character split across tokens comes out whole.
 */
final class TokenBytesDecoder implements IncrementalDecoder {

    private final IntFunction<byte[]> tokenBytes;
    private final Utf8Stream utf8 = new Utf8Stream();

    /** @param tokenBytes the bytes the next token adds; may keep per-sequence state */
    TokenBytesDecoder(IntFunction<byte[]> tokenBytes) {
        this.tokenBytes = tokenBytes;
    }

    @Override
    public String next(int tokenId) {
        return utf8.push(tokenBytes.apply(tokenId));
    }

    @Override
    public String flush() {
        return utf8.finish();
    }
}
