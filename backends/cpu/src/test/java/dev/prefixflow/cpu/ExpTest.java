package dev.prefixflow.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class ExpTest {

    /** Values across the float range, the cut-offs and the special values. */
    private static float[] values() {
        SplittableRandom random = new SplittableRandom(7);
        float[] v = new float[1 << 16];
        int i = 0;
        for (float special : new float[] {0f, -0f, 1f, -1f, 88.72f, 88.73f, 89f, 100f, -87.3f, -103.9f, -104f, -110f,
                Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY, Float.NaN}) {
            v[i++] = special;
        }
        while (i < v.length / 2) {
            v[i++] = (float) (random.nextDouble() * 220 - 120);
        }
        while (i < v.length) {
            v[i++] = (float) (random.nextDouble() * 20 - 10);
        }
        return v;
    }

    @Test
    void withinTwoUlpOfMathExp() {
        for (float x : values()) {
            float expected = (float) Math.exp(x);
            float actual = Exp.exp(x);
            if (Float.isNaN(x)) {
                assertTrue(Float.isNaN(actual));
            } else if (expected < Float.MIN_NORMAL || Float.isInfinite(expected)) {
                // Subnormal results are rounded twice (once per factor of 2^n): within one subnormal step.
                assertEquals(expected, actual, Float.MIN_VALUE, "exp(" + x + ")");
            } else {
                assertEquals(expected, actual, 2 * Math.ulp(expected), "exp(" + x + ")");
            }
        }
        assertEquals(1f, Exp.exp(0f));
        assertEquals(0f, Exp.exp(Float.NEGATIVE_INFINITY));
        assertEquals(Float.POSITIVE_INFINITY, Exp.exp(89f));
    }

    @Test
    void vectorAndScalarFormsGiveTheSameBits() {
        float[] v = values();
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i += Vectors.L) {
            Exp.exp(FloatVector.fromArray(Vectors.F, v, i)).intoArray(out, i);
        }
        for (int i = 0; i < v.length; i++) {
            assertEquals(Float.floatToIntBits(Exp.exp(v[i])), Float.floatToIntBits(out[i]), "exp(" + v[i] + ")");
        }
    }
}
