package dev.prefixflow.tokenizer;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * UTF-8 decoding of a byte stream that arrives in pieces: an incomplete trailing character is held
 * until its remaining bytes arrive. The JDK decoder does the work, so replacement of invalid
 * sequences matches {@code new String(bytes, UTF_8)} on the whole stream.
 */
final class Utf8Stream {

    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    /** Bytes not decoded yet, in write mode. */
    private ByteBuffer pending = ByteBuffer.allocate(16);

    String push(byte[] bytes) {
        if (pending.remaining() < bytes.length) {
            ByteBuffer larger = ByteBuffer.allocate(pending.position() + bytes.length + 16);
            pending.flip();
            larger.put(pending);
            pending = larger;
        }
        pending.put(bytes);
        return decode(false);
    }

    /** Ends the stream; held bytes become U+FFFD. The stream can be reused afterwards. */
    String finish() {
        String text = decode(true);
        decoder.reset();
        return text;
    }

    private String decode(boolean endOfInput) {
        pending.flip();
        // Each byte yields at most one char (four bytes make a surrogate pair), so this never overflows.
        CharBuffer out = CharBuffer.allocate(pending.remaining());
        decoder.decode(pending, out, endOfInput);
        if (endOfInput) {
            decoder.flush(out);
        }
        pending.compact();
        return out.flip().toString();
    }
}
