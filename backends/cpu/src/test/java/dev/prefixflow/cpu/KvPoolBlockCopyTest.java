package dev.prefixflow.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.prefixflow.platform.KvPool;
import dev.prefixflow.platform.KvPoolSpec;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** readBlock/writeBlock move a block's KV between pools bit for bit, in the documented layout. */
class KvPoolBlockCopyTest {
    private static final CpuAttentionBackend BACKEND = new CpuAttentionBackend(new CpuThreadPool(1));
    private static final KvPoolSpec SPEC = new KvPoolSpec(3, 2, 8, 4, 4);

    @Test
    void blockMovedToAnotherPoolAttendsIdentically() {
        int kvDim = SPEC.kvDim();
        int n = SPEC.blockSize();
        KvPool source = BACKEND.allocate(SPEC);
        int[] slots = {8, 9, 10, 11}; // block 2
        for (int layer = 0; layer < SPEC.layers(); layer++) {
            OneSequence.write(source, layer, RandomTensors.floats(n * kvDim, 10 + layer),
                    RandomTensors.floats(n * kvDim, 20 + layer), 0, slots, new int[] {2}, 0);
        }
        float[] kv = new float[SPEC.floatsPerBlock()];
        source.readBlock(2, kv);
        // Layout: layer 1's K rows come after layer 0's K and V rows.
        assertArrayEquals(RandomTensors.floats(n * kvDim, 11), Arrays.copyOfRange(kv, 2 * n * kvDim, 3 * n * kvDim));

        KvPool target = BACKEND.allocate(SPEC);
        target.writeBlock(0, kv);
        int heads = 4;
        for (int layer = 0; layer < SPEC.layers(); layer++) {
            float[] q = RandomTensors.floats(n * heads * SPEC.headDim(), 30 + layer);
            float[] want = new float[q.length];
            float[] got = new float[q.length];
            OneSequence.attend(source, layer, q, want, 0, n, heads, 0, new int[] {2}, 0.3f);
            OneSequence.attend(target, layer, q, got, 0, n, heads, 0, new int[] {0}, 0.3f);
            assertArrayEquals(want, got, "layer " + layer);
        }
    }

    @Test
    void wrongLengthIsRejected() {
        KvPool pool = BACKEND.allocate(SPEC);
        assertThrows(IllegalArgumentException.class, () -> pool.readBlock(0, new float[SPEC.floatsPerBlock() - 1]));
    }
}
