package dev.prefixflow.flink;

import dev.prefixflow.engine.block.BlockHash;
import dev.prefixflow.engine.tier.StoredBlockTier;
import dev.prefixflow.engine.tier.TierStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.KeyContext;

/**
 * The evicted-block tier in keyed MapState (block hash -> encoded entry) under the prefix key of
 * the block's last user, so that the entries follow their keys through checkpoints, restores and
 * rescaling. Hashes are stored as hex strings, not byte arrays: heap backends compare map keys with
 * equals, which byte arrays do not implement by content.
 *
 * <p>Writes and deletes come from inside engine steps, where the current key belongs to no request;
 * they are queued and applied by {@link #flush()} after the step, each under its own key. A read
 * flushes first, switches to the entry's key and switches back.
 */
final class KeyedStateTierStore implements TierStore {
    static final MapStateDescriptor<String, byte[]> DESCRIPTOR = new MapStateDescriptor<>("kv-tier", Types.STRING,
            PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

    /** A queued write, or a delete when {@code entry} is null. */
    private record Change(String key, BlockHash hash, byte[] entry) {}

    private final MapState<String, byte[]> state;
    private final KeyContext keys;
    private final List<Change> queued = new ArrayList<>();

    KeyedStateTierStore(MapState<String, byte[]> state, KeyContext keys) {
        this.state = state;
        this.keys = keys;
    }

    @Override
    public byte[] read(String key, BlockHash hash) {
        flush();
        Object current = keys.getCurrentKey();
        try {
            keys.setCurrentKey(key);
            return state.get(hash.toString());
        } catch (Exception e) {
            throw new IllegalStateException("reading tier entry " + hash, e);
        } finally {
            restoreKey(current);
        }
    }

    @Override
    public void write(String key, BlockHash hash, byte[] entry) {
        queued.add(new Change(key, hash, entry));
    }

    @Override
    public void delete(String key, BlockHash hash) {
        queued.add(new Change(key, hash, null));
    }

    /** Applies the queued writes and deletes; call after every engine step and before a snapshot. */
    void flush() {
        if (queued.isEmpty()) {
            return;
        }
        Object current = keys.getCurrentKey();
        try {
            for (Change c : queued) {
                keys.setCurrentKey(c.key());
                if (c.entry() == null) {
                    state.remove(c.hash().toString());
                } else {
                    state.put(c.hash().toString(), c.entry());
                }
            }
            queued.clear();
        } catch (Exception e) {
            throw new IllegalStateException("writing the evicted-block tier", e);
        } finally {
            restoreKey(current);
        }
    }

    /** After a restore: registers every entry of this subtask's key groups with the tier's index. */
    void rebuild(StoredBlockTier tier, KeyedStateBackend<?> backend) throws Exception {
        List<Object> stateKeys;
        try (Stream<?> all = backend.getKeys(DESCRIPTOR.getName(), VoidNamespace.INSTANCE)) {
            stateKeys = new ArrayList<>(all.toList());
        }
        Object current = keys.getCurrentKey();
        for (Object key : stateKeys) {
            keys.setCurrentKey(key);
            for (Map.Entry<String, byte[]> e : state.entries()) {
                tier.restore((String) key, BlockHash.parse(e.getKey()), e.getValue().length);
            }
        }
        restoreKey(current);
    }

    private void restoreKey(Object key) {
        // Before the first record there is no current key to go back to.
        if (key != null) {
            keys.setCurrentKey(key);
        }
    }
}
