package dev.prefixflow.connectors.kafka;

import java.util.Arrays;
import java.util.Objects;

/** One output record for Kafka: a string id (the record key) and opaque value bytes. */
public record KeyedBytes(String key, byte[] value) {

    public KeyedBytes {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }

    // A record compares arrays by reference; records are values here, so compare contents.
    @Override
    public boolean equals(Object o) {
        return o instanceof KeyedBytes other && key.equals(other.key) && Arrays.equals(value, other.value);
    }

    @Override
    public int hashCode() {
        return 31 * key.hashCode() + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "KeyedBytes[key=" + key + ", value=" + value.length + " bytes]";
    }
}
