package dev.prefixflow.lora;

import dev.prefixflow.model.ForwardBatch;
import dev.prefixflow.model.SequenceChunk;
import dev.prefixflow.platform.IntTensor;
import dev.prefixflow.platform.Kernels;
import dev.prefixflow.platform.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The token rows of one batched forward, grouped by adapter, and the way each group's low-rank
 * update is added after the base projection: the base weights are multiplied once for the whole
 * batch, then per adapter its rows are gathered, multiplied by A and by B, scaled and added back
 * (punica / S-LoRA's multi-adapter batching, done with the platform's batched matmul). Since
 * matmul computes each row independently of the others, a row's result does not depend on which
 * adapters share the batch. Each group's row indices go to the platform once per step.
 */
public final class LoraBatch {
    private final Kernels kernels;
    private final List<Group> groups;

    private record Group(LoraAdapter adapter, IntTensor rows) {
    }

    private LoraBatch(Kernels kernels, List<Group> groups) {
        this.kernels = kernels;
        this.groups = groups;
    }

    /** Groups the batch's token rows (in batch order) by their sequence's adapter. */
    public static LoraBatch of(ForwardBatch batch, Kernels kernels) {
        Map<LoraAdapter, List<Integer>> rows = new IdentityHashMap<>();
        int row = 0;
        for (SequenceChunk s : batch.sequences()) {
            if (s.lora() != null) {
                List<Integer> own = rows.computeIfAbsent(s.lora(), a -> new ArrayList<>());
                for (int i = 0; i < s.length(); i++) {
                    own.add(row + i);
                }
            }
            row += s.length();
        }
        List<Group> groups = new ArrayList<>(rows.size());
        rows.forEach((adapter, list) -> groups.add(new Group(adapter,
                kernels.copyIn(list.stream().mapToInt(Integer::intValue).toArray()))));
        return new LoraBatch(kernels, groups);
    }

    /**
     * out[row] += scale * B (A x[row]) for every row whose adapter changes this projection of this
     * layer; {@code x} and {@code out} hold the whole batch's rows of the projection's input and
     * output.
     */
    public void apply(int layer, LoraTarget target, Tensor x, Tensor out) {
        for (Group g : groups) {
            LoraPair p = g.adapter.pair(layer, target);
            if (p == null) {
                continue;
            }
            int m = g.rows.length();
            Tensor gathered = kernels.allocate(m, p.a().cols());
            kernels.gatherRows(x, g.rows, gathered);
            Tensor low = kernels.allocate(m, p.rank());
            kernels.matmul(p.a(), gathered, low);
            Tensor delta = kernels.allocate(m, p.b().rows());
            kernels.matmul(p.b(), low, delta);
            kernels.addRowsScaled(delta, p.scale(), g.rows, out);
        }
    }
}
