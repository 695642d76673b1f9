package dev.prefixflow.flink;

import dev.prefixflow.engine.EngineConfig;
import dev.prefixflow.engine.EngineFactory;
import dev.prefixflow.engine.EngineSession;
import dev.prefixflow.engine.EngineSettings;
import dev.prefixflow.engine.EngineMetrics;
import dev.prefixflow.engine.LlmEngine;
import dev.prefixflow.engine.RequestResult;
import dev.prefixflow.engine.jsonl.Answer;
import dev.prefixflow.engine.jsonl.ParsedLine;
import dev.prefixflow.engine.tier.BlockTier;
import dev.prefixflow.engine.tier.KvBlockCodec;
import dev.prefixflow.engine.tier.ModelFingerprint;
import dev.prefixflow.engine.tier.StoredBlockTier;
import dev.prefixflow.model.LoadedModel;
import dev.prefixflow.platform.Platform;
import dev.prefixflow.platform.Platforms;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * One inference engine per subtask, fed by prompts keyed by prefix. Requests are admitted to the
 * engine's scheduler as they arrive; engine steps run as mails of the task's mailbox, so they
 * interleave with input records and checkpoint barriers, and a finished request's result is emitted
 * at once. Requests admitted but not yet answered live in keyed state: after a restore they are
 * admitted again and, being deterministic, produce the same tokens. Past {@code maxWaiting} waiting
 * requests the operator stops taking input until the engine catches up (backpressure).
 *
 * <p>With {@code kvTierBytes > 0}, cached KV blocks the pool evicts go to the evicted-block tier in
 * keyed MapState on the state backend (RocksDB), under the prefix key of their last user (see
 * {@link KeyedStateTierStore}), bounded per subtask by an in-memory LRU index that is rebuilt from
 * state after a restore. Requests swap them back in instead of recomputing them.
 */
public class InferenceOperator extends AbstractStreamOperator<InferenceResult>
        implements OneInputStreamOperator<PromptRecord, InferenceResult>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    private final InferenceSettings settings;
    private transient MailboxExecutor mailbox;
    private transient MapState<String, PromptRecord> pending;
    /** Restored pending requests: routing key, state entry key, record. */
    private transient List<Pending> restored;
    private transient MapState<String, byte[]> tierState;
    private transient KeyedStateTierStore tierStore;
    private transient StoredBlockTier tier;
    private transient volatile StoredBlockTier.Stats latestTier;
    private transient LoadedModel model;
    private transient EngineSession<Admitted> session;
    private transient boolean stepQueued;
    private transient volatile EngineMetrics latest;
    private transient Counter requestsIn;
    private transient Counter requestsOut;
    private transient Counter errors;

    public InferenceOperator(InferenceSettings settings) {
        this.settings = settings;
    }

    @Override
    public void setMailboxExecutor(MailboxExecutor mailboxExecutor) {
        super.setMailboxExecutor(mailboxExecutor);
        this.mailbox = mailboxExecutor;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        pending = getKeyedStateStore().getMapState(
                new MapStateDescriptor<>("pending-requests", Types.STRING, TypeInformation.of(PromptRecord.class)));
        tierState = getKeyedStateStore().getMapState(KeyedStateTierStore.DESCRIPTOR);
        restored = new ArrayList<>();
        if (context.isRestored()) {
            List<Object> stateKeys;
            try (Stream<Object> all = getKeyedStateBackend().getKeys("pending-requests", VoidNamespace.INSTANCE)) {
                stateKeys = all.toList();
            }
            for (Object key : stateKeys) {
                setCurrentKey(key);
                for (Map.Entry<String, PromptRecord> e : pending.entries()) {
                    restored.add(new Pending(String.valueOf(key), e.getKey(), e.getValue()));
                }
            }
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        EngineSettings engineSettings = settings.engine();
        Platform platform = Platforms.select(engineSettings.platform());
        for (String advice : platform.advice()) {
            LOG.warn("Platform {} advises: {}", platform.name(), advice);
        }
        model = SharedModels.acquire(Path.of(engineSettings.modelPath()), platform);
        BlockTier tier = openTier(EngineFactory.config(model.config(), platform, engineSettings));
        session = new EngineSession<>(EngineFactory.create(model, platform, engineSettings, tier, System::nanoTime));
        latest = session.metrics();
        registerMetrics(getMetricGroup());
        for (Pending p : restored) {
            admit(p.key(), p.stateKey(), p.record().parsedLine());
        }
        restored = null;
        queueStep();
    }

    /** The tier over this subtask's keyed state, its index rebuilt from what a restore brought. */
    private BlockTier openTier(EngineConfig config) throws Exception {
        if (settings.kvTierBytes() <= 0) {
            return BlockTier.NONE;
        }
        KvBlockCodec codec = new KvBlockCodec(ModelFingerprint.of(model.path()),
                LlmEngine.kvPoolSpec(model.config(), config));
        tierStore = new KeyedStateTierStore(tierState, this);
        tier = new StoredBlockTier(codec, settings.kvTierBytes(), tierStore);
        tierStore.rebuild(tier, getKeyedStateBackend());
        tierStore.flush();
        latestTier = tier.stats();
        return tier;
    }

    private void registerMetrics(MetricGroup group) {
        requestsIn = group.counter("requestsIn");
        requestsOut = group.counter("requestsOut");
        errors = group.counter("errors");
        group.gauge("waiting", () -> latest.waiting());
        group.gauge("running", () -> latest.running());
        group.gauge("kvCacheUsage", () -> latest.kvUsage());
        group.gauge("prefixCacheHitRate", () -> latest.prefixCacheHitRate());
        group.gauge("promptTokens", () -> latest.promptTokens());
        group.gauge("cachedTokens", () -> latest.cachedTokens());
        group.gauge("tierCachedTokens", () -> latest.tierCachedTokens());
        if (tier != null) {
            group.gauge("tierBytes", () -> latestTier.bytes());
            group.gauge("tierEntries", () -> latestTier.entries());
            group.gauge("tierWrites", () -> latestTier.writes());
            group.gauge("tierHits", () -> latestTier.hits());
            group.gauge("tierRejected", () -> latestTier.rejected());
        }
        group.gauge("computedTokens", () -> latest.computedTokens());
        group.gauge("generatedTokens", () -> latest.generatedTokens());
        group.gauge("preemptions", () -> latest.preemptions());
        group.gauge("windowReleasedBlocks", () -> latest.windowReleasedBlocks());
        group.gauge("lastStepMillis", () -> latest.lastStepNanos() / 1e6);
        group.meter("generatedTokensPerSecond", new org.apache.flink.metrics.MeterView(
                new TokenCounter(() -> latest.generatedTokens())));
    }

    @Override
    public void processElement(StreamRecord<PromptRecord> element) throws Exception {
        PromptRecord record = element.getValue();
        requestsIn.inc();
        ParsedLine line = record.parsedLine();
        if (line.isBad()) {
            // Rejected by the decoder: answered at once with its problem, never admitted.
            requestsOut.inc();
            errors.inc();
            output.collect(new StreamRecord<>(InferenceResult.of(Answer.rejected(line))));
            return;
        }
        // Entries are keyed by a fresh UUID, not the request id: two requests may share an id.
        String stateKey = UUID.randomUUID().toString();
        pending.put(stateKey, record);
        admit(String.valueOf(getCurrentKey()), stateKey, line);
        queueStep();
        // Backpressure: stop reading input while too many requests wait; the yields run engine steps.
        while (latest.waiting() > settings.maxWaiting()) {
            mailbox.yield();
        }
    }

    private void admit(String key, String stateKey, ParsedLine line) {
        // The seed was fixed from the request's own id when the line was parsed; the routing key
        // is where the tier files this request's blocks.
        session.add(line.request(), new Admitted(line, key, stateKey), piece -> { }, key);
        latest = session.metrics();
    }

    private void queueStep() {
        if (!stepQueued && session.hasUnfinishedRequests()) {
            stepQueued = true;
            mailbox.execute(this::step, "inference engine step");
        }
    }

    private void step() throws Exception {
        stepQueued = false;
        List<EngineSession.Finished<Admitted>> finished = session.step();
        latest = session.metrics();
        if (tier != null) {
            tierStore.flush();
            latestTier = tier.stats();
        }
        for (EngineSession.Finished<Admitted> f : finished) {
            Admitted a = f.attachment();
            RequestResult result = f.result();
            setCurrentKey(a.key());
            pending.remove(a.stateKey());
            requestsOut.inc();
            if (result.isError()) {
                errors.inc();
            }
            output.collect(new StreamRecord<>(InferenceResult.of(new Answer(a.line(), f.choices()))));
        }
        queueStep();
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        if (tier != null) {
            // The pool is not checkpointed: put its cached blocks in the tier so the snapshot has them.
            session.engine().spillToTier();
            tierStore.flush();
        }
    }

    @Override
    public void endInput() throws Exception {
        while (session.hasUnfinishedRequests() || stepQueued) {
            mailbox.yield();
        }
    }

    private record Pending(String key, String stateKey, PromptRecord record) {
    }

    private record Admitted(ParsedLine line, String key, String stateKey) {
    }

    @Override
    public void close() throws Exception {
        if (model != null) {
            SharedModels.release(model);
            model = null;
        }
        super.close();
    }
}
