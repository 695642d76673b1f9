package dev.prefixflow.flink;

/**
 * A request line that parsed, on its way to the inference operator: the line itself (re-read there,
 * which is cheap beside inference and keeps this record small in state and on the wire), its
 * number in its source, and the prefix key that routes it. A Flink POJO.
 */
public class PromptRecord {
    public String line;
    public long lineNumber;
    public String prefixKey;
    public String id;

    public PromptRecord() {
    }

    public PromptRecord(String line, long lineNumber, String prefixKey, String id) {
        this.line = line;
        this.lineNumber = lineNumber;
        this.prefixKey = prefixKey;
        this.id = id;
    }
}
