package dev.prefixflow.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefixflow.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A long prompt is prefilled in budget-sized chunks while running sequences keep decoding. */
class ChunkedPrefillTest {

    @Test
    void aLongPromptNeverStallsDecodes() {
        LlmEngine engine = TestEngines.engine(new EngineConfig(4, 16, 16, 64, false));
        List<String> decoded = new ArrayList<>();
        engine.addRequest(new Request("short", new int[] {1, 450, 365},
                SamplingParams.greedy(40).withIgnoreEos(true), null), decoded::add);
        engine.step();
        assertEquals(1, decoded.size());

        List<String> longOut = new ArrayList<>();
        int[] longPrompt = IntStream.range(0, 200).map(i -> 3 + i).toArray();
        engine.addRequest(new Request("long", longPrompt, SamplingParams.greedy(1), null), longOut::add);
        int steps = 0;
        long computed = engine.metrics().computedTokens();
        while (longOut.isEmpty()) {
            int before = decoded.size();
            engine.step();
            steps++;
            assertEquals(before + 1, decoded.size(), "the short sequence decodes in every step");
            long step = engine.metrics().computedTokens() - computed;
            computed += step;
            assertTrue(step <= 16, "a step computes at most the budget: " + step);
        }
        // 200 prompt tokens at 15 per step (one token of the budget goes to the decode).
        assertEquals((200 + 14) / 15, steps);
    }
}
