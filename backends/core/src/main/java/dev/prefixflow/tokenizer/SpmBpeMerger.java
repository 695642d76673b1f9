package dev.prefixflow.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Gemma 4's tokenizer model ({@code gemma4}), as llama.cpp runs it: SentencePiece-style text (spaces
 * already {@code ▁}, raw UTF-8 rather than GPT-2's byte alphabet) merged by a ranked BPE merge list.
 * Text is cut into runs of newlines and runs of anything else; a newline run that is itself a token
 * is taken whole, and the rest is merged from code points, lowest rank first, with symbols that are
 * no token falling back to {@code <0xNN>} byte tokens.
 */
final class SpmBpeMerger {

    private final Map<String, Integer> tokenIds;
    private final int[] byteTokens;
    private final BpeMerger merger;
    private final PieceCache pieces = new PieceCache(this::merge);

    /**
     * @param tokenIds the tokens that merges may produce
     * @param byteTokens the token of each byte value, or -1 where the vocabulary has none
     */
    SpmBpeMerger(Map<String, Integer> tokenIds, String[] merges, int[] byteTokens) {
        this.tokenIds = tokenIds;
        this.byteTokens = byteTokens;
        this.merger = new BpeMerger(new MergeRanks(merges, tokenIds), byteTokens);
    }

    /** Tokenizes already normalized text. */
    int[] tokenize(String text) {
        TokenSink out = new TokenSink(text.length() / 3 + 1);
        PreTokenScanner runs = new PreTokenScanner(text);
        for (int start = 0; start < text.length(); ) {
            int end = runs.newlineRunEnd(start);
            String run = text.substring(start, end);
            Integer whole = run.charAt(0) == '\n' ? tokenIds.get(run) : null;
            out.addAll(whole != null ? new int[] {whole} : pieces.idsOf(run));
            start = end;
        }
        return out.toArray();
    }

    private int[] merge(String run) {
        int[] symbols = run.codePoints().map(c -> {
            Integer id = tokenIds.get(Character.toString(c));
            return id != null ? id : -2 - c;
        }).toArray();
        int[] merged = merger.merge(symbols);
        TokenSink out = new TokenSink(merged.length);
        for (int symbol : merged) {
            if (symbol >= 0) {
                out.add(symbol);
                continue;
            }
            for (byte b : Character.toString(-2 - symbol).getBytes(StandardCharsets.UTF_8)) {
                // llama.cpp drops a byte that has no token.
                if (byteTokens[b & 0xff] >= 0) {
                    out.add(byteTokens[b & 0xff]);
                }
            }
        }
        return out.toArray();
    }
}
