package dev.prefixflow.gguf;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Typed lookups over decoded metadata; a value of the wrong type is a {@link GgufFormatException}. */
final class Metadata {
    private final Path path;
    private final Map<String, MetadataEntry> entries;
    private final Map<String, Object> values;

    Metadata(Path path, Map<String, MetadataEntry> entries) {
        this.path = path;
        this.entries = entries;
        Map<String, Object> v = new LinkedHashMap<>();
        entries.forEach((k, e) -> v.put(k, e.value()));
        this.values = Collections.unmodifiableMap(v);
    }

    Map<String, Object> values() {
        return values;
    }

    /** The decoded entries with their on-disk types, in file order. */
    Map<String, MetadataEntry> entries() {
        return Collections.unmodifiableMap(entries);
    }

    boolean has(String key) {
        return entries.containsKey(key);
    }

    /** File offset of the key's value; the key must be present. */
    long offset(String key) {
        return entries.get(key).offset();
    }

    String getString(String key) throws GgufFormatException {
        MetadataEntry e = entries.get(key);
        if (e == null) {
            return null;
        }
        if (e.type() != GgufValueType.STRING) {
            throw mismatch(key, e, "a string");
        }
        return (String) e.value();
    }

    /** Null when absent; UINT64 values above {@link Long#MAX_VALUE} are rejected, not wrapped. */
    Long getLong(String key) throws GgufFormatException {
        MetadataEntry e = entries.get(key);
        if (e == null) {
            return null;
        }
        if (!e.type().isInteger()) {
            throw mismatch(key, e, "an integer");
        }
        long v = ((Number) e.value()).longValue();
        if (e.type() == GgufValueType.UINT64 && v < 0) {
            throw new GgufFormatException(path, e.offset(), key, "expected an integer up to "
                    + Long.MAX_VALUE + ", found " + Long.toUnsignedString(v));
        }
        return v;
    }

    Integer getInt(String key) throws GgufFormatException {
        Long v = getLong(key);
        if (v == null) {
            return null;
        }
        if (v != v.intValue()) {
            throw new GgufFormatException(path, entries.get(key).offset(), key,
                    "expected a 32-bit integer, found " + v);
        }
        return v.intValue();
    }

    Float getFloat(String key) throws GgufFormatException {
        MetadataEntry e = entries.get(key);
        if (e == null) {
            return null;
        }
        if (e.type() == GgufValueType.FLOAT32 || e.type() == GgufValueType.FLOAT64) {
            return ((Number) e.value()).floatValue();
        }
        if (e.type().isInteger()) {
            return getLong(key).floatValue();
        }
        throw mismatch(key, e, "a float");
    }

    Boolean getBoolean(String key) throws GgufFormatException {
        MetadataEntry e = entries.get(key);
        if (e == null) {
            return null;
        }
        if (e.type() != GgufValueType.BOOL) {
            throw mismatch(key, e, "a bool");
        }
        return (Boolean) e.value();
    }

    String[] getStringArray(String key) throws GgufFormatException {
        MetadataEntry e = array(key, "an array of strings", GgufValueType.STRING);
        return e == null ? null : ((String[]) e.value()).clone();
    }

    float[] getFloatArray(String key) throws GgufFormatException {
        MetadataEntry e = array(key, "an array of floats", GgufValueType.FLOAT32, GgufValueType.FLOAT64);
        if (e == null) {
            return null;
        }
        if (e.value() instanceof float[] f) {
            return f.clone();
        }
        double[] d = (double[]) e.value();
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (float) d[i];
        }
        return out;
    }

    int[] getIntArray(String key) throws GgufFormatException {
        MetadataEntry e = entries.get(key);
        if (e == null) {
            return null;
        }
        if (e.type() != GgufValueType.ARRAY || !e.elementType().isInteger()) {
            throw mismatch(key, e, "an array of integers");
        }
        if (e.value() instanceof int[] i) {
            return i.clone();
        }
        long[] wide = (long[]) e.value();
        int[] out = new int[wide.length];
        for (int i = 0; i < wide.length; i++) {
            // A negative UINT64 is a value above Long.MAX_VALUE, so it cannot fit either.
            boolean negativeUnsigned = e.elementType() == GgufValueType.UINT64 && wide[i] < 0;
            if (negativeUnsigned || wide[i] != (int) wide[i]) {
                throw new GgufFormatException(path, e.offset(), key, "element " + i
                        + " does not fit a 32-bit integer: " + (negativeUnsigned
                                ? Long.toUnsignedString(wide[i]) : Long.toString(wide[i])));
            }
            out[i] = (int) wide[i];
        }
        return out;
    }

    private MetadataEntry array(String key, String expected, GgufValueType... elementTypes)
            throws GgufFormatException {
        MetadataEntry e = entries.get(key);
        if (e == null) {
            return null;
        }
        if (e.type() == GgufValueType.ARRAY) {
            for (GgufValueType t : elementTypes) {
                if (e.elementType() == t) {
                    return e;
                }
            }
        }
        throw mismatch(key, e, expected);
    }

    private GgufFormatException mismatch(String key, MetadataEntry e, String expected) {
        return new GgufFormatException(path, e.offset(), key, "expected " + expected + ", found "
                + e.describe());
    }
}
