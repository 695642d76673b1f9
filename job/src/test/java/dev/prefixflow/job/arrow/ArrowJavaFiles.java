package dev.prefixflow.job.arrow;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.prefixflow.job.pipeline.ResultSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.ipc.ArrowFileReader;

/** Reads result files back with Arrow Java's IPC file reader (which needs the footer). */
public final class ArrowJavaFiles {
    private ArrowJavaFiles() {
    }

    /** All rows of the files, in file and batch order; asserts each file's schema. */
    public static List<ResultRow> read(List<Path> files) throws IOException {
        List<ResultRow> rows = new ArrayList<>();
        try (BufferAllocator allocator = new RootAllocator()) {
            for (Path file : files) {
                rows.addAll(read(file, allocator));
            }
        }
        return rows;
    }

    /** The number of record batches in a file, from its footer. */
    static int batches(Path file) throws IOException {
        try (BufferAllocator allocator = new RootAllocator();
             ArrowFileReader reader = new ArrowFileReader(Files.newByteChannel(file), allocator)) {
            return reader.getRecordBlocks().size();
        }
    }

    private static List<ResultRow> read(Path file, BufferAllocator allocator) throws IOException {
        List<ResultRow> rows = new ArrayList<>();
        try (ArrowFileReader reader = new ArrowFileReader(Files.newByteChannel(file), allocator)) {
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            assertEquals(ResultSchema.SCHEMA, root.getSchema(), "schema of " + file);
            while (reader.loadNextBatch()) {
                for (int i = 0; i < root.getRowCount(); i++) {
                    rows.add(row(root, i));
                }
            }
        }
        return rows;
    }

    private static ResultRow row(VectorSchemaRoot root, int i) {
        return new ResultRow(text(root, "id", i), integer(root, "choice_index", i), ints(root, "prompt_token_ids", i),
                ints(root, "token_ids", i),
                text(root, "text", i), text(root, "finish_reason", i), integer(root, "prompt_tokens", i),
                integer(root, "cached_tokens", i), integer(root, "completion_tokens", i),
                number(root, "queued_ms", i), number(root, "ttft_ms", i), number(root, "e2e_ms", i),
                text(root, "error", i));
    }

    private static String text(VectorSchemaRoot root, String field, int i) {
        VarCharVector v = (VarCharVector) root.getVector(field);
        return v.isNull(i) ? null : new String(v.get(i), UTF_8);
    }

    @SuppressWarnings("unchecked")
    private static List<Integer> ints(VectorSchemaRoot root, String field, int i) {
        return List.copyOf((List<Integer>) ((ListVector) root.getVector(field)).getObject(i));
    }

    private static int integer(VectorSchemaRoot root, String field, int i) {
        return ((IntVector) root.getVector(field)).get(i);
    }

    private static double number(VectorSchemaRoot root, String field, int i) {
        return ((Float8Vector) root.getVector(field)).get(i);
    }
}
