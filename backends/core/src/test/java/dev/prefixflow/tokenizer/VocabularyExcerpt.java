package dev.prefixflow.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prefixflow.gguf.GgufFile;
import dev.prefixflow.gguf.GgufValueType;
import dev.prefixflow.gguf.GgufWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A real vocabulary cut down to what its test cases need, so that the repository can carry the
 * tokenizer cases of vocabularies of 10-15 MB. Token ids stay as they are (the rest of the id range
 * becomes unused placeholders), and so does the order of the merges that are kept.
 *
 * <p>What is kept: every token of the expected ids and, down to single characters, every way the
 * merge list (byte-level BPE, Gemma 4) or the vocabulary (SentencePiece, WordPiece: any two tokens
 * that join to it) can build one; then every merge of two kept tokens. The merges that fire when the full
 * vocabulary tokenizes a case are among them, and at each merge step the best applicable merge of
 * the full list is still applicable and still the best here; so a correct tokenizer gives the same
 * ids from the excerpt as from the full file. A split or merge order that differs from llama.cpp's
 * finds tokens missing (too fine) or joins kept tokens it should not (too coarse), and fails.
 *
 * <p>{@link #main} makes an excerpt from one of llama.cpp's {@code models/ggml-vocab-*.gguf} files
 * and its {@code .inp}/{@code .out} cases (see models/tokenizer-vocabs/README.md). With
 * {@code --parse-special} the cases are texts with special tokens, tokenized with them parsed: the
 * excerpt then keeps every special token and the file's {@code general.name} (which decides Phi-3's
 * whitespace stripping).
 */
public record VocabularyExcerpt(JsonNode json) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CASE_SEPARATOR = "\n__ggml_vocab_test__\n";

    public record Case(String text, int[] ids) {}

    /** Whether the cases were tokenized with special tokens parsed. */
    public boolean parseSpecial() {
        return json.path("parse_special").asBoolean(false);
    }

    public static VocabularyExcerpt read(Path file) throws IOException {
        return new VocabularyExcerpt(JSON.readTree(file.toFile()));
    }

    public List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        for (JsonNode c : json.get("cases")) {
            cases.add(new Case(c.get("text").asText(), JSON.convertValue(c.get("ids"), int[].class)));
        }
        return cases;
    }

    /**
     * Writes the excerpt as a vocabulary-only GGUF file (no tensors), as llama.cpp's own vocabulary
     * files are, with the original architecture name and tokenizer metadata.
     */
    public Path writeGguf(Path file) throws IOException {
        int size = json.get("size").asInt();
        String[] tokens = new String[size];
        float[] scores = new float[size];
        int[] types = new int[size];
        for (int id = 0; id < size; id++) {
            tokens[id] = "[UNUSED_" + id + "]";
            types[id] = Vocabulary.UNUSED_TYPE;
        }
        for (JsonNode t : json.get("tokens")) {
            int id = t.get(0).asInt();
            tokens[id] = t.get(1).asText();
            types[id] = t.get(2).asInt();
            scores[id] = (float) t.get(3).asDouble();
        }
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", json.get("architecture").asText());
        for (Iterator<Map.Entry<String, JsonNode>> it = json.get("metadata").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (v.isBoolean()) {
                w.putBool(e.getKey(), v.asBoolean());
            } else if (v.isInt()) {
                w.putUInt32(e.getKey(), v.asInt());
            } else {
                w.putString(e.getKey(), v.asText());
            }
        }
        w.putStringArray("tokenizer.ggml.tokens", tokens)
                .putFloatArray("tokenizer.ggml.scores", scores)
                .putIntArray("tokenizer.ggml.token_type", GgufValueType.INT32, types);
        if (json.get("merges").size() > 0) {
            w.putStringArray("tokenizer.ggml.merges", JSON.convertValue(json.get("merges"), String[].class));
        }
        w.write(file);
        return file;
    }

    /**
     * {@code VocabularyExcerpt VOCAB.gguf OUT.json [--parse-special CASES]}: reads VOCAB.gguf.inp and .out
     * beside the file, or CASES.inp and CASES.out.
     */
    public static void main(String[] args) throws IOException {
        Path vocab = Path.of(args[0]);
        boolean parseSpecial = args.length > 3 && args[2].equals("--parse-special");
        String cases = parseSpecial ? args[3] : args[0];
        List<String> texts = splitCases(Files.readString(Path.of(cases + ".inp"), StandardCharsets.UTF_8));
        List<String> outLines = Files.readAllLines(Path.of(cases + ".out"), StandardCharsets.UTF_8);
        try (GgufFile file = GgufFile.open(vocab)) {
            ObjectNode excerpt = excerpt(file, texts, outLines, parseSpecial);
            JSON.writerWithDefaultPrettyPrinter().writeValue(Path.of(args[1]).toFile(), excerpt);
        }
    }

    /** llama.cpp's test-tokenizer-0 reading of a .inp file. */
    private static List<String> splitCases(String raw) {
        List<String> cases = new ArrayList<>();
        int pos = 0;
        while (pos < raw.length()) {
            int next = raw.indexOf(CASE_SEPARATOR, pos);
            if (next < 0) {
                cases.add(raw.substring(pos));
                break;
            }
            cases.add(raw.substring(pos, next));
            pos = next + CASE_SEPARATOR.length();
        }
        return cases;
    }

    private static ObjectNode excerpt(GgufFile file, List<String> texts, List<String> outLines, boolean parseSpecial)
            throws IOException {
        String[] tokens = file.getStringArray("tokenizer.ggml.tokens");
        int[] types = file.getIntArray("tokenizer.ggml.token_type");
        float[] scores = file.getFloatArray("tokenizer.ggml.scores");
        String[] merges = file.getStringArray("tokenizer.ggml.merges");
        ObjectNode root = JSON.createObjectNode();
        root.put("source", "llama.cpp models/" + file.path().getFileName() + (parseSpecial
                ? " with cases tokenized by llama-tokenize, special tokens parsed" : " with its .inp/.out cases"));
        root.put("architecture", file.getString("general.architecture"));
        root.put("size", tokens.length);
        if (parseSpecial) {
            root.put("parse_special", true);
        }
        ObjectNode metadata = root.putObject("metadata");
        if (parseSpecial && file.getString("general.name") != null) {
            metadata.put("general.name", file.getString("general.name"));
        }
        for (Map.Entry<String, Object> e : file.metadata().entrySet()) {
            Object v = e.getValue();
            if (e.getKey().startsWith("tokenizer.ggml.") && !e.getKey().equals("tokenizer.ggml.token_type_count")) {
                if (v instanceof String s) {
                    metadata.put(e.getKey(), s);
                } else if (v instanceof Boolean b) {
                    metadata.put(e.getKey(), b);
                } else if (v instanceof Number n) {
                    metadata.put(e.getKey(), n.intValue());
                }
            }
        }

        Map<String, List<Integer>> idsByText = new HashMap<>();
        for (int id = 0; id < tokens.length; id++) {
            idsByText.computeIfAbsent(tokens[id], t -> new ArrayList<>()).add(id);
        }
        BitSet keep = new BitSet(tokens.length);
        if (parseSpecial && types != null) {
            for (int id = 0; id < tokens.length; id++) {
                if (types[id] == Vocabulary.CONTROL_TYPE || types[id] == Vocabulary.USER_DEFINED_TYPE) {
                    keep.set(id);
                }
            }
        }
        Deque<String> todo = new ArrayDeque<>();
        ArrayNode cases = root.putArray("cases");
        for (int i = 0; i < texts.size(); i++) {
            ObjectNode c = cases.addObject();
            c.put("text", texts.get(i));
            ArrayNode ids = c.putArray("ids");
            String line = outLines.get(i).strip();
            for (String id : line.isEmpty() ? new String[0] : line.split(" ")) {
                int tokenId = Integer.parseInt(id);
                ids.add(tokenId);
                keep.set(tokenId);
                todo.add(tokens[tokenId]);
            }
        }
        BitSet keptMerges = new BitSet();
        Map<String, List<Integer>> mergesByResult = new HashMap<>();
        if (merges != null) {
            for (int rank = 0; rank < merges.length; rank++) {
                mergesByResult.computeIfAbsent(merges[rank].replaceFirst("(?<=.) ", ""), t -> new ArrayList<>()).add(rank);
            }
        }
        Set<String> seen = new HashSet<>(todo);
        while (!todo.isEmpty()) {
            String token = todo.poll();
            List<String> parts = new ArrayList<>();
            if (merges != null) {
                for (int rank : mergesByResult.getOrDefault(token, List.of())) {
                    keptMerges.set(rank);
                    int space = merges[rank].indexOf(' ', 1);
                    parts.add(merges[rank].substring(0, space));
                    parts.add(merges[rank].substring(space + 1));
                }
            } else {
                // SentencePiece joins any two adjacent pieces whose concatenation is a token; for
                // WordPiece's longest match, extra tokens shorter than the chosen ones change nothing.
                for (int i = token.offsetByCodePoints(0, 1); i < token.length(); i = token.offsetByCodePoints(i, 1)) {
                    if (idsByText.containsKey(token.substring(0, i)) && idsByText.containsKey(token.substring(i))) {
                        parts.add(token.substring(0, i));
                        parts.add(token.substring(i));
                    }
                }
            }
            for (String part : parts) {
                idsByText.getOrDefault(part, List.of()).forEach(keep::set);
                if (seen.add(part)) {
                    todo.add(part);
                }
            }
        }
        if (merges != null) {
            // Merges that would join the kept tokens across a split llama.cpp makes: harmless to a
            // correct tokenizer, they make one that splits too coarsely produce other tokens.
            Set<String> keptTexts = new HashSet<>();
            keep.stream().forEach(id -> keptTexts.add(tokens[id]));
            for (int rank = 0; rank < merges.length; rank++) {
                int space = merges[rank].indexOf(' ', 1);
                String joined = merges[rank].substring(0, space) + merges[rank].substring(space + 1);
                if (space > 0 && keptTexts.contains(merges[rank].substring(0, space))
                        && keptTexts.contains(merges[rank].substring(space + 1)) && idsByText.containsKey(joined)) {
                    keptMerges.set(rank);
                    idsByText.get(joined).forEach(keep::set);
                }
            }
        }
        for (String key : List.of("tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id", "tokenizer.ggml.unknown_token_id")) {
            if (metadata.has(key)) {
                keep.set(metadata.get(key).asInt());
            }
        }
        ArrayNode kept = root.putArray("tokens");
        keep.stream().forEach(id -> kept.addArray().add(id).add(tokens[id])
                .add(types == null ? Vocabulary.NORMAL_TYPE : types[id]).add(scores == null ? 0f : scores[id]));
        ArrayNode keptMergeList = root.putArray("merges");
        keptMerges.stream().forEach(rank -> keptMergeList.add(merges[rank]));
        return root;
    }

    @Override
    public String toString() {
        return json.get("source").asText();
    }
}
