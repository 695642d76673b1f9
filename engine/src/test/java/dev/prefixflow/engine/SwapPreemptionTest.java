package dev.prefixflow.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefixflow.engine.tier.InMemoryTierStore;
import dev.prefixflow.engine.tier.KvBlockCodec;
import dev.prefixflow.engine.tier.ModelFingerprint;
import dev.prefixflow.engine.tier.StoredBlockTier;
import dev.prefixflow.testing.TestModels;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Swap-mode preemption: in a pool small enough to preempt and evict, preempted sequences swap their
 * evicted full blocks back in from the tier, producing the tokens they produce alone while
 * computing fewer tokens than preemption by recompute.
 */
class SwapPreemptionTest {
    static final EngineConfig RECOMPUTE = new EngineConfig(32, 64, 16, 24, true);

    record Run(Map<String, RequestResult> results, EngineMetrics metrics) {}

    @Test
    void swapGivesTheSameTokensAsRecomputeWhileComputingLess() {
        List<Request> requests = EngineDeterminismTest.mixedRequests(32, new Random(7));
        Map<String, RequestResult> alone = TestEngines.run(new EngineConfig(1, 512, 16, 64, false), requests);
        Run recompute = runWithTier(RECOMPUTE, requests);
        Run swap = runWithTier(RECOMPUTE.withPreemptionMode(PreemptionMode.SWAP), requests);

        assertSameTokens(alone, recompute.results);
        assertSameTokens(alone, swap.results);
        assertTrue(recompute.metrics.preemptions() > 0, "the pool should preempt");
        assertTrue(swap.metrics.preemptions() > 0, "the pool should preempt");
        assertEquals(0, recompute.metrics.swappedInTokens());
        assertEquals(0, recompute.metrics.swappedOutBlocks());
        assertTrue(swap.metrics.swappedOutBlocks() > 0, "preempted blocks should be evicted and copied out");
        assertTrue(swap.metrics.swappedInTokens() > 0, "preempted sequences should swap blocks back in");
        assertTrue(swap.metrics.computedTokens() < recompute.metrics.computedTokens(),
                swap.metrics.computedTokens() + " computed with swap, " + recompute.metrics.computedTokens()
                        + " with recompute");
    }

    /** Without a tier there is nowhere to keep evicted blocks: swap mode recomputes, token for token. */
    @Test
    void swapWithoutTierRecomputes() {
        List<Request> requests = EngineDeterminismTest.mixedRequests(16, new Random(11));
        LlmEngine recompute = run(TestEngines.engine(RECOMPUTE), requests);
        LlmEngine swap = run(TestEngines.engine(RECOMPUTE.withPreemptionMode(PreemptionMode.SWAP)), requests);
        assertTrue(swap.metrics().preemptions() > 0, "the pool should preempt");
        assertEquals(0, swap.metrics().swappedInTokens());
        assertEquals(recompute.metrics().computedTokens(), swap.metrics().computedTokens());
    }

    private static LlmEngine run(LlmEngine engine, List<Request> requests) {
        requests.forEach(engine::addRequest);
        engine.runUntilDone();
        return engine;
    }

    private static Run runWithTier(EngineConfig config, List<Request> requests) {
        KvBlockCodec codec = new KvBlockCodec(ModelFingerprint.of(TestModels.path(TestEngines.MODEL)),
                LlmEngine.kvPoolSpec(TestEngines.model().config(), config));
        StoredBlockTier tier = new StoredBlockTier(codec, 1L << 30, new InMemoryTierStore());
        LlmEngine engine = TestEngines.engine(config, tier);
        Map<String, RequestResult> results = new HashMap<>();
        requests.forEach(engine::addRequest);
        engine.runUntilDone().forEach(r -> results.put(r.id(), r));
        return new Run(results, engine.metrics());
    }

    private static void assertSameTokens(Map<String, RequestResult> want, Map<String, RequestResult> got) {
        assertEquals(want.keySet(), got.keySet());
        for (RequestResult w : want.values()) {
            RequestResult g = got.get(w.id());
            assertNull(g.error(), w.id());
            assertArrayEquals(w.tokenIds(), g.tokenIds(), w.id() + " tokens");
            assertEquals(w.text(), g.text(), w.id() + " text");
        }
    }
}
