package dev.prefixflow.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prefixflow.tokenizer.Tokenizer;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Prints token ids as JSON arrays, as llama.cpp's llama-tokenize does, for checking tokenizers at
 * scale. Reads only the file's vocabulary, so vocabulary-only GGUF files work too.
 */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Tokenize text with a model's tokenizer; prints JSON arrays of token ids.")
final class TokenizeCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--no-bos", description = "Do not add BOS even when the model asks for it.")
    boolean noBos;

    @Option(names = "--parse-special", description = "A control token's text (e.g. <|im_start|>) becomes that token"
            + " (default: plain text, as llama.cpp's tokenizer tests).")
    boolean parseSpecial;

    @ArgGroup(multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--text", required = true, description = "Text to tokenize.")
        String text;

        @Option(names = "--input", required = true, description = "File with one JSON string per line.")
        Path file;
    }

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ObjectMapper json = new ObjectMapper();
        PrintWriter out = spec.commandLine().getOut();
        Tokenizer tokenizer = modelOptions.tokenizer();
        if (input.text != null) {
            out.println(json.writeValueAsString(tokenizer.encode(input.text, !noBos, parseSpecial)));
        } else {
            try (BufferedReader lines = Files.newBufferedReader(input.file, StandardCharsets.UTF_8)) {
                String line;
                int number = 0;
                while ((line = lines.readLine()) != null) {
                    number++;
                    String text;
                    try {
                        text = json.readValue(line, String.class);
                    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                        throw new IllegalArgumentException(input.file + " line " + number
                                + ": expected one JSON string per line (" + e.getOriginalMessage() + ")");
                    }
                    out.println(json.writeValueAsString(tokenizer.encode(text, !noBos, parseSpecial)));
                }
            }
        }
        out.flush();
        return 0;
    }
}
