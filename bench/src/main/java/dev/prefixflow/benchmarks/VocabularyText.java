package dev.prefixflow.benchmarks;

import dev.prefixflow.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

/**
 * Prose-like text made from a tokenizer's own word tokens, for measuring encode speed without a
 * corpus file: the KJV's vocabulary size in whole-word tokens (the lowest ids: BPE vocabularies list frequent
 * merges first), drawn with a Zipf-like skew, in sentences with commas, capitals and line breaks.
 */
final class VocabularyText {

    private static final Pattern WORD = Pattern.compile("[A-Za-z]+");
    /** About the number of distinct words in the King James Bible. */
    private static final int WORDS = 13_000;

    private VocabularyText() {
    }

    static String generate(Tokenizer tokenizer, int chars, long seed) {
        List<String> words = new ArrayList<>();
        for (int id = 0; id < tokenizer.vocabularySize() && words.size() < WORDS; id++) {
            String word = tokenizer.isControl(id) ? "" : tokenizer.decode(new int[] {id}).strip();
            // A token that starts a word repeats with a space between: " the the", not "fterfter".
            boolean wordStart = tokenizer.decode(new int[] {id, id}).strip().equals(word + " " + word);
            if (wordStart && WORD.matcher(word).matches()) {
                words.add(word.toLowerCase(Locale.ROOT));
            }
        }
        if (words.isEmpty()) {
            throw new IllegalArgumentException("the vocabulary has no word tokens to make text from");
        }
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder text = new StringBuilder(chars + 100);
        boolean sentenceStart = true;
        while (text.length() < chars) {
            // Log-uniform rank: frequency falls roughly as 1/rank.
            String word = words.get((int) Math.pow(words.size(), random.nextDouble()) - 1);
            text.append(sentenceStart ? Character.toUpperCase(word.charAt(0)) + word.substring(1) : word);
            sentenceStart = false;
            int mark = random.nextInt(40);
            if (mark < 3) {
                text.append(',');
            } else if (mark == 3) {
                text.append(random.nextBoolean() ? ':' : ';');
            } else if (mark == 4) {
                text.append('.');
                sentenceStart = true;
            }
            text.append(sentenceStart && random.nextInt(3) == 0 ? '\n' : ' ');
        }
        return text.toString();
    }
}
