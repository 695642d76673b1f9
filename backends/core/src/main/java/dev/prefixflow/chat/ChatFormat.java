package dev.prefixflow.chat;

import dev.prefixflow.gguf.GgufFile;
import dev.prefixflow.gguf.GgufFormatException;
import dev.prefixflow.tokenizer.Tokenizer;
import java.util.List;
import java.util.Map;

/**
 * How a model turns a conversation into its prompt text: its chat template (null when it has none)
 * and the strings of its BOS and EOS tokens, which templates write themselves.
 */
public record ChatFormat(ChatTemplate template, String bosToken, String eosToken) {

    /** The GGUF metadata key of a model's chat template. */
    public static final String TEMPLATE_KEY = "tokenizer.chat_template";

    /** The model's own template (or {@code override} when given), with its tokenizer's BOS and EOS text. */
    public static ChatFormat of(GgufFile file, Tokenizer tokenizer, String override) throws GgufFormatException {
        String source = override != null ? override : file.getString(TEMPLATE_KEY);
        return of(source, tokenizer);
    }

    /** @param templateSource null for a model without a template */
    public static ChatFormat of(String templateSource, Tokenizer tokenizer) {
        return new ChatFormat(templateSource == null ? null : new ChatTemplate(templateSource),
                tokenizer.piece(tokenizer.bosId()), tokenizer.piece(tokenizer.eosId()));
    }

    /**
     * The prompt text of {@code messages}, as vLLM builds it: with {@code continueFinalMessage} the text
     * ends right after the last message's content (the model continues that message) instead of closing it.
     */
    public String render(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt,
                         boolean continueFinalMessage, Map<String, ?> extra) throws ChatTemplateException {
        if (template == null) {
            throw new ChatTemplateException("the model has no chat template (tokenizer.chat_template);"
                    + " give one with --chat-template FILE");
        }
        if (addGenerationPrompt && continueFinalMessage) {
            throw new ChatTemplateException("add_generation_prompt and continue_final_message cannot both be true");
        }
        String text = template.render(messages, addGenerationPrompt, bosToken, eosToken, extra);
        if (!continueFinalMessage) {
            return text;
        }
        Object last = messages.isEmpty() ? null : messages.get(messages.size() - 1).get("content");
        String content = last instanceof String s ? s.strip() : null;
        int at = content == null || content.isEmpty() ? -1 : text.lastIndexOf(content);
        if (at < 0) {
            throw new ChatTemplateException("continue_final_message: the rendered prompt does not contain the"
                    + " final message's content");
        }
        return text.substring(0, at + content.length());
    }
}
