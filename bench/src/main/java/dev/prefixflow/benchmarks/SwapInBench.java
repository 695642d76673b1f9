package dev.prefixflow.benchmarks;

import dev.prefixflow.engine.tier.KvBlockCodec;
import dev.prefixflow.model.ForwardBatch;
import dev.prefixflow.model.LoadedModel;
import dev.prefixflow.model.ModelConfig;
import dev.prefixflow.model.SequenceChunk;
import dev.prefixflow.platform.AttentionBackend;
import dev.prefixflow.platform.KvPool;
import dev.prefixflow.platform.KvPoolSpec;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * What the evicted-block tier saves per block: swapping one block in (decoding its stored bytes
 * and writing every layer's K and V into the pool) against computing it (a 16-token prefill at
 * position 0). Medians over repetitions, after a warm-up.
 */
final class SwapInBench {
    private static final int BLOCK = 16;
    private static final int REPS = 9;

    record Result(long entryBytes, double swapInMs, double prefillMs) {
        double ratio() {
            return prefillMs / swapInMs;
        }
    }

    private SwapInBench() {
    }

    static Result measure(LoadedModel model, AttentionBackend attention, int[] tokens) {
        ModelConfig c = model.config();
        KvPool pool = attention.allocate(new KvPoolSpec(c.layers(), c.kvHeads(), c.headDim(), 2, BLOCK));
        int[] chunk = Arrays.copyOf(tokens, BLOCK);
        ForwardBatch prefill = new ForwardBatch(List.of(new SequenceChunk(chunk, 0, new int[] {0},
                IntStream.range(0, BLOCK).toArray(), false)));
        model.model().forward(prefill, pool);
        KvBlockCodec codec = new KvBlockCodec(new byte[16], pool.spec());
        float[] kv = new float[pool.spec().floatsPerBlock()];
        pool.readBlock(0, kv);
        byte[] entry = codec.encode(kv);
        double swapIn = median(() -> pool.writeBlock(1, codec.decode(entry)));
        double compute = median(() -> model.model().forward(prefill, pool));
        return new Result(entry.length, swapIn, compute);
    }

    private static double median(Runnable work) {
        work.run();
        double[] ms = new double[REPS];
        for (int i = 0; i < REPS; i++) {
            long start = System.nanoTime();
            work.run();
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(ms);
        return ms[REPS / 2];
    }
}
