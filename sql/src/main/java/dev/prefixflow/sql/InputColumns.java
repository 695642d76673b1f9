package dev.prefixflow.sql;

import dev.prefixflow.engine.Request;
import dev.prefixflow.engine.jsonl.RequestParser;
import dev.prefixflow.sampling.SamplingParams;
import dev.prefixflow.tokenizer.Tokenizer;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeFamily;

/**
 * How a model's INPUT row becomes a request: the first column is the prompt; later columns, by name,
 * override the defaults for their row ({@code max_tokens}, {@code temperature}, {@code seed}), pick a
 * LoRA adapter ({@code lora}) or key the row ({@code id}). The seed makes a re-executed row (after a
 * failover) give the same tokens: the row's {@code seed}, else the model's {@code seed} option, else one
 * derived from the {@code id} (as {@code batch} derives it from a line's id), else from the prompt.
 */
final class InputColumns implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The later columns a model may declare, and the type family each must have. */
    private static final Map<String, List<LogicalTypeFamily>> OPTIONAL = Map.of(
            "max_tokens", List.of(LogicalTypeFamily.INTEGER_NUMERIC),
            "temperature", List.of(LogicalTypeFamily.EXACT_NUMERIC, LogicalTypeFamily.APPROXIMATE_NUMERIC),
            "seed", List.of(LogicalTypeFamily.INTEGER_NUMERIC),
            "id", List.of(LogicalTypeFamily.CHARACTER_STRING, LogicalTypeFamily.INTEGER_NUMERIC),
            "lora", List.of(LogicalTypeFamily.CHARACTER_STRING));

    private final SamplingDefaults defaults;
    private final RowData.FieldGetter[] getters;
    private final int maxTokens;
    private final int temperature;
    private final int seed;
    private final int id;
    private final int lora;

    /** The defaults of every row, from the model's WITH options. */
    record SamplingDefaults(int maxTokens, double temperature, double topP, Long seed) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /** A row's request, or why it has none. */
    record Admission(Request request, String problem) {
    }

    InputColumns(ResolvedSchema schema, SamplingDefaults defaults) {
        this.defaults = defaults;
        List<Column> columns = schema.getColumns();
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("the model needs an INPUT column: the prompt (STRING)");
        }
        LogicalType prompt = columns.get(0).getDataType().getLogicalType();
        if (!prompt.is(LogicalTypeFamily.CHARACTER_STRING)) {
            throw new IllegalArgumentException("the first INPUT column, " + columns.get(0).getName()
                    + ", is the prompt and must be a STRING, not " + prompt);
        }
        getters = new RowData.FieldGetter[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            getters[i] = RowData.createFieldGetter(columns.get(i).getDataType().getLogicalType(), i);
        }
        for (Column c : columns.subList(1, columns.size())) {
            List<LogicalTypeFamily> families = OPTIONAL.get(c.getName());
            if (families == null) {
                throw new IllegalArgumentException("INPUT column '" + c.getName() + "' is not known; after the prompt "
                        + "a model takes " + OPTIONAL.keySet().stream().sorted().toList());
            }
            LogicalType type = c.getDataType().getLogicalType();
            if (families.stream().noneMatch(type::is)) {
                throw new IllegalArgumentException("INPUT column '" + c.getName() + "' must be of type "
                        + families.stream().map(f -> f.name().toLowerCase(Locale.ROOT).replace('_', ' ')).toList()
                        + ", not " + type);
            }
        }
        maxTokens = schema.getColumnNames().indexOf("max_tokens");
        temperature = schema.getColumnNames().indexOf("temperature");
        seed = schema.getColumnNames().indexOf("seed");
        id = schema.getColumnNames().indexOf("id");
        lora = schema.getColumnNames().indexOf("lora");
    }

    /** The row's request, or the reason it cannot be one; never throws for a bad value. */
    Admission admit(RowData row, Tokenizer tokenizer) {
        Object prompt = getters[0].getFieldOrNull(row);
        if (prompt == null) {
            return new Admission(null, "the prompt is NULL");
        }
        String text = prompt.toString();
        String key = id >= 0 && value(row, id) != null ? value(row, id).toString() : null;
        try {
            SamplingParams params = new SamplingParams(
                    (int) longOr(row, maxTokens, defaults.maxTokens()),
                    (float) doubleOr(row, temperature, defaults.temperature()),
                    0, (float) defaults.topP(), 0f,
                    longOr(row, seed, defaults.seed() != null ? defaults.seed()
                            : RequestParser.seedFor(key != null ? key : text)),
                    List.of(), List.of(), false, false);
            Object adapter = lora >= 0 ? value(row, lora) : null;
            return new Admission(new Request(key != null ? key : "row", tokenizer.encode(text, true), params,
                    adapter == null ? null : adapter.toString()), null);
        } catch (IllegalArgumentException e) {
            return new Admission(null, e.getMessage());
        }
    }

    private Object value(RowData row, int index) {
        return getters[index].getFieldOrNull(row);
    }

    private long longOr(RowData row, int index, long otherwise) {
        Object v = index >= 0 ? value(row, index) : null;
        return v == null ? otherwise : ((Number) v).longValue();
    }

    private double doubleOr(RowData row, int index, double otherwise) {
        Object v = index >= 0 ? value(row, index) : null;
        if (v == null) {
            return otherwise;
        }
        return v instanceof DecimalData d ? d.toBigDecimal().doubleValue() : ((Number) v).doubleValue();
    }
}
