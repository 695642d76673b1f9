package dev.prefixflow.connectors.arrow;

import dev.prefixflow.flink.InferenceResult;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.core.fs.FSDataOutputStream;

/**
 * Writes results as an Arrow IPC file: record batches of up to {@code batchRows} rows, and the
 * footer when the part file is finished (on checkpoint), so a finished file is a complete Arrow file.
 */
final class ArrowResultWriter implements BulkWriter<InferenceResult> {
    private final BufferAllocator allocator = new RootAllocator();
    private final VectorSchemaRoot root = VectorSchemaRoot.create(ResultSchema.SCHEMA, allocator);
    private final ArrowFileWriter writer;
    private final int batchRows;
    private int rows;

    ArrowResultWriter(FSDataOutputStream out, int batchRows) throws IOException {
        this.batchRows = batchRows;
        this.writer = new ArrowFileWriter(root, null, Channels.newChannel(out));
        writer.start();
    }

    @Override
    public void addElement(InferenceResult r) throws IOException {
        if (rows == 0) {
            root.allocateNew();
        }
        setText("id", r.id);
        setInts("prompt_token_ids", r.promptTokenIds);
        setInts("token_ids", r.tokenIds);
        setText("text", r.text);
        setText("finish_reason", r.finishReason);
        ((IntVector) root.getVector("prompt_tokens")).setSafe(rows, r.promptTokens);
        ((IntVector) root.getVector("cached_tokens")).setSafe(rows, r.cachedTokens);
        ((IntVector) root.getVector("completion_tokens")).setSafe(rows, r.completionTokens);
        ((Float8Vector) root.getVector("queued_ms")).setSafe(rows, r.queuedMs);
        ((Float8Vector) root.getVector("ttft_ms")).setSafe(rows, r.ttftMs);
        ((Float8Vector) root.getVector("e2e_ms")).setSafe(rows, r.e2eMs);
        setText("error", r.error);
        rows++;
        if (rows == batchRows) {
            writeBatch();
        }
    }

    private void setText(String field, String value) {
        VarCharVector v = (VarCharVector) root.getVector(field);
        if (value == null) {
            v.setNull(rows);
        } else {
            v.setSafe(rows, value.getBytes(StandardCharsets.UTF_8));
        }
    }

    private void setInts(String field, int[] values) {
        UnionListWriter list = ((ListVector) root.getVector(field)).getWriter();
        list.setPosition(rows);
        list.startList();
        for (int v : values) {
            list.integer().writeInt(v);
        }
        list.endList();
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
