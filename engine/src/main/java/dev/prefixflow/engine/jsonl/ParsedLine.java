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
 * @param identified whether the line carried its own id (a string id, or custom_id), so that an answer
 *     to it can be matched by whoever sent it even when the line is bad
 */
public record ParsedLine(int lineNumber, String id, LineFormat format, String model, Request request,
                         String problem, boolean identified) implements Serializable {
    private static final long serialVersionUID = 2L;

    public boolean isBad() {
        return problem != null;
    }

    /**
     * Whether a stream answers this line with an error result rather than a dead letter: it is bad, but
     * it named itself. A bad line without its own id (not JSON, no id, a non-string id) has no answer
     * anyone could match, so it is a dead letter with its bytes.
     */
    public boolean isRejectedRequest() {
        return isBad() && identified;
    }
}
