package dev.prefixflow.engine.jsonl;

import dev.prefixflow.engine.RequestResult;
import java.io.Serializable;
import java.util.List;

/**
 * A request line and what the engine answered it (one result per choice, n of them), kept typed until a
 * sink writes it: {@link ResultWriter} renders it as the line's JSON, an Arrow sink takes its fields.
 */
public record Answer(ParsedLine line, List<RequestResult> choices) implements Serializable {
    private static final long serialVersionUID = 1L;

    public Answer {
        choices = List.copyOf(choices);
        if (choices.isEmpty()) {
            throw new IllegalArgumentException("an answer needs at least one choice");
        }
    }

    /** The first choice: the whole answer when n is 1. */
    public RequestResult first() {
        return choices.get(0);
    }
}
