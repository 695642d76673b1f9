package dev.prefixflow.cpu;

/** Rotary position embedding with caller-supplied cos/sin tables, in the NeoX or adjacent-pair layout. */
final class Rope {

    private Rope() {
    }

    static void apply(float[] x, int n, int heads, int headDim, int ropeDims, int[] positions, int positionOffset,
                      float[] cos, float[] sin, boolean neox) {
        int half = ropeDims / 2;
        for (int t = 0; t < n; t++) {
            int angles = positions[positionOffset + t] * half;
            for (int h = 0; h < heads; h++) {
                int base = (t * heads + h) * headDim;
                for (int i = 0; i < half; i++) {
                    int a = neox ? base + i : base + 2 * i;
                    int b = neox ? a + half : a + 1;
                    float c = cos[angles + i];
                    float s = sin[angles + i];
                    float x0 = x[a];
                    float x1 = x[b];
                    x[a] = x0 * c - x1 * s;
                    x[b] = x0 * s + x1 * c;
                }
            }
        }
    }
}
