package dev.prefixflow.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefixflow.engine.block.BlockHash;
import dev.prefixflow.engine.tier.InMemoryTierStore;
import dev.prefixflow.engine.tier.KvBlockCodec;
import dev.prefixflow.engine.tier.ModelFingerprint;
import dev.prefixflow.engine.tier.StoredBlockTier;
import dev.prefixflow.engine.tier.TierStore;
import dev.prefixflow.sampling.SamplingParams;
import dev.prefixflow.testing.TestModels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The evicted-block tier on the real model: distinct prefixes need far more blocks than the pool
 * holds, so a second pass over them finds its prefixes evicted. With the tier they are swapped back
 * in, bit for bit, and every request gets exactly the tokens it gets without a tier.
 */
class BlockTierTest {
    static final int PREFIXES = 12;
    static final int PREFIX_TOKENS = 64;
    static final EngineConfig CONFIG = new EngineConfig(2, 128, 16, 16, true);
    static List<List<Request>> passes;
    static Run withoutTier;

    record Run(Map<String, RequestResult> results, EngineMetrics metrics, StoredBlockTier tier) {}

    @BeforeAll
    static void runWithoutTier() {
        passes = twoPasses(new Random(5));
        withoutTier = run(null);
    }

    @Test
    void secondPassIsSwappedInWithIdenticalOutputs() {
        Run tiered = run(new InMemoryTierStore());
        assertSameOutputs(tiered);
        StoredBlockTier.Stats stats = tiered.tier.stats();
        assertTrue(stats.writes() > 0, "evicted blocks went to the tier");
        int cachedPrefix = PREFIX_TOKENS;
        for (Request r : passes.get(1)) {
            RequestResult.Usage u = tiered.results.get(r.id()).usage();
            assertEquals(cachedPrefix, u.cachedTokens(), r.id() + ": the whole prefix from the pool or the tier");
        }
        long tierTokens = tiered.results.values().stream().mapToLong(r -> r.usage().tierCachedTokens()).sum();
        EngineMetrics m = tiered.metrics;
        assertEquals(tierTokens, m.tierCachedTokens());
        // Swap-ins read from the tier, or handed over at eviction to requests already waiting.
        assertTrue(stats.hits() > 0 && stats.hits() * CONFIG.blockSize() <= tierTokens, stats.toString());
        assertEquals(PREFIXES * cachedPrefix, m.cachedTokens() - firstPassCached(tiered));
        assertSparedPrefill(tiered);
    }

    @Test
    void unreadableEntriesAreRecomputed() {
        Run cut = run(new CuttingStore());
        assertSameOutputs(cut);
        StoredBlockTier.Stats stats = cut.tier.stats();
        assertEquals(0, stats.hits());
        assertTrue(stats.rejected() > 0, stats.toString());
        assertTrue(cut.metrics.cachedTokens() < PREFIXES * PREFIX_TOKENS, "prefixes were recomputed");
        assertSparedPrefill(cut);
    }

    private static long firstPassCached(Run run) {
        return passes.get(0).stream().mapToLong(r -> run.results.get(r.id()).usage().cachedTokens()).sum();
    }

    /** Every cached token more than without a tier is a prefill token not computed, and no other. */
    private static void assertSparedPrefill(Run run) {
        EngineMetrics m = run.metrics;
        long spared = m.cachedTokens() - withoutTier.metrics.cachedTokens();
        assertEquals(m.tierCachedTokens(), spared);
        assertEquals(withoutTier.metrics.computedTokens() - spared, m.computedTokens());
    }

    @Test
    void fingerprintTellsModelFilesApart() {
        byte[] q80 = ModelFingerprint.of(TestModels.path(TestEngines.MODEL));
        assertArrayEquals(q80, ModelFingerprint.of(TestModels.path(TestEngines.MODEL)));
        assertFalse(Arrays.equals(q80, ModelFingerprint.of(TestModels.path("kjv-5m-f32.gguf"))));
    }

    private static void assertSameOutputs(Run run) {
        assertEquals(withoutTier.results.size(), run.results.size());
        for (RequestResult want : withoutTier.results.values()) {
            RequestResult got = run.results.get(want.id());
            assertNull(got.error(), want.id());
            assertArrayEquals(want.tokenIds(), got.tokenIds(), want.id());
            assertEquals(want.text(), got.text(), want.id());
        }
    }

    /** Each pass is added once the previous one is done: the tier is read when a request is added. */
    static Run run(TierStore store) {
        StoredBlockTier tier = null;
        LlmEngine engine;
        if (store == null) {
            engine = TestEngines.engine(CONFIG);
        } else {
            KvBlockCodec codec = new KvBlockCodec(ModelFingerprint.of(TestModels.path(TestEngines.MODEL)),
                    LlmEngine.kvPoolSpec(TestEngines.model().config(), CONFIG));
            tier = new StoredBlockTier(codec, 1L << 30, store);
            engine = TestEngines.engine(CONFIG, tier);
        }
        Map<String, RequestResult> results = new java.util.HashMap<>();
        for (List<Request> pass : passes) {
            pass.forEach(engine::addRequest);
            engine.runUntilDone().forEach(r -> results.put(r.id(), r));
        }
        return new Run(results, engine.metrics(), tier);
    }

    /** Distinct 64-token prefixes, each with a short own suffix; the second pass repeats the prefixes. */
    static List<List<Request>> twoPasses(Random random) {
        int vocab = TestEngines.model().config().vocabSize();
        int[][] prefixes = IntStream.range(0, PREFIXES).mapToObj(i -> random.ints(PREFIX_TOKENS, 3, vocab).toArray())
                .toArray(int[][]::new);
        List<List<Request>> out = new ArrayList<>();
        for (int pass = 0; pass < 2; pass++) {
            List<Request> requests = new ArrayList<>();
            for (int i = 0; i < PREFIXES; i++) {
                int[] prompt = IntStream.concat(IntStream.of(prefixes[i]), random.ints(5, 3, vocab)).toArray();
                requests.add(new Request("p" + pass + "-" + i, prompt,
                        SamplingParams.greedy(4).withIgnoreEos(true), null));
            }
            out.add(requests);
        }
        return out;
    }

    /** A store whose entries lose their last byte on the way (a cut write). */
    static final class CuttingStore implements TierStore {
        private final InMemoryTierStore store = new InMemoryTierStore();

        @Override
        public byte[] read(String key, BlockHash hash) {
            return store.read(key, hash);
        }

        @Override
        public void write(String key, BlockHash hash, byte[] entry) {
            store.write(key, hash, Arrays.copyOf(entry, entry.length - 1));
        }

        @Override
        public void delete(String key, BlockHash hash) {
            store.delete(key, hash);
        }
    }
}
