package dev.prefixflow.connectors.arrow;

import java.io.Serializable;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * How records of type {@code T} become rows of an Arrow file: the schema, and the filling of one row.
 * Passed to {@link ArrowFiles#sink}, as a serialization schema is passed to Flink's KafkaSink, so the
 * connector knows nothing of the records it writes. {@link ArrowColumns} fills the common column types.
 */
public interface ArrowRowWriter<T> extends Serializable {

    Schema schema();

    /** Sets every column of row {@code row} of {@code root} from {@code element}. */
    void write(VectorSchemaRoot root, int row, T element);
}
