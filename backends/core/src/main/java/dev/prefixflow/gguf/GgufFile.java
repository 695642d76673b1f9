package dev.prefixflow.gguf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * A parsed GGUF file (versions 2 and 3). {@link #open} reads and validates the whole header through
 * positional reads, so files of any size work; tensor data is memory-mapped one tensor at a time by
 * {@link #load}. A single tensor larger than 2 GiB cannot be mapped (one {@link MappedByteBuffer}
 * holds at most 2 GiB) and is reported by {@link #load}.
 *
 * <p>Metadata values decode as: UINT8, INT8, UINT16, INT16, INT32 to Integer; UINT32, INT64 and
 * UINT64 to Long (UINT64 keeps its 64 bits, so values above {@link Long#MAX_VALUE} read as negative
 * in {@link #metadata()}; {@link #getLong} rejects them); FLOAT32 to Float; FLOAT64 to Double; BOOL
 * to Boolean; STRING to String. Arrays: of STRING to String[], FLOAT32 to float[], FLOAT64 to
 * double[], BOOL to boolean[], INT8..INT32 and UINT8..UINT16 to int[], UINT32 to int[] (long[] when
 * a value exceeds {@link Integer#MAX_VALUE}), INT64/UINT64 to long[], arrays of arrays to Object[].
 * Strings must be valid UTF-8.
 */
public final class GgufFile implements AutoCloseable {
    static final int MAGIC = 0x46554747;
    static final long DEFAULT_ALIGNMENT = 32;
    /** Alignments beyond 1 GiB make no sense and could overflow offset arithmetic. */
    static final long MAX_ALIGNMENT = 1L << 30;
    /** Fewest bytes of one key/value pair: key length, value type, a one-byte value. */
    private static final int MIN_KV_BYTES = 8 + 4 + 1;

    private final Path path;
    private final FileChannel channel;
    private final int version;
    private final long alignment;
    private final long dataOffset;
    private final Metadata metadata;
    private final Map<String, TensorInfo> tensors;

    private GgufFile(Path path, FileChannel channel, int version, long alignment, long dataOffset,
                     Metadata metadata, Map<String, TensorInfo> tensors) {
        this.path = path;
        this.channel = channel;
        this.version = version;
        this.alignment = alignment;
        this.dataOffset = dataOffset;
        this.metadata = metadata;
        this.tensors = tensors;
    }

    public static GgufFile open(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            return parse(path, channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static GgufFile parse(Path path, FileChannel channel) throws IOException {
        ChannelReader in = new ChannelReader(path, channel);
        int magic = in.i32("magic");
        if (magic != MAGIC) {
            throw in.error(0, "magic", String.format("expected \"GGUF\" (0x%08x), found 0x%08x",
                    MAGIC, magic));
        }
        long version = in.u32("version");
        if (version != 2 && version != 3) {
            throw in.error(4, "version", "expected version 2 or 3, found " + version);
        }
        long tensorCount = count(in, "tensor_count", TensorInfoReader.MIN_INFO_BYTES);
        long kvCount = count(in, "kv_count", MIN_KV_BYTES);
        // Both sections must fit in what is left of the file together.
        if (tensorCount * TensorInfoReader.MIN_INFO_BYTES + kvCount * MIN_KV_BYTES > in.remaining()) {
            throw in.error(8, "tensor_count", tensorCount + " tensors and " + kvCount
                    + " key/value pairs cannot fit in the " + in.remaining() + " bytes left");
        }
        Metadata metadata = new Metadata(path, new MetadataReader(in).read(kvCount));
        long alignment = alignment(path, metadata);
        Map<String, TensorInfoReader.Entry> entries = new TensorInfoReader(in).read(tensorCount);
        long dataOffset = (in.position() + alignment - 1) / alignment * alignment;
        Map<String, TensorInfo> tensors = TensorLayout.place(path, entries, dataOffset, alignment,
                in.size());
        return new GgufFile(path, channel, (int) version, alignment, dataOffset, metadata, tensors);
    }

    /** A section count, rejected when even minimal entries could not fit in the rest of the file. */
    private static long count(ChannelReader in, String field, int minEntryBytes) throws IOException {
        long at = in.position();
        long n = in.u64(field);
        if (n < 0 || n > in.remaining() / minEntryBytes) {
            throw in.error(at, field, "count " + Long.toUnsignedString(n) + " cannot fit in the "
                    + in.remaining() + " bytes left (each entry takes at least " + minEntryBytes + ")");
        }
        return n;
    }

    private static long alignment(Path path, Metadata metadata) throws GgufFormatException {
        String key = "general.alignment";
        Long value = metadata.getLong(key);
        if (value == null) {
            return DEFAULT_ALIGNMENT;
        }
        if (value <= 0 || value > MAX_ALIGNMENT || Long.bitCount(value) != 1) {
            throw new GgufFormatException(path, metadata.offset(key), key,
                    "expected a power of two up to " + MAX_ALIGNMENT + ", found " + value);
        }
        return value;
    }

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    public long alignment() {
        return alignment;
    }

    /** Absolute file offset of the tensor data section. */
    public long dataOffset() {
        return dataOffset;
    }

    /**
     * All metadata in file order; unmodifiable, though array values are the parsed arrays themselves
     * (the typed getters return copies).
     */
    public Map<String, Object> metadata() {
        return metadata.values();
    }

    Map<String, MetadataEntry> metadataEntries() {
        return metadata.entries();
    }

    public boolean has(String key) {
        return metadata.has(key);
    }

    /** File offset of the key's value, where errors about it point; -1 when the key is absent. */
    public long offset(String key) {
        return metadata.has(key) ? metadata.offset(key) : -1;
    }

    /** The string value, or null when absent. */
    public String getString(String key) throws GgufFormatException {
        return metadata.getString(key);
    }

    public String getString(String key, String def) throws GgufFormatException {
        String v = metadata.getString(key);
        return v == null ? def : v;
    }

    /** Any integer type; a UINT64 above {@link Long#MAX_VALUE} is an error. */
    public long getLong(String key, long def) throws GgufFormatException {
        Long v = metadata.getLong(key);
        return v == null ? def : v;
    }

    /** Any integer type whose value fits an int. */
    public int getInt(String key, int def) throws GgufFormatException {
        Integer v = metadata.getInt(key);
        return v == null ? def : v;
    }

    /** FLOAT32, FLOAT64 (narrowed) or any integer type. */
    public float getFloat(String key, float def) throws GgufFormatException {
        Float v = metadata.getFloat(key);
        return v == null ? def : v;
    }

    public boolean getBoolean(String key, boolean def) throws GgufFormatException {
        Boolean v = metadata.getBoolean(key);
        return v == null ? def : v;
    }

    /** A copy of a STRING array, or null when absent. */
    public String[] getStringArray(String key) throws GgufFormatException {
        return metadata.getStringArray(key);
    }

    /** A copy of a FLOAT32 (or narrowed FLOAT64) array, or null when absent. */
    public float[] getFloatArray(String key) throws GgufFormatException {
        return metadata.getFloatArray(key);
    }

    /** A copy of an array of any integer type whose values all fit an int, or null when absent. */
    public int[] getIntArray(String key) throws GgufFormatException {
        return metadata.getIntArray(key);
    }

    /** All tensors in file order (unmodifiable). */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /** The tensor's info, or null when absent. */
    public TensorInfo tensor(String name) {
        return tensors.get(name);
    }

    /**
     * Maps one tensor's bytes read-only. The mapping stays valid after {@link #close()}.
     *
     * @throws IllegalArgumentException when there is no such tensor
     * @throws GgufFormatException when the tensor is larger than the 2 GiB one mapping can hold
     */
    public TensorData load(String name) throws IOException {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new IllegalArgumentException("no tensor '" + name + "' in " + path);
        }
        if (info.byteSize() > Integer.MAX_VALUE) {
            throw new GgufFormatException(path, info.offset(), "tensor '" + name + "'", "its "
                    + info.byteSize() + " bytes exceed the 2 GiB that one memory mapping can hold");
        }
        MappedByteBuffer data = channel.map(FileChannel.MapMode.READ_ONLY, info.offset(), info.byteSize());
        data.order(ByteOrder.LITTLE_ENDIAN);
        return new TensorData(name, info.type(), info.dims(), data);
    }

    /** Closes the file channel; buffers from {@link #load} stay readable. */
    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing " + path, e);
        }
    }
}
