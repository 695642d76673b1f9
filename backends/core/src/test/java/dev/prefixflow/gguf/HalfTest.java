package dev.prefixflow.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HalfTest {

    /** The IEEE 754 binary16 definition, evaluated in double (exact for every half). */
    private static double reference(int h) {
        int sign = (h >>> 15) & 1;
        int exponent = (h >>> 10) & 0x1F;
        int mantissa = h & 0x3FF;
        double magnitude;
        if (exponent == 0) {
            magnitude = mantissa * Math.pow(2, -24);
        } else if (exponent == 31) {
            magnitude = mantissa == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else {
            magnitude = (1 + mantissa / 1024.0) * Math.pow(2, exponent - 15);
        }
        return sign == 1 ? -magnitude : magnitude;
    }

    @Test
    void matchesTheDefinitionForAllValues() {
        for (int i = 0; i < 0x10000; i++) {
            int h = i;
            float actual = Half.toFloat((short) h);
            double expected = reference(h);
            if (Double.isNaN(expected)) {
                assertTrue(Float.isNaN(actual), () -> "NaN expected for " + Integer.toHexString(h));
                // The payload moves to the top of the float mantissa, as hardware conversion does.
                int expectedBits = ((h & 0x8000) << 16) | 0x7F80_0000 | ((h & 0x3FF) << 13);
                assertEquals(expectedBits, Float.floatToRawIntBits(actual), Integer.toHexString(h));
            } else {
                assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(actual),
                        () -> "half 0x" + Integer.toHexString(h) + ": " + actual + " vs " + expected);
            }
        }
    }

    @Test
    void knownValues() {
        assertEquals(1.0f, Half.toFloat((short) 0x3C00));
        assertEquals(-2.0f, Half.toFloat((short) 0xC000));
        assertEquals(65504.0f, Half.toFloat((short) 0x7BFF));
        assertEquals(0x1p-24f, Half.toFloat((short) 0x0001));
        assertEquals(Float.NEGATIVE_INFINITY, Half.toFloat((short) 0xFC00));
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(Half.toFloat((short) 0x8000)));
    }
}
