package dev.prefixflow.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Writes a shared-prefix workload: {@code groups} prefixes of {@code prefixTokens} random token ids,
 * {@code perGroup} requests on each with their own random suffix, in shuffled order (so a group's
 * requests arrive spread over the run, as in a real stream). Used to measure prefix routing.
 */
@Command(name = "workload", mixinStandardHelpOptions = true,
        description = "Generate a JSONL workload of requests that share prefixes.")
final class WorkloadCommand implements Callable<Integer> {
    @Option(names = "--output", required = true, description = "JSONL file to write.")
    Path output;

    @Option(names = "--groups", defaultValue = "16", description = "Distinct prefixes (default: ${DEFAULT-VALUE}).")
    int groups;

    @Option(names = "--per-group", defaultValue = "8", description = "Requests per prefix (default: ${DEFAULT-VALUE}).")
    int perGroup;

    @Option(names = "--prefix-tokens", defaultValue = "128", description = "Shared tokens (default: ${DEFAULT-VALUE}).")
    int prefixTokens;

    @Option(names = "--suffix-tokens", defaultValue = "16", description = "Own tokens per request (default: ${DEFAULT-VALUE}).")
    int suffixTokens;

    @Option(names = "--max-tokens", defaultValue = "8", description = "Tokens to generate (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--vocab", defaultValue = "2048", description = "Token ids are drawn from 3..vocab-1 (default: ${DEFAULT-VALUE}).")
    int vocab;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        Random random = new Random(seed);
        ObjectMapper json = new ObjectMapper();
        List<String> lines = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            int[] prefix = random.ints(prefixTokens, 3, vocab).toArray();
            for (int r = 0; r < perGroup; r++) {
                ObjectNode line = json.createObjectNode();
                line.put("id", "g" + g + "-r" + r);
                var ids = line.putArray("prompt_token_ids");
                ids.add(1);
                for (int t : prefix) {
                    ids.add(t);
                }
                random.ints(suffixTokens, 3, vocab).forEach(ids::add);
                line.put("max_tokens", maxTokens);
                line.put("temperature", 0);
                lines.add(json.writeValueAsString(line));
            }
        }
        Collections.shuffle(lines, random);
        try (BufferedWriter out = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
            for (String l : lines) {
                out.write(l);
                out.newLine();
            }
        }
        return 0;
    }
}
