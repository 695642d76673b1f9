package dev.prefixflow.engine.block;

import java.util.Random;

/**
 * Evictor operations per second with a large pool of cached blocks: each round evicts one block
 * (reuse), removes a random one (a cache hit), and adds both back with a newer access time.
 * Not a test; run with
 * {@code ./mvnw -q -o -pl engine -am test-compile && java -cp
 * engine/target/classes:engine/target/test-classes dev.prefixflow.engine.block.EvictorBench}.
 */
public final class EvictorBench {

    private static final int CACHED_BLOCKS = 1_000_000;
    private static final int BLOCKS_PER_SEQUENCE = 16;
    private static final BlockHash HASH = new BlockHash(1, 2);

    private EvictorBench() {}

    public static void main(String[] args) {
        for (int warmup = 0; warmup < 3; warmup++) {
            run(new LruEvictor(CACHED_BLOCKS), 1_000_000);
        }
        report("LruEvictor", run(new LruEvictor(CACHED_BLOCKS), 5_000_000));
        run(new LinearScanEvictor(), 20);
        report("LinearScanEvictor", run(new LinearScanEvictor(), 100));
    }

    private static void report(String name, double opsPerSecond) {
        System.out.printf("%-18s %,d cached blocks: %,.0f ops/s%n", name, CACHED_BLOCKS, opsPerSecond);
    }

    /** Fills the evictor like freed sequences would (shared times, depths 16..256), then times the mix. */
    private static double run(Evictor evictor, int rounds) {
        for (int id = 0; id < CACHED_BLOCKS; id++) {
            evictor.add(id, HASH, id / BLOCKS_PER_SEQUENCE, 16 * (1 + id % BLOCKS_PER_SEQUENCE));
        }
        Random random = new Random(42);
        long clock = CACHED_BLOCKS / BLOCKS_PER_SEQUENCE + 1;
        long operations = 0;
        long start = System.nanoTime();
        for (int round = 0; round < rounds; round++) {
            EvictedBlock evicted = evictor.evict();
            int hit = random.nextInt(CACHED_BLOCKS);
            boolean removed = evictor.remove(hit);
            evictor.add(evicted.blockId(), HASH, clock, evicted.prefixTokens());
            operations += 2;
            if (removed) {
                evictor.add(hit, HASH, clock, 16);
                operations += 2;
            }
            clock++;
        }
        return operations / ((System.nanoTime() - start) / 1e9);
    }
}
