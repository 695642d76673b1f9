package dev.prefixflow.job;

import dev.prefixflow.job.progress.ProgressLine;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** How progress is shown on stderr: an updating line on a terminal, else one line per interval. */
final class ProgressOptions {
    /** Set by the launcher script, which can ask whether stderr itself is a terminal. */
    static final String STDERR_TERMINAL_PROPERTY = "prefixflow.stderr.terminal";

    enum Mode { AUTO, TERMINAL, LINES }

    /** Mode names in any case, as users write them. */
    static final class ModeConverter implements CommandLine.ITypeConverter<Mode> {
        @Override
        public Mode convert(String text) {
            try {
                return Mode.valueOf(text.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("expected auto, terminal or lines, got '" + text + "'");
            }
        }
    }

    @Option(names = "--progress", defaultValue = "auto", converter = ModeConverter.class,
            description = "terminal: one line updated in place; lines: one line per --progress-interval (for log "
                    + "files and CI); auto: terminal when stderr is one (default: auto).")
    Mode mode;

    @Option(names = "--progress-interval", defaultValue = "10 s", converter = FlinkDurationConverter.class,
            description = "Time between progress lines when not on a terminal, e.g. 10 s, 1 min, PT30S "
                    + "(default: ${DEFAULT-VALUE}).")
    Duration interval;

    ProgressLine.Style style() {
        boolean terminal = switch (mode) {
            case TERMINAL -> true;
            case LINES -> false;
            case AUTO -> stderrIsTerminal();
        };
        return new ProgressLine.Style(terminal, interval);
    }

    /** The launcher's answer if it gave one; else whether the JVM has a console (stdin and stdout). */
    static boolean stderrIsTerminal() {
        String launcher = System.getProperty(STDERR_TERMINAL_PROPERTY);
        return launcher != null ? Boolean.parseBoolean(launcher) : System.console() != null;
    }
}
