package dev.prefixflow.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Builds a GGUF v3 file: metadata in insertion order (putting a key again replaces its value), then
 * tensors in insertion order, each padded to the alignment ({@code general.alignment} when put, else
 * 32). Tensor bytes may come from memory or be streamed by a {@link TensorContent} callback, so
 * multi-GB files can be written without holding them.
 */
public final class GgufWriter {

    /** Writes exactly the tensor's byte size into {@code out}; must not close it. */
    @FunctionalInterface
    public interface TensorContent {
        void writeTo(WritableByteChannel out) throws IOException;
    }

    private record Value(GgufValueType type, GgufValueType elementType, Object payload) {
    }

    private record Tensor(String name, GgmlType type, long[] dims, long byteSize, TensorContent content) {
    }

    private final Map<String, Value> metadata = new LinkedHashMap<>();
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();

    public GgufWriter putUInt8(String key, int value) {
        return scalar(key, GgufValueType.UINT8, value);
    }

    public GgufWriter putInt8(String key, int value) {
        return scalar(key, GgufValueType.INT8, value);
    }

    public GgufWriter putUInt16(String key, int value) {
        return scalar(key, GgufValueType.UINT16, value);
    }

    public GgufWriter putInt16(String key, int value) {
        return scalar(key, GgufValueType.INT16, value);
    }

    public GgufWriter putUInt32(String key, long value) {
        return scalar(key, GgufValueType.UINT32, value);
    }

    public GgufWriter putInt32(String key, int value) {
        return scalar(key, GgufValueType.INT32, value);
    }

    /** Writes the 64 bits as given, so values above {@link Long#MAX_VALUE} are passed as negative. */
    public GgufWriter putUInt64(String key, long value) {
        return scalar(key, GgufValueType.UINT64, value);
    }

    public GgufWriter putInt64(String key, long value) {
        return scalar(key, GgufValueType.INT64, value);
    }

    public GgufWriter putFloat32(String key, float value) {
        return put(key, new Value(GgufValueType.FLOAT32, null, value));
    }

    public GgufWriter putFloat64(String key, double value) {
        return put(key, new Value(GgufValueType.FLOAT64, null, value));
    }

    public GgufWriter putBool(String key, boolean value) {
        return put(key, new Value(GgufValueType.BOOL, null, value));
    }

    public GgufWriter putString(String key, String value) {
        return put(key, new Value(GgufValueType.STRING, null, value));
    }

    public GgufWriter putStringArray(String key, String... values) {
        return put(key, new Value(GgufValueType.ARRAY, GgufValueType.STRING, values.clone()));
    }

    public GgufWriter putFloatArray(String key, float... values) {
        return put(key, new Value(GgufValueType.ARRAY, GgufValueType.FLOAT32, values.clone()));
    }

    public GgufWriter putFloat64Array(String key, double... values) {
        return put(key, new Value(GgufValueType.ARRAY, GgufValueType.FLOAT64, values.clone()));
    }

    public GgufWriter putBoolArray(String key, boolean... values) {
        return put(key, new Value(GgufValueType.ARRAY, GgufValueType.BOOL, values.clone()));
    }

    public GgufWriter putInt32Array(String key, int... values) {
        return putIntArray(key, GgufValueType.INT32, values);
    }

    /** An array of UINT8, INT8, UINT16, INT16, UINT32 or INT32; each value must fit the type. */
    public GgufWriter putIntArray(String key, GgufValueType elementType, int... values) {
        if (!elementType.isInteger() || elementType == GgufValueType.UINT64
                || elementType == GgufValueType.INT64) {
            throw new IllegalArgumentException("putIntArray takes 8..32-bit integer types, not " + elementType);
        }
        for (int v : values) {
            checkRange(key, elementType, v);
        }
        return put(key, new Value(GgufValueType.ARRAY, elementType, values.clone()));
    }

    /** An array of UINT32, INT64 or UINT64 (raw 64 bits); each value must fit the type. */
    public GgufWriter putLongArray(String key, GgufValueType elementType, long... values) {
        if (elementType != GgufValueType.UINT32 && elementType != GgufValueType.INT64
                && elementType != GgufValueType.UINT64) {
            throw new IllegalArgumentException("putLongArray takes UINT32, INT64 or UINT64, not " + elementType);
        }
        for (long v : values) {
            checkRange(key, elementType, v);
        }
        return put(key, new Value(GgufValueType.ARRAY, elementType, values.clone()));
    }

    /**
     * An array of arrays. Each element is a String[], float[], double[], boolean[], int[] (written as
     * INT32), long[] (INT64) or an Object[] of the same kinds (nested further).
     */
    public GgufWriter putNestedArray(String key, Object... arrays) {
        for (Object a : arrays) {
            arrayType(a);
        }
        return put(key, new Value(GgufValueType.ARRAY, GgufValueType.ARRAY, arrays.clone()));
    }

    /**
     * Copies the metadata of {@code source} whose keys {@code keys} accepts, with their on-disk types
     * (arrays of arrays are written with the inner types {@link #putNestedArray} infers).
     */
    public GgufWriter copyMetadata(GgufFile source, Predicate<String> keys) {
        source.metadataEntries().forEach((key, e) -> {
            if (keys.test(key)) {
                put(key, new Value(e.type(), e.elementType(), e.value()));
            }
        });
        return this;
    }

    public GgufWriter addTensor(String name, GgmlType type, long[] dims, byte[] data) {
        return addTensor(name, type, dims, ByteBuffer.wrap(data));
    }

    /** The buffer's remaining bytes are the tensor's data; they are written as they are at write time. */
    public GgufWriter addTensor(String name, GgmlType type, long[] dims, ByteBuffer data) {
        ByteBuffer copy = data.duplicate();
        return addTensor(name, type, dims, copy.remaining(), out -> {
            ByteBuffer b = copy.duplicate();
            while (b.hasRemaining()) {
                out.write(b);
            }
        });
    }

    /** A streamed tensor; {@code byteSize} must match the type and dims and is checked on write. */
    public GgufWriter addTensor(String name, GgmlType type, long[] dims, long byteSize,
                                TensorContent content) {
        if (tensors.containsKey(name)) {
            throw new IllegalArgumentException("duplicate tensor '" + name + "'");
        }
        long expected = checkedByteSize(name, type, dims);
        if (byteSize != expected) {
            throw new IllegalArgumentException("tensor '" + name + "' of " + type + " with "
                    + dims.length + " dims needs " + expected + " bytes, given " + byteSize);
        }
        tensors.put(name, new Tensor(name, type, dims.clone(), byteSize, content));
        return this;
    }

    /** Writes the file, replacing any existing one. */
    public void write(Path path) throws IOException {
        long alignment = alignment();
        HeaderEncoder h = new HeaderEncoder();
        h.u32(GgufFile.MAGIC).u32(3).u64(tensors.size()).u64(metadata.size());
        for (Map.Entry<String, Value> kv : metadata.entrySet()) {
            h.string(kv.getKey()).u32(kv.getValue().type().id());
            Value v = kv.getValue();
            if (v.type() == GgufValueType.ARRAY) {
                encodeArray(h, v.elementType(), v.payload());
            } else {
                encodeScalar(h, v.type(), v.payload());
            }
        }
        long offset = 0;
        for (Tensor t : tensors.values()) {
            h.string(t.name()).u32(t.dims().length);
            for (long d : t.dims()) {
                h.u64(d);
            }
            h.u32(t.type().id()).u64(offset);
            offset = align(offset + t.byteSize(), alignment);
        }
        try (FileChannel out = FileChannel.open(path, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            writeFully(out, h.toBuffer());
            pad(out, align(h.size(), alignment) - h.size());
            for (Tensor t : tensors.values()) {
                CountingChannel counted = new CountingChannel(out);
                t.content().writeTo(counted);
                if (counted.count() != t.byteSize()) {
                    throw new IOException("tensor '" + t.name() + "' content wrote " + counted.count()
                            + " bytes, expected " + t.byteSize());
                }
                pad(out, align(t.byteSize(), alignment) - t.byteSize());
            }
        }
    }

    private long alignment() {
        Value v = metadata.get("general.alignment");
        if (v == null) {
            return GgufFile.DEFAULT_ALIGNMENT;
        }
        long a = v.payload() instanceof Number n && v.type().isInteger() ? n.longValue() : -1;
        if (a <= 0 || a > GgufFile.MAX_ALIGNMENT || Long.bitCount(a) != 1) {
            throw new IllegalStateException("general.alignment must be an integer power of two up to "
                    + GgufFile.MAX_ALIGNMENT + ", is " + v.payload());
        }
        return a;
    }

    private GgufWriter scalar(String key, GgufValueType type, long value) {
        checkRange(key, type, value);
        Number boxed = type == GgufValueType.UINT32 || type == GgufValueType.UINT64
                || type == GgufValueType.INT64 ? Long.valueOf(value) : Integer.valueOf((int) value);
        return put(key, new Value(type, null, boxed));
    }

    private GgufWriter put(String key, Value value) {
        metadata.put(key, value);
        return this;
    }

    private static void checkRange(String key, GgufValueType type, long v) {
        boolean ok = switch (type) {
            case UINT8 -> v >= 0 && v <= 0xFF;
            case INT8 -> v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE;
            case UINT16 -> v >= 0 && v <= 0xFFFF;
            case INT16 -> v >= Short.MIN_VALUE && v <= Short.MAX_VALUE;
            case UINT32 -> v >= 0 && v <= 0xFFFF_FFFFL;
            case INT32 -> v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE;
            default -> true;
        };
        if (!ok) {
            throw new IllegalArgumentException(key + ": " + v + " does not fit " + type);
        }
    }

    private static long checkedByteSize(String name, GgmlType type, long[] dims) {
        if (dims.length < 1 || dims.length > TensorInfoReader.MAX_DIMS) {
            throw new IllegalArgumentException("tensor '" + name + "' needs 1.."
                    + TensorInfoReader.MAX_DIMS + " dims, has " + dims.length);
        }
        long elements = 1;
        for (long d : dims) {
            if (d <= 0) {
                throw new IllegalArgumentException("tensor '" + name + "' has a non-positive dim " + d);
            }
            elements = Math.multiplyExact(elements, d);
        }
        if (dims[0] % type.blockSize() != 0) {
            throw new IllegalArgumentException("tensor '" + name + "' row length " + dims[0]
                    + " is not a multiple of the " + type + " block size " + type.blockSize());
        }
        return Math.multiplyExact(elements / type.blockSize(), (long) type.typeSize());
    }

    private static void encodeScalar(HeaderEncoder h, GgufValueType type, Object v) {
        switch (type) {
            case UINT8, INT8 -> h.u8(((Number) v).intValue());
            case UINT16, INT16 -> h.u16(((Number) v).intValue());
            case UINT32, INT32 -> h.u32(((Number) v).longValue());
            case UINT64, INT64 -> h.u64(((Number) v).longValue());
            case FLOAT32 -> h.f32((Float) v);
            case FLOAT64 -> h.f64((Double) v);
            case BOOL -> h.u8((Boolean) v ? 1 : 0);
            case STRING -> h.string((String) v);
            case ARRAY -> throw new IllegalArgumentException("arrays go through encodeArray");
        }
    }

    /** Element type id, count and elements of {@code array}, a Java array matching elementType. */
    private static void encodeArray(HeaderEncoder h, GgufValueType elementType, Object array) {
        h.u32(elementType.id());
        switch (elementType) {
            case STRING -> {
                String[] a = (String[]) array;
                h.u64(a.length);
                for (String s : a) {
                    h.string(s);
                }
            }
            case FLOAT32 -> {
                float[] a = (float[]) array;
                h.u64(a.length);
                for (float f : a) {
                    h.f32(f);
                }
            }
            case FLOAT64 -> {
                double[] a = (double[]) array;
                h.u64(a.length);
                for (double d : a) {
                    h.f64(d);
                }
            }
            case BOOL -> {
                boolean[] a = (boolean[]) array;
                h.u64(a.length);
                for (boolean b : a) {
                    h.u8(b ? 1 : 0);
                }
            }
            case ARRAY -> {
                Object[] a = (Object[]) array;
                h.u64(a.length);
                for (Object inner : a) {
                    encodeArray(h, arrayType(inner), inner);
                }
            }
            default -> {
                if (array instanceof int[] a) {
                    h.u64(a.length);
                    for (int v : a) {
                        encodeScalar(h, elementType, v);
                    }
                } else {
                    long[] a = (long[]) array;
                    h.u64(a.length);
                    for (long v : a) {
                        encodeScalar(h, elementType, v);
                    }
                }
            }
        }
    }

    /** The element type a nested Java array is written with. */
    private static GgufValueType arrayType(Object array) {
        if (array instanceof String[]) {
            return GgufValueType.STRING;
        } else if (array instanceof float[]) {
            return GgufValueType.FLOAT32;
        } else if (array instanceof double[]) {
            return GgufValueType.FLOAT64;
        } else if (array instanceof boolean[]) {
            return GgufValueType.BOOL;
        } else if (array instanceof int[]) {
            return GgufValueType.INT32;
        } else if (array instanceof long[]) {
            return GgufValueType.INT64;
        } else if (array instanceof Object[]) {
            return GgufValueType.ARRAY;
        }
        throw new IllegalArgumentException("not a supported array: " + array);
    }

    private static long align(long n, long alignment) {
        return (n + alignment - 1) / alignment * alignment;
    }

    private static void writeFully(WritableByteChannel out, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            out.write(b);
        }
    }

    private static void pad(WritableByteChannel out, long n) throws IOException {
        writeFully(out, ByteBuffer.allocate((int) n));
    }

    /** Forwards writes and counts the bytes, so a streamed tensor's size can be checked. */
    private static final class CountingChannel implements WritableByteChannel {
        private final WritableByteChannel target;
        private long count;

        CountingChannel(WritableByteChannel target) {
            this.target = target;
        }

        long count() {
            return count;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            int n = target.write(src);
            count += n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return target.isOpen();
        }

        /** The file belongs to the writer; a callback closing it must not end the file early. */
        @Override
        public void close() {
        }
    }
}
