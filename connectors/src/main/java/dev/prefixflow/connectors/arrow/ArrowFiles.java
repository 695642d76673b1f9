package dev.prefixflow.connectors.arrow;

import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;

/**
 * A sink of Arrow IPC files in a directory, rolled and committed on every checkpoint (bulk formats
 * always are): a reader only ever sees complete files ({@code part-*.arrow}); files being written
 * are hidden ({@code .part-*.inprogress.*}).
 */
public final class ArrowFiles {
    public static final int BATCH_ROWS = 1024;

    private ArrowFiles() {
    }

    /** Writes each record as one row, in batches of {@link #BATCH_ROWS}. */
    public static <T> FileSink<T> sink(String directory, ArrowRowWriter<T> rows) {
        BulkWriter.Factory<T> factory = out -> new ArrowBatchWriter<>(out, rows, BATCH_ROWS);
        return FileSink.forBulkFormat(new Path(directory), factory)
                .withBucketAssigner(new BasePathBucketAssigner<>())
                .withOutputFileConfig(OutputFileConfig.builder().withPartPrefix("part").withPartSuffix(".arrow").build())
                .build();
    }
}
