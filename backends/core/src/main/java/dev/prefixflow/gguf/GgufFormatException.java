package dev.prefixflow.gguf;

import java.io.IOException;
import java.nio.file.Path;

/** A GGUF file that does not follow the format; the message names the file, byte offset and field. */
public class GgufFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final long offset;
    private final String field;

    public GgufFormatException(Path file, long offset, String field, String problem) {
        super(file + ": at byte offset " + offset + ", field " + field + ": " + problem);
        this.offset = offset;
        this.field = field;
    }

    /** Byte offset in the file where the offending field starts. */
    public long offset() {
        return offset;
    }

    /** The offending field, e.g. {@code tensor_count} or {@code tensor 'output.weight' type}. */
    public String field() {
        return field;
    }
}
