package dev.prefixflow.connectors.arrow;

import java.nio.charset.StandardCharsets;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;

/** Setters for one row's value of the column types row writers use: UTF-8 text, int32, float64, list of int32. */
public final class ArrowColumns {

    private ArrowColumns() {
    }

    /** A UTF-8 value, or null. */
    public static void text(VectorSchemaRoot root, String field, int row, String value) {
        VarCharVector v = (VarCharVector) root.getVector(field);
        if (value == null) {
            v.setNull(row);
        } else {
            v.setSafe(row, value.getBytes(StandardCharsets.UTF_8));
        }
    }

    public static void int32(VectorSchemaRoot root, String field, int row, int value) {
        ((IntVector) root.getVector(field)).setSafe(row, value);
    }

    public static void float64(VectorSchemaRoot root, String field, int row, double value) {
        ((Float8Vector) root.getVector(field)).setSafe(row, value);
    }

    public static void int32List(VectorSchemaRoot root, String field, int row, int[] values) {
        UnionListWriter list = ((ListVector) root.getVector(field)).getWriter();
        list.setPosition(row);
        list.startList();
        for (int v : values) {
            list.integer().writeInt(v);
        }
        list.endList();
    }
}
