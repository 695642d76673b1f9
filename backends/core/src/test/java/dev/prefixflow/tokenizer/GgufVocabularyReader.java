package dev.prefixflow.tokenizer;

import dev.prefixflow.testing.TestModels;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Test-only: reads a GGUF file's tokenizer metadata, so the tokenizer can be tested against the
 * real model without the production GGUF reader. Tensors are not read.
 */
final class GgufVocabularyReader {

    record ModelVocabulary(String model, Vocabulary vocabulary) {
        Tokenizer tokenizer() {
            return Tokenizers.fromVocabulary(model, vocabulary);
        }
    }

    private GgufVocabularyReader() {}

    /** The tokenizer of the KJV test model. */
    static Tokenizer kjvTokenizer() throws IOException {
        return read(TestModels.path("kjv-5m-q80.gguf")).tokenizer();
    }

    static ModelVocabulary read(Path file) throws IOException {
        Map<String, Object> kv = new HashMap<>();
        try (FileChannel channel = FileChannel.open(file)) {
            ByteBuffer in = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size()).order(ByteOrder.LITTLE_ENDIAN);
            if (in.getInt() != 0x46554747) {
                throw new IOException(file + " is not a GGUF file");
            }
            int version = in.getInt();
            if (version != 3) {
                throw new IOException("unsupported GGUF version " + version);
            }
            in.getLong(); // tensor count
            long kvCount = in.getLong();
            for (long i = 0; i < kvCount; i++) {
                String key = string(in);
                kv.put(key, value(in, in.getInt()));
            }
        }
        Object[] tokens = (Object[]) kv.get("tokenizer.ggml.tokens");
        Object[] scores = (Object[]) kv.get("tokenizer.ggml.scores");
        Object[] types = (Object[]) kv.get("tokenizer.ggml.token_type");
        String[] tokenStrings = new String[tokens.length];
        float[] scoreValues = new float[tokens.length];
        int[] typeValues = new int[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            tokenStrings[i] = (String) tokens[i];
            scoreValues[i] = ((Number) scores[i]).floatValue();
            typeValues[i] = ((Number) types[i]).intValue();
        }
        Vocabulary vocabulary = new Vocabulary(tokenStrings, scoreValues, typeValues,
                intValue(kv, "tokenizer.ggml.bos_token_id"),
                intValue(kv, "tokenizer.ggml.eos_token_id"),
                intValue(kv, "tokenizer.ggml.unknown_token_id"),
                (Boolean) kv.getOrDefault("tokenizer.ggml.add_bos_token", true),
                (Boolean) kv.getOrDefault("tokenizer.ggml.add_space_prefix", true));
        return new ModelVocabulary((String) kv.get("tokenizer.ggml.model"), vocabulary);
    }

    private static int intValue(Map<String, Object> kv, String key) {
        return ((Number) kv.get(key)).intValue();
    }

    private static Object value(ByteBuffer in, int type) throws IOException {
        return switch (type) {
            case 0, 1 -> in.get();
            case 2, 3 -> in.getShort();
            case 4, 5 -> in.getInt();
            case 6 -> in.getFloat();
            case 7 -> in.get() != 0;
            case 8 -> string(in);
            case 9 -> {
                int elementType = in.getInt();
                Object[] elements = new Object[Math.toIntExact(in.getLong())];
                for (int i = 0; i < elements.length; i++) {
                    elements[i] = value(in, elementType);
                }
                yield elements;
            }
            case 10, 11 -> in.getLong();
            case 12 -> in.getDouble();
            default -> throw new IOException("unknown GGUF value type " + type);
        };
    }

    private static String string(ByteBuffer in) {
        byte[] bytes = new byte[Math.toIntExact(in.getLong())];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
