package dev.prefixflow.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prefixflow.chat.ChatFormat;
import dev.prefixflow.chat.ChatTemplate;
import dev.prefixflow.chat.ChatTemplateException;
import dev.prefixflow.engine.jsonl.ChatMessages;
import dev.prefixflow.gguf.GgufFile;
import dev.prefixflow.tokenizer.Tokenizer;
import dev.prefixflow.tokenizer.TokenizerLoader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Renders conversations with a chat template, exactly as requests' messages are rendered: for checking
 * a template against another implementation's renderings.
 */
@Command(name = "chat-template", mixinStandardHelpOptions = true,
        description = "Render messages with a chat template (a template file, or a model's tokenizer.chat_template).")
final class ChatTemplateCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ArgGroup(multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--template", required = true, paramLabel = "FILE", description = "Jinja chat template file.")
        Path template;

        @Option(names = "--model", required = true, paramLabel = "PATH",
                description = "GGUF file (vocabulary-only files too) whose tokenizer.chat_template is used.")
        Path model;
    }

    @Option(names = "--bos-token", description = "bos_token's text (default: the model's BOS token, else empty).")
    String bosToken;

    @Option(names = "--eos-token", description = "eos_token's text (default: the model's EOS token, else empty).")
    String eosToken;

    @ArgGroup(multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--messages", required = true, paramLabel = "FILE",
                description = "A JSON array of messages; prints exactly the rendered text.")
        Path messages;

        @Option(names = "--input", required = true, paramLabel = "FILE",
                description = "JSONL of {\"messages\": [...], \"add_generation_prompt\": true|false}; prints"
                        + " {\"text\"} or {\"error\"} per line, in order.")
        Path lines;
    }

    @Option(names = "--no-generation-prompt", description = "Render without the assistant's opening (default: with).")
    boolean noGenerationPrompt;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ChatFormat chat = chatFormat();
        PrintWriter out = spec.commandLine().getOut();
        if (input.messages != null) {
            JsonNode messages = JSON.readTree(Files.readString(input.messages, StandardCharsets.UTF_8));
            try {
                out.print(render(chat, messages, !noGenerationPrompt));
            } catch (IllegalArgumentException | ChatTemplateException e) {
                throw new IllegalArgumentException(input.messages + ": " + e.getMessage());
            }
        } else {
            try (BufferedReader lines = Files.newBufferedReader(input.lines, StandardCharsets.UTF_8)) {
                String line;
                while ((line = lines.readLine()) != null) {
                    out.println(JSON.writeValueAsString(renderLine(chat, line)));
                }
            }
        }
        out.flush();
        return 0;
    }

    private ObjectNode renderLine(ChatFormat chat, String line) {
        ObjectNode result = JSON.createObjectNode();
        try {
            JsonNode request = JSON.readTree(line);
            JsonNode generationPrompt = request.path("add_generation_prompt");
            if (!generationPrompt.isMissingNode() && !generationPrompt.isBoolean()) {
                throw new IllegalArgumentException("add_generation_prompt must be true or false");
            }
            boolean add = generationPrompt.isBoolean() ? generationPrompt.asBoolean() : !noGenerationPrompt;
            result.put("text", render(chat, request.path("messages"), add));
        } catch (IOException | IllegalArgumentException | ChatTemplateException e) {
            result.put("error", e.getMessage());
        }
        return result;
    }

    private static String render(ChatFormat chat, JsonNode messages, boolean addGenerationPrompt)
            throws ChatTemplateException {
        return chat.render(ChatMessages.read(messages), addGenerationPrompt, false, Map.of());
    }

    private ChatFormat chatFormat() throws IOException {
        if (source.template != null) {
            return new ChatFormat(new ChatTemplate(Files.readString(source.template, StandardCharsets.UTF_8)),
                    bosToken != null ? bosToken : "", eosToken != null ? eosToken : "");
        }
        try (GgufFile file = GgufFile.open(source.model)) {
            Tokenizer tokenizer = TokenizerLoader.fromGguf(file);
            ChatFormat own = ChatFormat.of(file, tokenizer, null);
            return new ChatFormat(own.template(), bosToken != null ? bosToken : own.bosToken(),
                    eosToken != null ? eosToken : own.eosToken());
        }
    }
}
