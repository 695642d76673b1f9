package dev.prefixflow.model;

/**
 * Precomputed RoPE angles: cos and sin of position * base^(-2i/ropeDims) / factor[i] for every
 * position and pair i. The optional per-pair factors are Llama 3.1's {@code rope_freqs.weight}.
 */
public final class RopeTable {
    private final float[] cos;
    private final float[] sin;

    /** @param freqFactors ropeDims/2 divisors of the pairs' frequencies, or null for none */
    public RopeTable(int positions, int ropeDims, float base, float[] freqFactors) {
        int pairs = ropeDims / 2;
        if (freqFactors != null && freqFactors.length != pairs) {
            throw new IllegalArgumentException("expected " + pairs + " RoPE frequency factors, got "
                    + freqFactors.length);
        }
        cos = new float[positions * pairs];
        sin = new float[positions * pairs];
        for (int i = 0; i < pairs; i++) {
            // float arithmetic for the frequency and angle, as the reference implementations do
            float freq = (float) (1.0 / Math.pow(base, (2 * i) / (double) ropeDims));
            for (int pos = 0; pos < positions; pos++) {
                // ggml divides the angle (not the frequency) by the factor; a factor of 1 changes nothing
                float angle = freqFactors == null ? pos * freq : pos * freq / freqFactors[i];
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
