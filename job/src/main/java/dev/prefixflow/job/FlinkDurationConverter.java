package dev.prefixflow.job;

import java.time.Duration;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Durations written as in Flink's configuration, parsed by Flink: 500 ms, 10 s, 1 min, PT10S. */
final class FlinkDurationConverter implements ITypeConverter<Duration> {

    @Override
    public Duration convert(String text) {
        try {
            return TimeUtils.parseDuration(text);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException("'" + text + "' is not a duration; write it as in Flink's "
                    + "configuration, e.g. 500 ms, 10 s, 1 min or PT10S (" + e.getMessage() + ")");
        }
    }
}
