package dev.prefixflow.job.progress;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The progress of a long task on stderr. On a terminal, one line rewritten in place (carriage
 * return) a few times a second; elsewhere (a log file, a TaskManager's .out file, CI) a carriage
 * return would run all updates together into one long line, so a full line is written once per
 * interval instead. Both end with the final state on a line of its own.
 */
public final class ProgressLine {
    /** How often a terminal's line is redrawn. */
    static final Duration TERMINAL_REDRAW = Duration.ofMillis(250);

    /** How progress is shown: the mode and, when not on a terminal, the time between lines. */
    public record Style(boolean terminal, Duration interval) {
        public Style {
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("the progress interval must be positive, got " + interval);
            }
        }

        /** A progress line for a task that starts now. */
        public ProgressLine start(PrintWriter out) {
            return new ProgressLine(out, this, System.nanoTime());
        }
    }

    private final PrintWriter out;
    private final boolean terminal;
    private final long intervalNanos;
    private long lastNanos;
    private int lastLength;

    /** A progress line for a task started at {@code startNanos} (on the clock later updates use). */
    public ProgressLine(PrintWriter out, Style style, long startNanos) {
        this.out = out;
        this.terminal = style.terminal();
        this.intervalNanos = (terminal ? TERMINAL_REDRAW : style.interval()).toNanos();
        this.lastNanos = startNanos;
    }

    /** Shows the line {@code text} makes, if one is due at {@code nowNanos}. */
    public void update(long nowNanos, Supplier<String> text) {
        if (nowNanos - lastNanos < intervalNanos) {
            return;
        }
        lastNanos = nowNanos;
        if (terminal) {
            out.print("\r" + padded(text.get()));
        } else {
            out.println(text.get());
        }
        out.flush();
    }

    /** Shows the final state, ending the line. */
    public void finish(String text) {
        out.println(terminal ? "\r" + padded(text) : text);
        out.flush();
    }

    /** Blanks what is left of a longer previous line. */
    private String padded(String text) {
        String line = text.length() < lastLength ? text + " ".repeat(lastLength - text.length()) : text;
        lastLength = text.length();
        return line;
    }
}
