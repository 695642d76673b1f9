package dev.prefixflow.sql;

import dev.prefixflow.engine.RequestResult;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeFamily;
import org.apache.flink.table.types.logical.LogicalTypeRoot;

/**
 * The model's OUTPUT columns, chosen by name in any subset and order from {@link Field}. A row that
 * cannot be served has its reason in {@code error} and NULL text, finish reason and counts.
 */
final class OutputColumns implements Serializable {
    private static final long serialVersionUID = 1L;

    /** What a result can give, by OUTPUT column name. */
    enum Field {
        TEXT(true, r -> StringData.fromString(r.text())),
        FINISH_REASON(true, r -> StringData.fromString(r.finishReason().apiName())),
        PROMPT_TOKENS(false, r -> r.usage().promptTokens()),
        COMPLETION_TOKENS(false, r -> r.usage().completionTokens()),
        CACHED_TOKENS(false, r -> r.usage().cachedTokens()),
        ERROR(true, r -> null);

        final boolean string;
        final Function<RequestResult, Object> value;

        Field(boolean string, Function<RequestResult, Object> value) {
            this.string = string;
            this.value = value;
        }

        String columnName() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Field named(String column) {
            for (Field f : values()) {
                if (f.columnName().equals(column)) {
                    return f;
                }
            }
            throw new IllegalArgumentException("OUTPUT column '" + column + "' is not known; a model gives "
                    + Arrays.stream(values()).map(Field::columnName).toList());
        }
    }

    private final Field[] fields;

    OutputColumns(ResolvedSchema schema) {
        List<Column> columns = schema.getColumns();
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("the model needs an OUTPUT column, e.g. text STRING");
        }
        fields = new Field[columns.size()];
        for (int i = 0; i < fields.length; i++) {
            Field f = Field.named(columns.get(i).getName());
            LogicalType type = columns.get(i).getDataType().getLogicalType();
            boolean fits = f.string ? type.is(LogicalTypeFamily.CHARACTER_STRING) : type.is(LogicalTypeRoot.INTEGER);
            if (!fits) {
                throw new IllegalArgumentException("OUTPUT column '" + f.columnName() + "' must be "
                        + (f.string ? "STRING" : "INT") + ", not " + type);
            }
            fields[i] = f;
        }
    }

    /** The output row of a result (an error result too). */
    RowData row(RequestResult result) {
        if (result.isError()) {
            return errorRow(result.error().message());
        }
        GenericRowData row = new GenericRowData(fields.length);
        for (int i = 0; i < fields.length; i++) {
            row.setField(i, fields[i].value.apply(result));
        }
        return row;
    }

    /** The output row of a row that could not be served: only {@code error} is set. */
    RowData errorRow(String message) {
        GenericRowData row = new GenericRowData(fields.length);
        for (int i = 0; i < fields.length; i++) {
            if (fields[i] == Field.ERROR) {
                row.setField(i, StringData.fromString(message));
            }
        }
        return row;
    }
}
