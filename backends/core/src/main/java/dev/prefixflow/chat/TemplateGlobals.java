package dev.prefixflow.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import java.time.Clock;
import java.time.ZonedDateTime;

/**
 * The globals transformers gives chat templates: {@code raise_exception(message)} and
 * {@code strftime_now(format)}. Jinjava calls functions statically, so the clock of the render in
 * progress is read from its context.
 */
public final class TemplateGlobals {
    /** Context key of the render's {@link Clock}; not a name templates use. */
    static final String CLOCK = "__prefixflow_clock";

    private TemplateGlobals() {
    }

    public static Object raiseException(Object message) {
        throw new TemplateRaised(String.valueOf(message));
    }

    public static String strftimeNow(String format) {
        Clock clock = (Clock) JinjavaInterpreter.getCurrent().getContext().get(CLOCK);
        return Strftime.format(ZonedDateTime.now(clock), format);
    }

    /** What {@code raise_exception} throws; the renderer finds it behind Jinjava's error wrapping. */
    static final class TemplateRaised extends RuntimeException {
        TemplateRaised(String message) {
            super(message, null, false, false);
        }
    }
}
