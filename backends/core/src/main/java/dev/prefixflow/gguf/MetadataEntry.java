package dev.prefixflow.gguf;

/**
 * One decoded metadata value with its on-disk type (for arrays also the element type, else null) and
 * the file offset of the value, so that later type errors can point at it.
 */
record MetadataEntry(GgufValueType type, GgufValueType elementType, Object value, long offset) {

    String describe() {
        return type == GgufValueType.ARRAY ? "array of " + elementType : type.toString();
    }
}
