package dev.prefixflow.job;

import dev.prefixflow.chat.ChatFormat;
import dev.prefixflow.engine.EngineMetrics;
import dev.prefixflow.engine.EngineFactory;
import dev.prefixflow.engine.EngineSession;
import dev.prefixflow.engine.EngineSettings;
import dev.prefixflow.engine.jsonl.ParsedLine;
import dev.prefixflow.engine.jsonl.RequestParser;
import dev.prefixflow.engine.jsonl.ResultWriter;
import dev.prefixflow.job.progress.ProgressLine;
import dev.prefixflow.model.LoadedModel;
import dev.prefixflow.platform.Platform;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Runs a file of requests through the engine in-process (vLLM's offline mode). */
@Command(name = "batch", mixinStandardHelpOptions = true,
        description = "Answer a JSONL file of requests (PrefixFlow records or OpenAI batch lines); "
                + "one output line per input line, in finishing order.")
final class BatchCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--input", required = true, description = "JSONL file of requests.")
    Path input;

    @Option(names = "--output", required = true, description = "JSONL file of results (overwritten).")
    Path output;

    @Mixin
    EngineOptions engineOptions;

    @Mixin
    LoraOptions loraOptions;

    @Mixin
    ChatTemplateOption chatTemplate;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        Platform platform = modelOptions.platform();
        try (LoadedModel model = modelOptions.load();
             BufferedReader in = Files.newBufferedReader(input, StandardCharsets.UTF_8);
             BufferedWriter out = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
            EngineSettings settings = engineOptions.applyTo(modelOptions.settings()).withLora(loraOptions.paths());
            EngineSession<ParsedLine> session = new EngineSession<>(EngineFactory.create(model, platform, settings));
            RequestParser parser = new RequestParser(model.tokenizer(), model.config().contextLength(),
                    ChatFormat.of(model.file(), model.tokenizer(), chatTemplate.source()));
            ResultWriter writer = new ResultWriter(System.currentTimeMillis() / 1000, model.tokenizer());
            long start = System.nanoTime();
            ProgressLine progressLine = new ProgressLine(err, modelOptions.progress.style(), start);

            int total = 0;
            int admitted = 0;
            int errors = 0;
            String text;
            while ((text = in.readLine()) != null) {
                total++;
                ParsedLine line = parser.parse(text, total);
                if (line.isBad()) {
                    errors++;
                    writeLine(out, writer.badLine(line));
                } else {
                    admitted++;
                    session.add(line.request(), line);
                }
            }
            int done = total - admitted;
            int lines = total;
            while (session.hasUnfinishedRequests()) {
                for (EngineSession.Finished<ParsedLine> f : session.step()) {
                    done++;
                    errors += f.result().isError() ? 1 : 0;
                    writeLine(out, writer.result(f.attachment(), f.choices()));
                }
                long now = System.nanoTime();
                int answered = done;
                progressLine.update(now, () -> progress(answered, lines, session.metrics(), now - start));
            }
            EngineMetrics m = session.metrics();
            double seconds = (System.nanoTime() - start) / 1e9;
            progressLine.finish(progress(done, total, m, System.nanoTime() - start));
            err.printf("%d requests (%d errors), %d prompt tokens (%d cached, hit rate %.1f%%), %d generated tokens, "
                            + "%.1f generated tokens/s, %d preemptions, wall time %.2f s%n",
                    total, errors, m.promptTokens(), m.cachedTokens(), 100 * m.prefixCacheHitRate(),
                    m.generatedTokens(), m.generatedTokens() / seconds, m.preemptions(), seconds);
            err.flush();
        }
        return 0;
    }

    private static String progress(int done, int total, EngineMetrics m, long elapsedNanos) {
        return String.format("%d/%d requests, %.1f tokens/s, hit rate %.1f%%", done, total,
                m.generatedTokens() / (elapsedNanos / 1e9), 100 * m.prefixCacheHitRate());
    }

    private static void writeLine(BufferedWriter out, String line) throws IOException {
        out.write(line);
        out.newLine();
    }
}
