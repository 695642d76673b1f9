package dev.prefixflow.job.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Both ways of showing progress, driven by a made-up clock. */
class ProgressLineTest {
    static final long SECOND = 1_000_000_000L;

    @Test
    void onATerminalTheLineIsRewrittenInPlace() {
        StringWriter out = new StringWriter();
        ProgressLine line = new ProgressLine(new PrintWriter(out), new ProgressLine.Style(true, Duration.ofSeconds(10)),
                0);
        line.update(SECOND / 10, () -> "too soon");
        line.update(SECOND, () -> "10/29 requests");
        line.update(2 * SECOND, () -> "9/29");
        line.finish("29/29 requests");
        // A shorter line blanks what is left of the longer one before it.
        assertEquals("\r10/29 requests\r9/29          \r29/29 requests" + System.lineSeparator(), out.toString());
    }

    @Test
    void elsewhereOneLinePerIntervalAndTheFinalState() {
        StringWriter out = new StringWriter();
        ProgressLine line = new ProgressLine(new PrintWriter(out), new ProgressLine.Style(false, Duration.ofSeconds(10)),
                0);
        for (int s = 1; s <= 25; s++) {
            int now = s;
            line.update(s * SECOND, () -> "at " + now + " s");
        }
        line.finish("done");
        String n = System.lineSeparator();
        assertEquals("at 10 s" + n + "at 20 s" + n + "done" + n, out.toString());
        assertFalse(out.toString().contains("\r"));
    }

    @Test
    void theIntervalMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new ProgressLine.Style(false, Duration.ZERO));
    }
}
