package dev.prefixflow.engine;

import dev.prefixflow.engine.block.BlockManager;
import dev.prefixflow.model.ForwardBatch;
import dev.prefixflow.model.Model;
import dev.prefixflow.model.SequenceChunk;
import dev.prefixflow.platform.KvPool;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Turns a step's scheduled chunks into one batched forward call over the KV pool. */
final class ModelRunner {
    private final Model model;
    private final KvPool pool;

    ModelRunner(Model model, KvPool pool) {
        this.model = model;
        this.pool = pool;
    }

    /** Logits per chunk, in order: those of its last token where it ends its sequence, else null. */
    float[][] run(List<ScheduledChunk> chunks, BlockManager blocks) {
        List<SequenceChunk> batch = new ArrayList<>(chunks.size());
        for (ScheduledChunk c : chunks) {
            Sequence s = c.sequence();
            // The table's own array: block tables are append-only, so there is nothing to rebuild.
            batch.add(new SequenceChunk(Arrays.copyOfRange(s.tokensView(), c.firstPosition(), c.end()),
                    c.firstPosition(), s.table().blockIds(),
                    blocks.slotMapping(s.table(), c.firstPosition(), c.numTokens()), c.endsSequence(),
                    s.adapter));
        }
        return model.forward(new ForwardBatch(batch), pool);
    }
}
