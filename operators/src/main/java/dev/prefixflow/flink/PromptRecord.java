package dev.prefixflow.flink;

import dev.prefixflow.engine.jsonl.ParsedLine;
import java.io.IOException;
import org.apache.flink.util.InstantiationUtil;

/**
 * A request line that parsed, on its way to the inference operator and in its pending state: the parsed
 * request (prompt tokens included, so the line is parsed and tokenized once, by the decoder), its line
 * number in its source, and the prefix key that routes it. A Flink POJO; the parsed line travels in
 * Java serialization, which follows the request types wherever they grow.
 */
public class PromptRecord {
    public byte[] parsed;
    public long lineNumber;
    public String prefixKey;
    public String id;

    public PromptRecord() {
    }

    public static PromptRecord of(ParsedLine line, long lineNumber, String prefixKey) {
        PromptRecord r = new PromptRecord();
        try {
            r.parsed = InstantiationUtil.serializeObject(line);
        } catch (IOException e) {
            throw new IllegalStateException("request " + line.id() + " cannot be serialized", e);
        }
        r.lineNumber = lineNumber;
        r.prefixKey = prefixKey;
        r.id = line.id();
        return r;
    }

    /** The parsed line, read back from its bytes (no parsing, no tokenizing). */
    public ParsedLine parsedLine() {
        try {
            return InstantiationUtil.deserializeObject(parsed, PromptRecord.class.getClassLoader());
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException("pending request " + id + " cannot be read back", e);
        }
    }
}
