package dev.prefixflow.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefixflow.gguf.GgmlType;
import dev.prefixflow.model.ForwardBatch;
import dev.prefixflow.model.LoadedModel;
import dev.prefixflow.model.ModelLoader;
import dev.prefixflow.model.SequenceChunk;
import dev.prefixflow.model.synthetic.ModelShape;
import dev.prefixflow.model.synthetic.SyntheticModel;
import dev.prefixflow.platform.KvPool;
import dev.prefixflow.platform.KvPoolSpec;
import dev.prefixflow.sampling.Sampler;
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
    void loadsDecodesAndGivesFiniteLogits(GgmlType type) throws IOException {
        Path path = dir.resolve("tiny.gguf");
        SyntheticModel.write(ModelShape.parse("tiny"), type, 3, path);
        CpuPlatform platform = new CpuPlatform();
        try (LoadedModel model = ModelLoader.load(path, platform)) {
            var c = model.config();
            KvPool pool = c.attentionBackend(platform).allocate(
                    new KvPoolSpec(c.layers(), c.kvHeads(), c.headDim(), 1, 32));
            int[] tokens = model.tokenizer().encode("w1 w22 w333", true);
            int position = 0;
            // The prompt, then five greedy decode steps, all with finite logits.
            for (int step = 0; step < 6; step++) {
                int[] slots = new int[tokens.length];
                for (int i = 0; i < slots.length; i++) {
                    slots[i] = position + i;
                }
                float[] logits = model.model().forward(new ForwardBatch(List.of(
                        new SequenceChunk(tokens, position, new int[] {0}, slots, true))), pool)[0];
                assertEquals(c.vocabSize(), logits.length);
                for (int i = 0; i < logits.length; i++) {
                    assertTrue(Float.isFinite(logits[i]), "step " + step + ": logit " + i + " is " + logits[i]);
                }
                position += tokens.length;
                tokens = new int[] {Sampler.argmax(logits)};
            }
        }
    }
}
