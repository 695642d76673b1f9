package dev.prefixflow.gguf;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decodes the tensor-info section and checks each entry on its own: name, shape, type and sizes.
 * Where the data lies (alignment, bounds, overlaps) is {@link TensorLayout}'s job.
 */
final class TensorInfoReader {
    /** ggml tensors have at most 4 dimensions. */
    static final int MAX_DIMS = 4;
    static final int MAX_NAME_BYTES = 65_535;
    /** Fewest bytes of one tensor info: name length, n_dims, one dim, type, offset. */
    static final int MIN_INFO_BYTES = 8 + 4 + 8 + 4 + 8;

    /** A parsed entry; {@code offsetAt} is where its offset field is, for layout errors. */
    record Entry(String name, GgmlType type, long[] dims, long relativeOffset, long byteSize,
                 long offsetAt) {
    }

    private final ChannelReader in;

    TensorInfoReader(ChannelReader in) {
        this.in = in;
    }

    Map<String, Entry> read(long count) throws IOException {
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (long i = 0; i < count; i++) {
            String nameField = "tensor[" + i + "].name";
            long nameAt = in.position();
            String name = in.string(nameField, MAX_NAME_BYTES);
            if (entries.containsKey(name)) {
                throw in.error(nameAt, nameField, "duplicate tensor name '" + name + "'");
            }
            entries.put(name, readBody(name));
        }
        return entries;
    }

    private Entry readBody(String name) throws IOException {
        String field = "tensor '" + name + "' ";
        long nDimsAt = in.position();
        long nDims = in.u32(field + "n_dims");
        if (nDims < 1 || nDims > MAX_DIMS) {
            throw in.error(nDimsAt, field + "n_dims", "expected 1.." + MAX_DIMS + " dimensions, found "
                    + nDims);
        }
        long dimsAt = in.position();
        long[] dims = new long[(int) nDims];
        long elements = 1;
        for (int d = 0; d < dims.length; d++) {
            long at = in.position();
            dims[d] = in.u64(field + "dims[" + d + "]");
            if (dims[d] <= 0) {
                throw in.error(at, field + "dims[" + d + "]", "dimension must be positive, found "
                        + Long.toUnsignedString(dims[d]));
            }
            try {
                elements = Math.multiplyExact(elements, dims[d]);
            } catch (ArithmeticException e) {
                throw in.error(dimsAt, field + "dims", "element count overflows 64 bits");
            }
        }
        long typeAt = in.position();
        long typeId = in.u32(field + "type");
        GgmlType type = typeId > Integer.MAX_VALUE ? null : GgmlType.byId((int) typeId);
        if (type == null) {
            throw in.error(typeAt, field + "type", "unknown ggml type id " + typeId);
        }
        if (dims[0] % type.blockSize() != 0) {
            throw in.error(dimsAt, field + "dims[0]", "row length " + dims[0]
                    + " is not a multiple of the " + type + " block size " + type.blockSize());
        }
        long byteSize;
        try {
            byteSize = Math.multiplyExact(elements / type.blockSize(), (long) type.typeSize());
        } catch (ArithmeticException e) {
            throw in.error(dimsAt, field + "dims", "byte size overflows 64 bits");
        }
        long offsetAt = in.position();
        long offset = in.u64(field + "offset");
        return new Entry(name, type, dims, offset, byteSize, offsetAt);
    }
}
