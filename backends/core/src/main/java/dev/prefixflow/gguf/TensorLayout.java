package dev.prefixflow.gguf;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Places parsed tensor infos in the file: each offset must be aligned, each tensor must lie inside the
 * file, and no two tensors may overlap.
 */
final class TensorLayout {
    private TensorLayout() {
    }

    static Map<String, TensorInfo> place(Path path, Map<String, TensorInfoReader.Entry> entries,
                                         long dataOffset, long alignment, long fileSize)
            throws GgufFormatException {
        long dataBytes = Math.max(0, fileSize - dataOffset);
        for (TensorInfoReader.Entry e : entries.values()) {
            String field = "tensor '" + e.name() + "' offset";
            long rel = e.relativeOffset();
            if (rel % alignment != 0) {
                throw new GgufFormatException(path, e.offsetAt(), field, "offset "
                        + Long.toUnsignedString(rel) + " is not a multiple of the alignment " + alignment);
            }
            if (rel < 0 || rel > dataBytes || e.byteSize() > dataBytes - rel) {
                throw new GgufFormatException(path, e.offsetAt(), field, "data of "
                        + e.byteSize() + " bytes at data offset " + Long.toUnsignedString(rel)
                        + " lies outside the file (data section holds " + dataBytes + " bytes)");
            }
        }
        List<TensorInfoReader.Entry> byOffset = new ArrayList<>(entries.values());
        byOffset.sort(Comparator.comparingLong(TensorInfoReader.Entry::relativeOffset));
        for (int i = 1; i < byOffset.size(); i++) {
            TensorInfoReader.Entry prev = byOffset.get(i - 1);
            TensorInfoReader.Entry next = byOffset.get(i);
            if (next.relativeOffset() < prev.relativeOffset() + prev.byteSize()) {
                throw new GgufFormatException(path, next.offsetAt(), "tensor '" + next.name()
                        + "' offset", "data overlaps tensor '" + prev.name() + "'");
            }
        }
        Map<String, TensorInfo> placed = new LinkedHashMap<>();
        for (TensorInfoReader.Entry e : entries.values()) {
            placed.put(e.name(), new TensorInfo(e.name(), e.type(), e.dims(),
                    dataOffset + e.relativeOffset(), e.byteSize()));
        }
        return Collections.unmodifiableMap(placed);
    }
}
