package dev.prefixflow.job;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --chat-template FILE}: a Jinja chat template that replaces the model's own (or gives it one). */
final class ChatTemplateOption {
    @Option(names = "--chat-template", paramLabel = "FILE",
            description = "Chat template (Jinja) for messages, instead of the model's tokenizer.chat_template.")
    Path file;

    /** The template's text, or null to use the model's own. */
    String source() throws IOException {
        return file == null ? null : Files.readString(file, StandardCharsets.UTF_8);
    }
}
