package dev.prefixflow.sql;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prefixflow.engine.Request;
import dev.prefixflow.engine.jsonl.ParsedLine;
import dev.prefixflow.engine.jsonl.RequestParser;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeFamily;
import org.apache.flink.table.types.logical.RowType;

/**
 * How a model's INPUT row becomes a request: the first column is the prompt (task {@code completion},
 * a STRING) or the messages (task {@code chat}, an {@code ARRAY<ROW<role STRING, content STRING>>});
 * later columns, by name, override the defaults for their row ({@code max_tokens}, {@code temperature},
 * {@code seed}), pick a LoRA adapter ({@code lora}) or key the row ({@code id}). The row is written as
 * a request line and read by {@code batch}'s {@link RequestParser}, so chat templates, structured
 * outputs and every check on a request are theirs. The seed makes a re-executed row (after a failover)
 * give the same tokens: the row's {@code seed}, else the model's {@code seed} option, else one derived
 * from the {@code id} (as {@code batch} derives it from a line's id), else from the prompt or messages.
 */
final class InputColumns implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** The later columns a model may declare, and the type family each must have. */
    private static final Map<String, List<LogicalTypeFamily>> OPTIONAL = Map.of(
            "max_tokens", List.of(LogicalTypeFamily.INTEGER_NUMERIC),
            "temperature", List.of(LogicalTypeFamily.EXACT_NUMERIC, LogicalTypeFamily.APPROXIMATE_NUMERIC),
            "seed", List.of(LogicalTypeFamily.INTEGER_NUMERIC),
            "id", List.of(LogicalTypeFamily.CHARACTER_STRING, LogicalTypeFamily.INTEGER_NUMERIC),
            "lora", List.of(LogicalTypeFamily.CHARACTER_STRING));

    /** What the first INPUT column holds. */
    enum Task {
        COMPLETION, CHAT;

        static Task named(String task) {
            return switch (task) {
                case "completion" -> COMPLETION;
                case "chat" -> CHAT;
                default -> throw new IllegalArgumentException("option 'task' must be 'completion' or 'chat', not '"
                        + task + "'");
            };
        }
    }

    private final Task task;
    private final SamplingDefaults defaults;
    private final RowData.FieldGetter[] getters;
    /** Task chat: where role and content sit in a message ROW, and how many fields it has. */
    private final int role;
    private final int content;
    private final int messageFields;
    private final int maxTokens;
    private final int temperature;
    private final int seed;
    private final int id;
    private final int lora;

    /**
     * The defaults of every row, from the model's WITH options.
     *
     * @param responseFormat OpenAI's {@code response_format} as JSON text, or null for free text
     */
    record SamplingDefaults(int maxTokens, double temperature, double topP, Long seed, String responseFormat)
            implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /** A row's request, or why it has none. */
    record Admission(Request request, String problem) {
    }

    InputColumns(ResolvedSchema schema, Task task, SamplingDefaults defaults) {
        this.task = task;
        this.defaults = defaults;
        List<Column> columns = schema.getColumns();
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("the model needs an INPUT column: " + (task == Task.CHAT
                    ? "the messages (ARRAY<ROW<role STRING, content STRING>>)" : "the prompt (STRING)"));
        }
        LogicalType first = columns.get(0).getDataType().getLogicalType();
        RowType message = task == Task.CHAT ? messageType(columns.get(0).getName(), first) : null;
        if (task == Task.COMPLETION && !first.is(LogicalTypeFamily.CHARACTER_STRING)) {
            throw new IllegalArgumentException("the first INPUT column, " + columns.get(0).getName()
                    + ", is the prompt and must be a STRING, not " + first
                    + (first instanceof ArrayType ? " (messages need 'task' = 'chat')" : ""));
        }
        role = message == null ? -1 : message.getFieldIndex("role");
        content = message == null ? -1 : message.getFieldIndex("content");
        messageFields = message == null ? 0 : message.getFieldCount();
        getters = new RowData.FieldGetter[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            getters[i] = RowData.createFieldGetter(columns.get(i).getDataType().getLogicalType(), i);
        }
        for (Column c : columns.subList(1, columns.size())) {
            List<LogicalTypeFamily> families = OPTIONAL.get(c.getName());
            if (families == null) {
                throw new IllegalArgumentException("INPUT column '" + c.getName() + "' is not known; after the "
                        + (task == Task.CHAT ? "messages" : "prompt") + " a model takes "
                        + OPTIONAL.keySet().stream().sorted().toList());
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

    /** The element type of a chat model's first column, which must be ARRAY<ROW<role STRING, content STRING>>. */
    private static RowType messageType(String column, LogicalType type) {
        String expected = "the first INPUT column, " + column + ", holds the messages of task 'chat' and must be an "
                + "ARRAY<ROW<role STRING, content STRING>>, not " + type;
        if (!(type instanceof ArrayType array) || !(array.getElementType() instanceof RowType row)) {
            throw new IllegalArgumentException(expected);
        }
        if (!row.getFieldNames().equals(List.of("role", "content")) && !row.getFieldNames().equals(List.of("content",
                "role"))) {
            throw new IllegalArgumentException(expected);
        }
        for (RowType.RowField f : row.getFields()) {
            if (!f.getType().is(LogicalTypeFamily.CHARACTER_STRING)) {
                throw new IllegalArgumentException(expected);
            }
        }
        return row;
    }

    Task task() {
        return task;
    }

    /** The {@code response-format} option as JSON, or null; the factory has checked it. */
    JsonNode responseFormat() {
        if (defaults.responseFormat() == null) {
            return null;
        }
        try {
            return new ObjectMapper().readTree(defaults.responseFormat());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The row's request, or the reason it cannot be one; never throws for a bad value. */
    Admission admit(RowData row, RequestParser parser, JsonNode responseFormat) {
        Object first = getters[0].getFieldOrNull(row);
        if (first == null) {
            return new Admission(null, task == Task.CHAT ? "the messages are NULL" : "the prompt is NULL");
        }
        ObjectNode line = JSON.objectNode();
        Object key = id >= 0 ? value(row, id) : null;
        line.put("id", key != null ? key.toString() : "row");
        JsonNode input = task == Task.CHAT ? messages((ArrayData) first) : JSON.textNode(first.toString());
        line.set(task == Task.CHAT ? "messages" : "prompt", input);
        line.put("max_tokens", longOr(row, maxTokens, defaults.maxTokens()));
        line.put("temperature", doubleOr(row, temperature, defaults.temperature()));
        line.put("top_p", defaults.topP());
        line.put("seed", longOr(row, seed, defaults.seed() != null ? defaults.seed()
                : RequestParser.seedFor(key != null ? key.toString() : task == Task.CHAT ? input.toString()
                        : input.asText())));
        Object adapter = lora >= 0 ? value(row, lora) : null;
        if (adapter != null) {
            line.put("lora", adapter.toString());
        }
        if (responseFormat != null) {
            line.set("response_format", responseFormat);
        }
        ParsedLine parsed = parser.parse(line, 0);
        return new Admission(parsed.request(), parsed.problem());
    }

    /** The messages as a request line writes them; a NULL role or content stays null for the parser to name. */
    private ArrayNode messages(ArrayData messages) {
        ArrayNode out = JSON.arrayNode(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            if (messages.isNullAt(i)) {
                out.addNull();
                continue;
            }
            RowData m = messages.getRow(i, messageFields);
            ObjectNode message = out.addObject();
            message.put("role", m.isNullAt(role) ? null : m.getString(role).toString());
            message.put("content", m.isNullAt(content) ? null : m.getString(content).toString());
        }
        return out;
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
