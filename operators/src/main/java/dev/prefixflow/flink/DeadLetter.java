package dev.prefixflow.flink;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A record that could not become a request: why, and the original bytes (base64, and as text when
 * they are valid UTF-8). A Flink POJO.
 */
public class DeadLetter {
    private static final ObjectMapper JSON = new ObjectMapper();

    public String reason;
    public long lineNumber;
    public String text;
    public String bytesBase64;

    public DeadLetter() {
    }

    public DeadLetter(String reason, long lineNumber, String text, byte[] bytes) {
        this.reason = reason;
        this.lineNumber = lineNumber;
        this.text = text;
        this.bytesBase64 = Base64.getEncoder().encodeToString(bytes);
    }

    public String toJson() {
        ObjectNode node = JSON.createObjectNode();
        node.put("reason", reason);
        node.put("line_number", lineNumber);
        node.put("text", text);
        node.put("bytes_base64", bytesBase64);
        return node.toString();
    }

    public byte[] toJsonBytes() {
        return toJson().getBytes(StandardCharsets.UTF_8);
    }
}
