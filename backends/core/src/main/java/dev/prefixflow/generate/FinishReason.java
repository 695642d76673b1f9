package dev.prefixflow.generate;

/** Why a sequence stopped, in the words of the OpenAI API. */
public enum FinishReason {
    /** EOS, a stop token or a stop string. */
    STOP,
    /** max_tokens or the model's context length. */
    LENGTH;

    public String apiName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
