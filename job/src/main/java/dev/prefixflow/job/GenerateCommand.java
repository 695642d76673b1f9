package dev.prefixflow.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prefixflow.chat.ChatFormat;
import dev.prefixflow.engine.EngineFactory;
import dev.prefixflow.engine.EngineSession;
import dev.prefixflow.engine.EngineSettings;
import dev.prefixflow.engine.Request;
import dev.prefixflow.engine.RequestResult;
import dev.prefixflow.model.LoadedModel;
import dev.prefixflow.platform.Platform;
import dev.prefixflow.sampling.SamplingParams;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Generates one completion in-process, through the same engine as {@code batch}, with one request. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate a completion for one prompt (greedy unless --temperature is set).")
final class GenerateCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @ArgGroup(multiplicity = "1")
    Prompt prompt;

    static final class Prompt {
        @Option(names = "--prompt", required = true, description = "Prompt text, tokenized with the model's tokenizer.")
        String text;

        @Option(names = "--prompt-ids", required = true, split = ",", description = "Prompt token ids, used as given.")
        int[] ids;
    }

    @Option(names = "--chat", description = "Send --prompt as one user message, through the chat template.")
    boolean chat;

    @Mixin
    ChatTemplateOption chatTemplate;

    @Option(names = "--split-special-tokens",
            description = "Tokenize special-token text in --prompt as plain text (default: it becomes the token).")
    boolean splitSpecialTokens;

    @Option(names = "--max-tokens", defaultValue = "16", description = "Tokens to generate at most (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "0", description = "0 is greedy (default: ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-k", defaultValue = "0", description = "Keep the k most likely tokens; 0 keeps all.")
    int topK;

    @Option(names = "--top-p", defaultValue = "1", description = "Nucleus sampling threshold (default: ${DEFAULT-VALUE}).")
    float topP;

    @Option(names = "--min-p", defaultValue = "0", description = "Drop tokens below min-p times the best one's probability.")
    float minP;

    @Option(names = "--seed", defaultValue = "0", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--stop", description = "Stop string (repeatable).")
    List<String> stop = List.of();

    @Option(names = "--stop-token-ids", split = ",", description = "Token ids that end the completion.")
    List<Integer> stopTokenIds = List.of();

    @Option(names = "--ignore-eos", description = "Keep generating after the end-of-sequence token.")
    boolean ignoreEos;

    @Option(names = "--logprobs", description = "Report each generated token's log-probability (with --json).")
    boolean logprobs;

    @Option(names = "--lora", paramLabel = "PATH", description = "Apply this LoRA adapter (GGUF) to the model.")
    Path lora;

    @Option(names = "--json", description = "Print one JSON object on stdout instead of streaming text.")
    boolean json;

    @Option(names = "--block-size", defaultValue = "16", description = "KV cache block size in tokens.")
    int blockSize;

    @Option(names = "--prefill-chunk", defaultValue = "512",
            description = "Prompt tokens per prefill step (the engine's token budget).")
    int prefillChunk;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (LoadedModel model = modelOptions.load()) {
            int[] ids = prompt.ids != null ? prompt.ids : promptIds(model);
            int context = model.config().contextLength();
            // generate stops at the context's end rather than refusing a large --max-tokens.
            int cappedMaxTokens = Math.min(maxTokens, Math.max(0, context - ids.length));
            SamplingParams params = new SamplingParams(cappedMaxTokens, temperature, topK, topP, minP, seed,
                    stopTokenIds, stop, ignoreEos, logprobs);
            // The adapter's name only links the request to it: the file name will do.
            String loraName = lora == null ? null : lora.getFileName().toString();
            Platform platform = modelOptions.platform();
            // One sequence: a pool for one full context, nothing to share, so no prefix caching.
            EngineSettings settings = modelOptions.settings()
                    .withLimits(1, prefillChunk, blockSize, (context + blockSize - 1) / blockSize)
                    .withPrefixCaching(false)
                    .withLora(lora == null ? Map.of() : Map.of(loraName, lora.toAbsolutePath().toString()));
            EngineSession<Void> session = new EngineSession<>(EngineFactory.create(model, platform, settings));
            long start = System.nanoTime();
            session.add(new Request("generate", ids, params, loraName), null, piece -> {
                if (!json) {
                    out.print(piece);
                    out.flush();
                }
            }, null);
            RequestResult c = session.runUntilDone().get(0).result();
            if (c.isError()) {
                throw new IllegalArgumentException(c.error().message());
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (json) {
                out.println(toJson(c));
            } else {
                out.println();
            }
            out.flush();
            err.printf("%d prompt tokens, %d generated tokens in %.2f s (%.1f tokens/s), finish reason: %s%n",
                    ids.length, c.tokenIds().length, seconds, c.tokenIds().length / seconds, c.finishReason().apiName());
            err.flush();
        }
        return 0;
    }

    /** Raw text gets BOS as the model asks; a chat prompt's template writes its own. */
    private int[] promptIds(LoadedModel model) throws Exception {
        if (!chat) {
            return model.tokenizer().encode(prompt.text, true, !splitSpecialTokens);
        }
        ChatFormat format = ChatFormat.of(model.file(), model.tokenizer(), chatTemplate.source());
        String text = format.render(List.of(Map.of("role", "user", "content", prompt.text)), true, false, Map.of());
        return model.tokenizer().encode(text, false, !splitSpecialTokens);
    }

    private static String toJson(RequestResult c) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode node = mapper.createObjectNode();
        node.set("prompt_token_ids", mapper.valueToTree(c.promptTokenIds()));
        node.set("token_ids", mapper.valueToTree(c.tokenIds()));
        node.put("text", c.text());
        node.put("finish_reason", c.finishReason().apiName());
        if (c.logprobs() != null) {
            node.set("logprobs", mapper.valueToTree(c.logprobs()));
        }
        return mapper.writeValueAsString(node);
    }
}
