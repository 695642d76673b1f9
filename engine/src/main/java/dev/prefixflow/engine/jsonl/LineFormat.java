package dev.prefixflow.engine.jsonl;

/** The shape of an input line, which its output line takes too. */
public enum LineFormat {
    /** PrefixFlow's own record: {@code {"id", "prompt" | "prompt_token_ids", sampling fields...}}. */
    PLAIN,
    /** An OpenAI batch line for /v1/completions: {@code {"custom_id", "method", "url", "body": {...}}}. */
    OPENAI_BATCH,
    /** An OpenAI batch line for /v1/chat/completions, answered with chat.completion objects. */
    OPENAI_CHAT
}
