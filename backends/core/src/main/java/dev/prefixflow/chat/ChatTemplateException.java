package dev.prefixflow.chat;

/** A chat template that cannot be parsed, or that failed (or called {@code raise_exception}) while rendering. */
public final class ChatTemplateException extends Exception {
    public ChatTemplateException(String message) {
        super(message);
    }
}
