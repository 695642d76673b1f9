package dev.prefixflow.model;

import dev.prefixflow.lora.LoraAdapter;

/**
 * One sequence's part of a batched forward call: its new tokens (a prefill chunk or one decode
 * token) at positions {@code firstPosition ...}, where {@code firstPosition} is also the number of its
 * tokens already in the KV cache. {@code slots[i]} is where token i's K and V are written; the block
 * table lists the sequence's blocks in order.
 *
 * @param wantsLogits whether the caller needs the logits of the last token (false for a prefill
 *     chunk that does not end the prompt)
 * @param lora the adapter this sequence runs with, or null for the base model
 */
public record SequenceChunk(int[] tokens, int firstPosition, int[] blockTable, int[] slots, boolean wantsLogits,
                            LoraAdapter lora) {

    /** A chunk of the base model, without adapter. */
    public SequenceChunk(int[] tokens, int firstPosition, int[] blockTable, int[] slots, boolean wantsLogits) {
        this(tokens, firstPosition, blockTable, slots, wantsLogits, null);
    }

    public SequenceChunk {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("a sequence chunk needs at least one token");
        }
        if (slots.length != tokens.length) {
            throw new IllegalArgumentException("slot mapping has " + slots.length + " slots for " + tokens.length
                    + " tokens");
        }
    }

    public int length() {
        return tokens.length;
    }
}
