package dev.prefixflow.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RopeTableTest {
    static final int POSITIONS = 50;
    static final int DIMS = 8;
    static final float BASE = 500000f;

    @Test
    void anglesArePositionTimesBasePowerDividedByTheFactor() {
        float[] factors = {1f, 2f, 3.5f, 32f};
        RopeTable table = new RopeTable(POSITIONS, DIMS, BASE, factors);
        for (int pos : new int[] {0, 1, 7, POSITIONS - 1}) {
            for (int i = 0; i < DIMS / 2; i++) {
                // theta_i = pos * base^(-2i/d) / factor_i, in double
                double angle = pos * Math.pow(BASE, -2.0 * i / DIMS) / factors[i];
                String at = "position " + pos + " pair " + i;
                // float rounding of an angle up to 49 rad is a few 1e-6
                assertEquals(Math.cos(angle), table.cos()[pos * DIMS / 2 + i], 2e-5, at);
                assertEquals(Math.sin(angle), table.sin()[pos * DIMS / 2 + i], 2e-5, at);
            }
        }
    }

    @Test
    void rejectsAFactorCountOtherThanOnePerPair() {
        assertThrows(IllegalArgumentException.class, () -> new RopeTable(POSITIONS, DIMS, BASE, new float[3]));
    }
}
