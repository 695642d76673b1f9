package dev.prefixflow.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** OpenAI's presence/frequency penalties and vLLM's repetition penalty, on hand-made logits. */
class PenaltiesTest {

    @Test
    void presenceAndFrequencyCountGeneratedTokensOnly() {
        float[] logits = {1f, 2f, 3f, 4f};
        // Prompt: tokens 0 and 1; generated: 2, 2, 3.
        int[] tokens = {0, 1, 2, 2, 3};
        float[] out = new Penalties(0.5f, 0.25f, 1f).apply(logits, tokens, 2, 5);
        assertArrayEquals(new float[] {1f, 2f, 3f - 0.5f - 0.5f, 4f - 0.5f - 0.25f}, out);
        assertArrayEquals(new float[] {1f, 2f, 3f, 4f}, logits, "the logits themselves are left alone");
    }

    @Test
    void repetitionDividesPositiveAndMultipliesNegativeLogitsOfEveryTokenOnce() {
        float[] logits = {2f, -2f, 3f, 4f};
        int[] tokens = {0, 1, 0, 1};
        assertArrayEquals(new float[] {1f, -4f, 3f, 4f}, new Penalties(0f, 0f, 2f).apply(logits, tokens, 2, 4));
    }

    @Test
    void greedySamplingFollowsThePenalisedLogits() {
        SamplingParams p = new SamplingParams(4, 0f, 0, 1f, 0f, 0, List.of(), List.of(), false, true, 0,
                new Penalties(2f, 0f, 1f), 1);
        float[] logits = {0f, 3f, 2f};
        Sampler.Choice c = Sampler.sample(logits, p, new int[] {0, 1}, 1, 2);
        assertEquals(2, c.token(), "token 1 was generated, so presence 2 drops it below token 2");
        assertEquals(Math.log(Math.exp(2) / (1 + Math.exp(3) + Math.exp(2))), c.logprob(), 1e-6,
                "the logprob is the model's own, before penalties");
    }

    @Test
    void outOfRangeValuesNameTheirField() {
        assertEquals("frequency_penalty must be in [-2, 2], got 2.5",
                assertThrows(IllegalArgumentException.class, () -> new Penalties(0f, 2.5f, 1f)).getMessage());
    }
}
