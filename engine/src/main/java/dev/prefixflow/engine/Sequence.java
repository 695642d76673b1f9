package dev.prefixflow.engine;

import dev.prefixflow.engine.block.BlockHashes;
import dev.prefixflow.engine.block.BlockTable;
import dev.prefixflow.engine.structured.StructuredOutputGrammar;
import dev.prefixflow.generate.CompletionText;
import dev.prefixflow.lora.LoraAdapter;
import dev.prefixflow.sampling.Sampler;
import dev.prefixflow.sampling.TopLogprobs;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The growing token list of one request and where it stands: waiting (no blocks) or running (a
 * block table). After a preemption it waits again with its generated tokens kept; on re-admission
 * they are recomputed as part of its prompt (or, in {@link PreemptionMode#SWAP}, their full blocks
 * swapped back in), and sampling goes on at the same absolute positions. Its full blocks are
 * hashed as they fill, once each.
 */
final class Sequence {
    final Request request;
    /** The adapter {@code request.lora()} names, or null. */
    final LoraAdapter adapter;
    final long seqId;
    final int promptLength;
    final CompletionText text;
    final Consumer<String> onText;
    final long arrivalNanos;
    /** Where this request's evicted blocks go in the tier (its Flink routing key), or null. */
    final String tierKey;
    /** The request's constraint and where its text stands in it, or null for free text (set once compiled). */
    StructuredOutputGrammar grammar;
    /**
     * Whether the request's constraint is still compiling: its prompt is computed meanwhile, all but
     * the last token, whose logits need the constraint.
     */
    boolean grammarPending;
    private int[] tokens;
    private int length;
    private final float[] logprobs;
    /** Per generated token, its top alternatives; null unless top logprobs were asked for. */
    private final List<TopLogprobs> topLogprobs;
    private BlockTable table;
    /** Tokens at the latest admission: the part computed as a prefill. */
    private int admittedLength;
    /** Prompt tokens the prefix cache served at the first admission, or -1 before it. */
    private int firstCachedTokens = -1;
    /** Of {@link #firstCachedTokens}, those swapped in from the tier. */
    private int firstTierTokens;
    /** Blocks fetched from the tier when the request was added, or kept at a swap preemption; until admission. */
    private BlockSwapper.TierBlocks tierBlocks;
    long firstScheduledNanos = -1;
    long firstTokenNanos = -1;
    /** The hashes of the full blocks of the tokens, extended as they grow. */
    private final BlockHashes blockHashes;

    Sequence(Request request, LoraAdapter adapter, long seqId, int blockSize, CompletionText text,
             Consumer<String> onText, long arrivalNanos, String tierKey) {
        this.tierKey = tierKey;
        this.request = request;
        this.adapter = adapter;
        this.seqId = seqId;
        this.tokens = request.promptTokenIds();
        this.length = tokens.length;
        this.promptLength = length;
        this.text = text;
        this.onText = onText;
        this.arrivalNanos = arrivalNanos;
        this.logprobs = request.params().logprobs() ? new float[request.params().maxTokens()] : null;
        this.topLogprobs = request.params().topLogprobs() > 0 ? new ArrayList<>() : null;
        this.blockHashes = new BlockHashes(blockSize, request.lora());
        blockHashes.extend(tokens, length);
    }

    int length() {
        return length;
    }

    /** The backing array: positions {@code 0..length()-1} are valid. */
    int[] tokensView() {
        return tokens;
    }

    int[] generated() {
        return Arrays.copyOfRange(tokens, promptLength, length);
    }

    float[] logprobs() {
        return logprobs == null ? null : Arrays.copyOf(logprobs, length - promptLength);
    }

    List<TopLogprobs> topLogprobs() {
        return topLogprobs == null ? null : List.copyOf(topLogprobs);
    }

    void append(Sampler.Choice choice) {
        if (length == tokens.length) {
            tokens = Arrays.copyOf(tokens, Math.max(2 * length, 8));
        }
        if (logprobs != null) {
            logprobs[length - promptLength] = choice.logprob();
        }
        if (topLogprobs != null) {
            topLogprobs.add(choice.top());
        }
        tokens[length++] = choice.token();
        blockHashes.extend(tokens, length);
    }

    BlockTable table() {
        return table;
    }

    boolean isRunning() {
        return table != null;
    }

    /** Takes the blocks of an admission; returns whether it is the first one. */
    boolean admit(BlockTable newTable) {
        table = newTable;
        admittedLength = length;
        // Swapped in or not, the held copies are not needed any more: free the heap.
        tierBlocks.release();
        if (firstCachedTokens >= 0) {
            return false;
        }
        firstCachedTokens = newTable.cachedTokens();
        firstTierTokens = newTable.tierTokens();
        return true;
    }

    BlockSwapper.TierBlocks tierBlocks() {
        return tierBlocks;
    }

    void useTierBlocks(BlockSwapper.TierBlocks blocks) {
        tierBlocks = blocks;
    }

    void release() {
        table = null;
    }

    int firstCachedTokens() {
        return Math.max(0, firstCachedTokens);
    }

    int firstTierTokens() {
        return firstTierTokens;
    }

    /** Tokens whose KV is still to be computed (1 for a decode). */
    int uncomputed() {
        return length - table.computedTokens();
    }

    /** Tokens the next chunk may compute: the uncomputed ones, less the last while the constraint compiles. */
    int schedulable() {
        return uncomputed() - (grammarPending ? 1 : 0);
    }

    /** Whether the tokens of the latest admission are not all computed yet. */
    boolean inPrefill() {
        return table.computedTokens() < admittedLength;
    }

    BlockHashes blockHashes() {
        return blockHashes;
    }
}
