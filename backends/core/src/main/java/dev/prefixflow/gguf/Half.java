package dev.prefixflow.gguf;

/** IEEE 754 half precision conversions; {@code Float.float16ToFloat} and back only arrive in Java 20. */
public final class Half {
    private Half() {
    }

    /** Exact conversion, including subnormals, infinities and NaN payloads. */
    public static float toFloat(short half) {
        int h = half & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1F;
        int mantissa = h & 0x3FF;
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F80_0000 | (mantissa << 13));
        }
        if (exponent == 0) {
            // Zero or subnormal: mantissa * 2^-24, exact in float.
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        // Rebias the exponent from 15 to 127.
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /** Round-to-nearest-even conversion; too large values become infinity, tiny ones subnormals or zero. */
    public static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7FFF_FFFF;
        if (abs >= 0x7F80_0000) {
            // Infinity stays infinity; NaN keeps its top payload bits and stays quiet.
            int nan = abs > 0x7F80_0000 ? 0x200 | ((abs >>> 13) & 0x3FF) : 0;
            return (short) (sign | 0x7C00 | nan);
        }
        if (abs >= 0x477F_F000) {
            // 65520 and up round past the largest half, 65504.
            return (short) (sign | 0x7C00);
        }
        if (abs < 0x3880_0000) {
            // Below 2^-14 the half is subnormal, in units of 2^-24; rint rounds ties to even.
            return (short) (sign | (int) Math.rint(Float.intBitsToFloat(abs) * 0x1p24));
        }
        // Rebias the exponent from 127 to 15 and round the 13 dropped mantissa bits to even.
        int h = (abs - 0x3800_0000) >>> 13;
        int dropped = abs & 0x1FFF;
        if (dropped > 0x1000 || (dropped == 0x1000 && (h & 1) == 1)) {
            h++;
        }
        return (short) (sign | h);
    }
}
