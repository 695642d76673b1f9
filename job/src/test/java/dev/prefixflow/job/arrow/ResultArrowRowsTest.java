package dev.prefixflow.job.arrow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.prefixflow.connectors.arrow.ArrowBatchWriter;
import dev.prefixflow.flink.InferenceResult;
import dev.prefixflow.job.pipeline.ResultArrowRows;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.core.fs.local.LocalDataOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Arrow writer with the result rows on its own, with batches small enough that one file holds many. */
class ResultArrowRowsTest {

    @TempDir
    Path dir;

    @Test
    void rowsSpanningManyBatchesAndFlushesReadBackExactly() throws Exception {
        List<InferenceResult> results = SampleResults.of(20);
        Path file = dir.resolve("results.arrow");
        try (LocalDataOutputStream out = new LocalDataOutputStream(file.toFile())) {
            ArrowBatchWriter<InferenceResult> writer = new ArrowBatchWriter<>(out, new ResultArrowRows(), 3);
            // 7 rows (two full batches and one flushed), then 13 (four full batches and one finished).
            results.subList(0, 7).forEach(r -> add(writer, r));
            writer.flush();
            results.subList(7, 20).forEach(r -> add(writer, r));
            writer.finish();
        }

        assertEquals(results.stream().map(ResultRow::of).toList(), ArrowJavaFiles.read(List.of(file)));
        assertEquals(8, ArrowJavaFiles.batches(file));
    }

    @Test
    void aFileWithoutRowsIsStillAValidArrowFile() throws Exception {
        Path file = dir.resolve("empty.arrow");
        try (LocalDataOutputStream out = new LocalDataOutputStream(file.toFile())) {
            ArrowBatchWriter<InferenceResult> writer = new ArrowBatchWriter<>(out, new ResultArrowRows(), 3);
            writer.flush();
            writer.finish();
        }

        assertEquals(List.of(), ArrowJavaFiles.read(List.of(file)));
        assertEquals(0, ArrowJavaFiles.batches(file));
    }

    private static void add(ArrowBatchWriter<InferenceResult> writer, InferenceResult r) {
        try {
            writer.addElement(r);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
