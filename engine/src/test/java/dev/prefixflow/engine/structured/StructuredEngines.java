package dev.prefixflow.engine.structured;

import dev.prefixflow.engine.EngineConfig;
import dev.prefixflow.engine.EngineFactory;
import dev.prefixflow.engine.LlmEngine;
import dev.prefixflow.engine.RequestResult;
import dev.prefixflow.engine.jsonl.ParsedLine;
import dev.prefixflow.engine.jsonl.RequestParser;
import dev.prefixflow.engine.tier.BlockTier;
import dev.prefixflow.gguf.GgmlType;
import dev.prefixflow.lora.LoraAdapters;
import dev.prefixflow.model.LoadedModel;
import dev.prefixflow.model.ModelLoader;
import dev.prefixflow.model.synthetic.ModelShape;
import dev.prefixflow.model.synthetic.SyntheticModel;
import dev.prefixflow.platform.Platform;
import dev.prefixflow.platform.Platforms;
import dev.prefixflow.testing.TestModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model structured-output tests run on: random weights behind the real Qwen2 vocabulary
 * (151,936 byte-level BPE tokens), written once per test JVM, where only the constraint can make the
 * text valid. (SentencePiece is covered by TokenMaskTest and, end to end, by the job's
 * StructuredOutputsCliTest on kjv-5m.)
 */
final class StructuredEngines {
    private static LoadedModel qwen2Vocabulary;

    private StructuredEngines() {
    }

    static synchronized LoadedModel qwen2Vocabulary() {
        if (qwen2Vocabulary == null) {
            try {
                Path dir = Files.createTempDirectory("structured");
                Path model = dir.resolve("random-qwen2-vocab.gguf");
                SyntheticModel.write(ModelShape.parse("tiny,dim=64,ffn=128"), GgmlType.Q8_0, 11, model,
                        TestModels.path("vocab/ggml-vocab-qwen2.gguf"));
                qwen2Vocabulary = ModelLoader.load(model, platform());
                Files.delete(model);
                Files.delete(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return qwen2Vocabulary;
    }

    static Platform platform() {
        return Platforms.select(null);
    }

    /** Parses the request lines, runs them on a fresh engine, and returns the results by request id. */
    static Map<String, RequestResult> run(LoadedModel model, int maxNumSeqs, List<String> lines) {
        LlmEngine engine = new LlmEngine(model, EngineFactory.attention(model.config(), platform()),
                new EngineConfig(maxNumSeqs, 512, 16, 256, true), LoraAdapters.NONE, BlockTier.NONE, System::nanoTime);
        RequestParser parser = new RequestParser(model.tokenizer(), model.config().contextLength());
        for (int i = 0; i < lines.size(); i++) {
            ParsedLine line = parser.parse(lines.get(i), i + 1);
            if (line.isBad()) {
                throw new AssertionError("line " + (i + 1) + " is bad: " + line.problem());
            }
            engine.addRequest(line.request());
        }
        Map<String, RequestResult> byId = new LinkedHashMap<>();
        for (RequestResult r : engine.runUntilDone()) {
            byId.put(r.id(), r);
        }
        return byId;
    }
}
