package dev.prefixflow.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.prefixflow.sampling.SamplingParams;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The session gives callers their own ids and attachments back, whatever ids they chose. */
class EngineSessionTest {
    private static final EngineConfig CONFIG = new EngineConfig(4, 64, 16, 64, true);

    @Test
    void requestsSharingAnIdComeBackUnderItWithTheirOwnAttachmentsAndTokens() {
        int[][] prompts = {{1, 450, 365}, {1, 450, 365, 1023}, {1, 29871, 13}};
        SamplingParams sampled = new SamplingParams(8, 0.8f, 0, 1f, 0f, 7, List.of(), List.of(), true, false);
        EngineSession<Integer> session = new EngineSession<>(TestEngines.engine(CONFIG));
        for (int i = 0; i < prompts.length; i++) {
            // Every request is called "same": only the attachment tells them apart.
            session.add(new Request("same", prompts[i], sampled, null), i);
        }
        Map<Integer, RequestResult> byAttachment = new HashMap<>();
        for (EngineSession.Finished<Integer> f : session.runUntilDone()) {
            assertEquals("same", f.result().id());
            byAttachment.put(f.attachment(), f.result());
        }
        assertEquals(prompts.length, byAttachment.size());
        for (int i = 0; i < prompts.length; i++) {
            // The same request alone on a fresh engine gives the same tokens.
            RequestResult alone = TestEngines.run(CONFIG, List.of(new Request("alone", prompts[i], sampled, null)))
                    .get("alone");
            assertArrayEquals(alone.tokenIds(), byAttachment.get(i).tokenIds(), "request " + i);
            assertArrayEquals(prompts[i], byAttachment.get(i).promptTokenIds());
        }
    }

    @Test
    void anImpossibleRequestFinishesWithItsAttachmentAndError() {
        EngineSession<String> session = new EngineSession<>(TestEngines.engine(CONFIG));
        session.add(new Request("bad", new int[] {1, 1_000_000}, SamplingParams.greedy(2), null), "line 7");
        List<EngineSession.Finished<String>> done = session.runUntilDone();
        assertEquals(1, done.size());
        assertEquals("line 7", done.get(0).attachment());
        assertEquals("bad", done.get(0).result().id());
        assertEquals(true, done.get(0).result().isError());
    }
}
