package dev.prefixflow.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefixflow.generate.Completion;
import dev.prefixflow.generate.Generator;
import dev.prefixflow.gguf.GgmlType;
import dev.prefixflow.model.ForwardBatch;
import dev.prefixflow.model.LoadedModel;
import dev.prefixflow.model.ModelLoader;
import dev.prefixflow.model.SequenceChunk;
import dev.prefixflow.model.synthetic.ModelShape;
import dev.prefixflow.model.synthetic.SyntheticModel;
import dev.prefixflow.platform.KvPool;
import dev.prefixflow.platform.KvPoolSpec;
import dev.prefixflow.sampling.SamplingParams;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Synthetic models in every weight type load and run on the CPU platform with finite logits. */
class SyntheticModelRunTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void loadsGeneratesAndGivesFiniteLogits(GgmlType type) throws IOException {
        Path path = dir.resolve("tiny.gguf");
        SyntheticModel.write(ModelShape.parse("tiny"), type, 3, path);
        CpuPlatform platform = new CpuPlatform();
        try (LoadedModel model = ModelLoader.load(path, platform)) {
            int[] prompt = model.tokenizer().encode("w1 w22 w333", true);
            float[] logits = promptLogits(model, platform, prompt);
            assertEquals(model.config().vocabSize(), logits.length);
            for (int i = 0; i < logits.length; i++) {
                assertTrue(Float.isFinite(logits[i]), "logit " + i + " is " + logits[i]);
            }
            Completion c = new Generator(model, platform.attentionBackends().get(0), 16, 512)
                    .generate(prompt, SamplingParams.greedy(5).withIgnoreEos(true), piece -> { });
            assertEquals(5, c.tokenIds().length);
        }
    }

    private static float[] promptLogits(LoadedModel model, CpuPlatform platform, int[] prompt) {
        var c = model.config();
        KvPool pool = platform.attentionBackends().get(0).allocate(
                new KvPoolSpec(c.layers(), c.kvHeads(), c.headDim(), 1, prompt.length));
        int[] slots = new int[prompt.length];
        java.util.Arrays.setAll(slots, i -> i);
        return model.model().forward(new ForwardBatch(List.of(
                new SequenceChunk(prompt, 0, new int[] {0}, slots, true))), pool)[0];
    }
}
