package dev.prefixflow.job;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the CLI prints when a command fails: the message of each exception in the cause chain (a
 * wrapper's message rarely says what went wrong: Flink's "Could not create committable serializer."
 * hides a missing file system), then a hint for causes an operator can fix, and the stack trace only
 * when asked for.
 */
final class ErrorReport {

    private ErrorReport() {
    }

    static void print(Throwable error, PrintWriter err, boolean verbose) {
        List<String> lines = messages(error);
        err.println("error: " + lines.get(0));
        for (String cause : lines.subList(1, lines.size())) {
            err.println("  caused by: " + cause);
        }
        Set<String> hints = new LinkedHashSet<>();
        for (Throwable t : chain(error)) {
            ErrorHints.hint(t).ifPresent(hints::add);
        }
        for (String hint : hints) {
            err.println("hint: " + hint);
        }
        if (verbose) {
            error.printStackTrace(err);
        } else {
            err.println("(run with --verbose for the stack trace)");
        }
        err.flush();
    }

    /** Each distinct message of the chain, outermost first; one already contained in an earlier line is left out. */
    static List<String> messages(Throwable error) {
        List<String> lines = new ArrayList<>();
        for (Throwable t : chain(error)) {
            String message = t.getMessage() == null || t.getMessage().isBlank() ? t.getClass().getName()
                    : t.getMessage().strip();
            if (lines.stream().noneMatch(line -> line.contains(message))) {
                lines.add(message);
            }
        }
        return lines;
    }

    /** The exception and its causes, each once (a chain may loop). */
    static List<Throwable> chain(Throwable error) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = error; t != null && seen.add(t); t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }
}
