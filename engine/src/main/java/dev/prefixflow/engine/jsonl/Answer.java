package dev.prefixflow.engine.jsonl;

import dev.prefixflow.engine.RequestResult;
import java.io.Serializable;
import java.util.List;

/**
 * A request line and what the engine answered it (one result per choice, n of them), kept typed until a
 * sink writes it: {@link ResultWriter} renders it as the line's JSON, an Arrow sink takes its fields. A
 * bad line's answer has no choices: its error is the line's problem.
 */
public record Answer(ParsedLine line, List<RequestResult> choices) implements Serializable {
    private static final long serialVersionUID = 1L;

    public Answer {
        choices = List.copyOf(choices);
        if (choices.isEmpty() != line.isBad()) {
            throw new IllegalArgumentException(line.isBad() ? "a bad line is answered without choices"
                    : "an answer needs at least one choice");
        }
    }

    /** The answer to a line that never became a request: its problem, as an error. */
    public static Answer rejected(ParsedLine line) {
        return new Answer(line, List.of());
    }

    /** The first choice: the whole answer when n is 1. */
    public RequestResult first() {
        if (choices.isEmpty()) {
            throw new IllegalStateException("line " + line.id() + " was rejected: " + line.problem());
        }
        return choices.get(0);
    }
}
