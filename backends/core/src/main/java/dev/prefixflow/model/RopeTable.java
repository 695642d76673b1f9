package dev.prefixflow.model;

/** Precomputed RoPE angles: cos and sin of position * base^(-2i/ropeDims) for every position and pair. */
public final class RopeTable {
    private final float[] cos;
    private final float[] sin;

    public RopeTable(int positions, int ropeDims, float base) {
        int pairs = ropeDims / 2;
        cos = new float[positions * pairs];
        sin = new float[positions * pairs];
        for (int i = 0; i < pairs; i++) {
            // float arithmetic for the frequency and angle, as the reference implementations do
            float freq = (float) (1.0 / Math.pow(base, (2 * i) / (double) ropeDims));
            for (int pos = 0; pos < positions; pos++) {
                float angle = pos * freq;
                cos[pos * pairs + i] = (float) Math.cos(angle);
                sin[pos * pairs + i] = (float) Math.sin(angle);
            }
        }
    }

    public float[] cos() {
        return cos;
    }

    public float[] sin() {
        return sin;
    }
}
