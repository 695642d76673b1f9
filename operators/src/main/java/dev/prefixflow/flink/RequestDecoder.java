package dev.prefixflow.flink;

import dev.prefixflow.chat.ChatFormat;
import dev.prefixflow.engine.Request;
import dev.prefixflow.engine.jsonl.ParsedLine;
import dev.prefixflow.engine.jsonl.RequestParser;
import dev.prefixflow.engine.block.PrefixKey;
import dev.prefixflow.model.ModelMetadata;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Turns raw request records into routed prompts: checks the bytes are UTF-8, parses the line
 * (tokenizing the prompt) and computes its routing key. A request that names itself but cannot be
 * served (a wrong field, a template that raises, a prompt beyond the context) travels on as a rejected
 * line, which the inference operator answers with an error result, as {@code batch} does. A record
 * without an id of its own (not UTF-8, not JSON, no id) goes to the dead-letter output with the reason
 * and its original bytes, since no answer to it could be matched. The job goes on either way.
 */
public class RequestDecoder extends ProcessFunction<byte[], PromptRecord> {
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") { };

    private final String modelPath;
    private final Routing routing;
    /** The chat template replacing the model's, or null. */
    private final String chatTemplate;
    private transient RequestParser parser;
    private transient long lineNumber;
    private transient Counter deadLettered;

    public RequestDecoder(String modelPath, Routing routing) {
        this(modelPath, routing, null);
    }

    public RequestDecoder(String modelPath, Routing routing, String chatTemplate) {
        this.modelPath = modelPath;
        this.routing = routing;
        this.chatTemplate = chatTemplate;
    }

    @Override
    public void open(OpenContext context) throws Exception {
        ModelMetadata model = ModelMetadata.read(Path.of(modelPath));
        parser = new RequestParser(model.tokenizer(), model.contextLength(), ChatFormat.of(
                chatTemplate != null ? chatTemplate : model.chatTemplate(), model.tokenizer()));
        deadLettered = getRuntimeContext().getMetricGroup().counter("deadLettered");
    }

    @Override
    public void processElement(byte[] bytes, Context ctx, Collector<PromptRecord> out) {
        lineNumber++;
        String line;
        try {
            line = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            deadLettered.inc();
            ctx.output(DEAD_LETTERS, new DeadLetter("the record is not valid UTF-8", lineNumber, null, bytes));
            return;
        }
        if (line.isBlank()) {
            return;
        }
        ParsedLine parsed = parser.parse(line, (int) Math.min(lineNumber, Integer.MAX_VALUE));
        if (parsed.isRejectedRequest()) {
            out.collect(PromptRecord.of(parsed, lineNumber, parsed.id()));
            return;
        }
        if (parsed.isBad()) {
            deadLettered.inc();
            ctx.output(DEAD_LETTERS, new DeadLetter(parsed.id() + ": " + parsed.problem(), lineNumber, line, bytes));
            return;
        }
        out.collect(PromptRecord.of(parsed, lineNumber, routing.key(parsed.request())));
    }

    /** How requests are spread over the inference subtasks. */
    public record Routing(boolean byPrefix, int blockSize, int prefixTokens) implements java.io.Serializable {
        /** The key: the prompt's prefix hash, or (the baseline) the request id, which spreads evenly. */
        String key(Request request) {
            if (!byPrefix) {
                return request.id();
            }
            return PrefixKey.of(request.promptTokenIds(), blockSize, prefixTokens, request.lora()).toString();
        }
    }
}
