package dev.prefixflow.engine.jsonl;

import dev.prefixflow.engine.Request;
import java.io.Serializable;

/**
 * One input line, read: a request, or the problem that kept it from being one.
 *
 * @param id the request's id (its custom_id for OpenAI lines), or "line N" when none could be read
 * @param model the model the line named (OpenAI lines), echoed in the answer; may be null
 * @param request null when the line is bad
 * @param problem what is wrong with the line, or null
 */
public record ParsedLine(int lineNumber, String id, LineFormat format, String model, Request request,
                         String problem) implements Serializable {
    private static final long serialVersionUID = 1L;

    public boolean isBad() {
        return problem != null;
    }
}
