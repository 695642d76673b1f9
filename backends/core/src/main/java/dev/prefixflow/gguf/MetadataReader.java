package dev.prefixflow.gguf;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decodes the key/value section of a GGUF header into Java values (see {@link GgufFile#metadata()}
 * for the mapping). Counts and lengths are checked against the bytes left in the file before
 * anything is allocated.
 */
final class MetadataReader {
    /** The GGUF spec limits keys to 65535 bytes. */
    static final int MAX_KEY_BYTES = 65_535;
    /** Generous for chat templates and the like, small enough to never threaten the heap. */
    static final int MAX_STRING_BYTES = 64 << 20;
    /** Vocabularies have a few 100k entries; 16M leaves room while bounding per-array memory. */
    static final long MAX_ARRAY_LENGTH = 1 << 24;
    /** Real files never nest arrays; a bound keeps crafted ones from exhausting the stack. */
    static final int MAX_NESTING = 8;

    private final ChannelReader in;

    MetadataReader(ChannelReader in) {
        this.in = in;
    }

    Map<String, MetadataEntry> read(long count) throws IOException {
        Map<String, MetadataEntry> entries = new LinkedHashMap<>();
        for (long i = 0; i < count; i++) {
            String keyField = "kv[" + i + "].key";
            long keyAt = in.position();
            String key = in.string(keyField, MAX_KEY_BYTES);
            if (entries.containsKey(key)) {
                throw in.error(keyAt, keyField, "duplicate key '" + key + "'");
            }
            String field = "kv '" + key + "'";
            GgufValueType type = readType(field + " type");
            long valueAt = in.position();
            if (type == GgufValueType.ARRAY) {
                long typeAt = in.position();
                GgufValueType elementType = readType(field + " element type");
                entries.put(key, new MetadataEntry(type, elementType,
                        readArrayBody(elementType, typeAt, field, 1), valueAt));
            } else {
                entries.put(key, new MetadataEntry(type, null, readScalar(type, field), valueAt));
            }
        }
        return entries;
    }

    private GgufValueType readType(String field) throws IOException {
        long at = in.position();
        long id = in.u32(field);
        GgufValueType type = GgufValueType.byId(id);
        if (type == null) {
            throw in.error(at, field, "unknown value type " + id + " (expected 0..12)");
        }
        return type;
    }

    private Object readScalar(GgufValueType type, String field) throws IOException {
        return switch (type) {
            case UINT8 -> Integer.valueOf(in.u8(field));
            case INT8 -> Integer.valueOf(in.i8(field));
            case UINT16 -> Integer.valueOf(in.u16(field));
            case INT16 -> Integer.valueOf(in.i16(field));
            case INT32 -> Integer.valueOf(in.i32(field));
            case UINT32 -> Long.valueOf(in.u32(field));
            case UINT64, INT64 -> Long.valueOf(in.u64(field));
            case FLOAT32 -> Float.valueOf(in.f32(field));
            case FLOAT64 -> Double.valueOf(in.f64(field));
            case BOOL -> Boolean.valueOf(readBool(field));
            case STRING -> in.string(field, MAX_STRING_BYTES);
            case ARRAY -> throw new IllegalArgumentException("arrays are read by readArrayBody");
        };
    }

    private boolean readBool(String field) throws IOException {
        long at = in.position();
        int b = in.u8(field);
        if (b > 1) {
            throw in.error(at, field, "bool must be 0 or 1, found " + b);
        }
        return b == 1;
    }

    /** Reads an array's count and elements; {@code at} is where the array (its element type) starts. */
    private Object readArrayBody(GgufValueType elementType, long at, String field, int depth)
            throws IOException {
        if (depth > MAX_NESTING) {
            throw in.error(at, field, "arrays nested deeper than " + MAX_NESTING + " levels");
        }
        long countAt = in.position();
        long n = in.u64(field + " length");
        if (n < 0 || n > MAX_ARRAY_LENGTH) {
            throw in.error(countAt, field + " length", "array length " + Long.toUnsignedString(n)
                    + " exceeds the limit of " + MAX_ARRAY_LENGTH);
        }
        if (n * elementType.minSize() > in.remaining()) {
            throw in.error(countAt, field + " length", "array of " + n + " " + elementType
                    + " needs at least " + n * elementType.minSize() + " bytes, only "
                    + in.remaining() + " left in the file");
        }
        int length = (int) n;
        String element = field + " element";
        switch (elementType) {
            case STRING: {
                String[] a = new String[length];
                for (int i = 0; i < length; i++) {
                    a[i] = in.string(element, MAX_STRING_BYTES);
                }
                return a;
            }
            case FLOAT32: {
                float[] a = new float[length];
                for (int i = 0; i < length; i++) {
                    a[i] = in.f32(element);
                }
                return a;
            }
            case FLOAT64: {
                double[] a = new double[length];
                for (int i = 0; i < length; i++) {
                    a[i] = in.f64(element);
                }
                return a;
            }
            case BOOL: {
                boolean[] a = new boolean[length];
                for (int i = 0; i < length; i++) {
                    a[i] = readBool(element);
                }
                return a;
            }
            case UINT8, INT8, UINT16, INT16, INT32: {
                int[] a = new int[length];
                for (int i = 0; i < length; i++) {
                    a[i] = ((Number) readScalar(elementType, element)).intValue();
                }
                return a;
            }
            case UINT32:
                return readUInt32Array(length, element);
            case UINT64, INT64: {
                long[] a = new long[length];
                for (int i = 0; i < length; i++) {
                    a[i] = in.u64(element);
                }
                return a;
            }
            case ARRAY: {
                Object[] a = new Object[length];
                for (int i = 0; i < length; i++) {
                    long innerAt = in.position();
                    GgufValueType inner = readType(element + " type");
                    a[i] = readArrayBody(inner, innerAt, field + "[" + i + "]", depth + 1);
                }
                return a;
            }
            default:
                throw new AssertionError(elementType);
        }
    }

    /** int[] when every value fits an int (the common case: token types, ids), else long[]. */
    private Object readUInt32Array(int length, String element) throws IOException {
        long[] wide = new long[length];
        boolean fitsInt = true;
        for (int i = 0; i < length; i++) {
            wide[i] = in.u32(element);
            fitsInt &= wide[i] <= Integer.MAX_VALUE;
        }
        if (!fitsInt) {
            return wide;
        }
        int[] narrow = new int[length];
        for (int i = 0; i < length; i++) {
            narrow[i] = (int) wide[i];
        }
        return narrow;
    }
}
