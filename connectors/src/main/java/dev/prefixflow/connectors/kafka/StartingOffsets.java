package dev.prefixflow.connectors.kafka;

/** Where a source starts reading each partition. */
public enum StartingOffsets {
    /** The first retained record. */
    EARLIEST,
    /** Only records written after the job starts. */
    LATEST,
    /** The group's committed offset, or the earliest record where the group has none. */
    COMMITTED
}
