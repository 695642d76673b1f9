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

    @Test
    void fromFloatRoundTripsEveryHalf() {
        for (int h = 0; h < 0x10000; h++) {
            float f = Half.toFloat((short) h);
            if (!Float.isNaN(f)) {
                assertEquals((short) h, Half.fromFloat(f), "half 0x" + Integer.toHexString(h));
            }
        }
    }

    @Test
    void fromFloatRoundsTiesToEvenAndNeighboursToTheNearest() {
        // Every pair of adjacent finite positive halves, normal and subnormal, and its midpoint (exact in float).
        for (int h = 0; h < 0x7BFF; h++) {
            float lo = Half.toFloat((short) h);
            float hi = Half.toFloat((short) (h + 1));
            float mid = (lo + hi) / 2;
            int even = (h & 1) == 0 ? h : h + 1;
            assertEquals((short) even, Half.fromFloat(mid), "tie between 0x" + Integer.toHexString(h));
            assertEquals((short) h, Half.fromFloat(Math.nextDown(mid)), "below the tie at 0x" + Integer.toHexString(h));
            assertEquals((short) (h + 1), Half.fromFloat(Math.nextUp(mid)), "above the tie at 0x" + Integer.toHexString(h));
            assertEquals((short) (h | 0x8000), Half.fromFloat(-lo), "negative 0x" + Integer.toHexString(h));
        }
    }

    @Test
    void fromFloatOverflowsToInfinityAndKeepsNaN() {
        assertEquals((short) 0x7BFF, Half.fromFloat(65519.99f));
        assertEquals((short) 0x7C00, Half.fromFloat(65520f));
        assertEquals((short) 0xFC00, Half.fromFloat(-1e10f));
        assertTrue(Float.isNaN(Half.toFloat(Half.fromFloat(Float.NaN))));
        assertEquals((short) 0x0000, Half.fromFloat(0x1p-26f));
    }
}
