package dev.prefixflow.connectors.arrow;

import java.io.IOException;
import java.nio.channels.Channels;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.core.fs.FSDataOutputStream;

/**
 * Writes records as an Arrow IPC file: record batches of up to {@code batchRows} rows, and the footer
 * when the part file is finished (on checkpoint), so a finished file is a complete Arrow file.
 */
public final class ArrowBatchWriter<T> implements BulkWriter<T> {
    private final BufferAllocator allocator = new RootAllocator();
    private final ArrowRowWriter<T> rowWriter;
    private final VectorSchemaRoot root;
    private final ArrowFileWriter writer;
    private final int batchRows;
    private int rows;

    public ArrowBatchWriter(FSDataOutputStream out, ArrowRowWriter<T> rowWriter, int batchRows) throws IOException {
        this.rowWriter = rowWriter;
        this.batchRows = batchRows;
        this.root = VectorSchemaRoot.create(rowWriter.schema(), allocator);
        this.writer = new ArrowFileWriter(root, null, Channels.newChannel(out));
        writer.start();
    }

    @Override
    public void addElement(T element) throws IOException {
        if (rows == 0) {
            root.allocateNew();
        }
        rowWriter.write(root, rows, element);
        rows++;
        if (rows == batchRows) {
            writeBatch();
        }
    }

    private void writeBatch() throws IOException {
        if (rows == 0) {
            return;
        }
        root.setRowCount(rows);
        writer.writeBatch();
        // The sink has no hook to free a writer it abandons on failover, so off-heap buffers are
        // held only while a batch fills: at most one partial batch can leak, never a whole file's.
        root.clear();
        rows = 0;
    }

    @Override
    public void flush() throws IOException {
        writeBatch();
    }

    @Override
    public void finish() throws IOException {
        writeBatch();
        // end() writes the footer; closing is left to the sink, which owns the stream.
        writer.end();
        root.close();
        allocator.close();
    }
}
