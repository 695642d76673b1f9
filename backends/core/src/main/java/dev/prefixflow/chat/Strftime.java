package dev.prefixflow.chat;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Python's {@code strftime} for the directives chat templates use (C locale, English names). */
final class Strftime {

    private Strftime() {
    }

    static String format(ZonedDateTime time, String format) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                out.append(c);
                continue;
            }
            char directive = format.charAt(++i);
            out.append(switch (directive) {
                case 'd' -> pattern(time, "dd");
                case 'e' -> String.format("%2d", time.getDayOfMonth());
                case 'm' -> pattern(time, "MM");
                case 'y' -> pattern(time, "yy");
                case 'Y' -> String.valueOf(time.getYear());
                case 'b', 'h' -> pattern(time, "MMM");
                case 'B' -> pattern(time, "MMMM");
                case 'a' -> pattern(time, "EEE");
                case 'A' -> pattern(time, "EEEE");
                case 'H' -> pattern(time, "HH");
                case 'I' -> pattern(time, "hh");
                case 'M' -> pattern(time, "mm");
                case 'S' -> pattern(time, "ss");
                case 'p' -> pattern(time, "a").toUpperCase(Locale.ROOT);
                case 'j' -> String.format("%03d", time.getDayOfYear());
                case 'F' -> pattern(time, "yyyy-MM-dd");
                case 'T' -> pattern(time, "HH:mm:ss");
                case '%' -> "%";
                default -> throw new IllegalArgumentException("strftime_now: unsupported directive %" + directive);
            });
        }
        return out.toString();
    }

    private static String pattern(ZonedDateTime time, String pattern) {
        return DateTimeFormatter.ofPattern(pattern, Locale.ENGLISH).format(time);
    }
}
