package cloister.chain.runtime;

import cloister.chain.store.StateChanges;
import cloister.chain.store.StateReader;
import cloister.proto.Event;
import cloister.proto.EventRecord;
import cloister.proto.InboundMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The state while a block is applied: committed state underneath, the block's writes on top, and the current
 * call's writes on top of those so a failed call can be rolled back without touching the rest of the block.
 * Also collects the block's events. Single-threaded: one block is applied by one thread.
 */
public final class BlockState implements StateReader {
    private static final byte[] DELETED = new byte[0];

    private final StateReader base;
    private final Map<StateKey, byte[]> baseCache = new HashMap<>();
    private final Map<StateKey, byte[]> blockWrites = new HashMap<>();
    private Map<StateKey, byte[]> callWrites;
    private final List<EventRecord> events = new ArrayList<>();
    private final List<InboundMessage> messages = new ArrayList<>();
    private int callEventMark = -1;
    private int callMessageMark = -1;
    private int txIndex = EventRecord.BLOCK;
    private final long height;
    private final long timestampMillis;

    /**
     * @param height          the height of the block being applied
     * @param timestampMillis its header's timestamp: the only notion of time the runtime has
     */
    public BlockState(StateReader base, long height, long timestampMillis) {
        this.base = base;
        this.height = height;
        this.timestampMillis = timestampMillis;
    }

    /** The height of the block being applied. */
    public long height() {
        return height;
    }

    /** The block's timestamp (ms since the epoch, from its header). Runtime code never reads a clock. */
    public long timestampMillis() {
        return timestampMillis;
    }

    @Override
    public byte[] get(byte[] key) {
        StateKey k = new StateKey(key);
        byte[] v = callWrites == null ? null : callWrites.get(k);
        if (v == null) {
            v = blockWrites.get(k);
        }
        if (v == null) {
            v = baseCache.get(k);
            if (v == null) {
                byte[] fromBase = base.get(key);
                v = fromBase == null ? DELETED : fromBase;
                baseCache.put(k, v);
            }
        }
        return v == DELETED ? null : v;
    }

    public void put(byte[] key, byte[] value) {
        if (value.length == 0) {
            throw new IllegalArgumentException("state values are never empty (an empty value is a deletion)");
        }
        writes().put(new StateKey(key.clone()), value.clone());
    }

    public void delete(byte[] key) {
        writes().put(new StateKey(key.clone()), DELETED);
    }

    private Map<StateKey, byte[]> writes() {
        return callWrites != null ? callWrites : blockWrites;
    }

    /** Which transaction the following events belong to ({@link EventRecord#BLOCK} for none). */
    public void setTxIndex(int index) {
        this.txIndex = index;
    }

    public void emit(Event event) {
        events.add(new EventRecord(txIndex, event));
    }

    /** Addresses a message to workers (rolled back with a failed call, like an event). */
    public void send(InboundMessage message) {
        messages.add(message);
    }

    /** The block's worker messages so far, in order. */
    public List<InboundMessage> workerMessages() {
        return List.copyOf(messages);
    }

    /** Starts a call whose writes and events can be rolled back. */
    public void beginCall() {
        if (callWrites != null) {
            throw new IllegalStateException("a call is already in progress");
        }
        callWrites = new HashMap<>();
        callEventMark = events.size();
        callMessageMark = messages.size();
    }

    public void commitCall() {
        blockWrites.putAll(callWrites);
        callWrites = null;
    }

    public void rollbackCall() {
        callWrites = null;
        events.subList(callEventMark, events.size()).clear();
        messages.subList(callMessageMark, messages.size()).clear();
    }

    public List<EventRecord> events() {
        return List.copyOf(events);
    }

    /** The block's writes as store changes (drops writes that restore the committed value). */
    public StateChanges changes() {
        if (callWrites != null) {
            throw new IllegalStateException("a call is still in progress");
        }
        StateChanges changes = new StateChanges();
        for (Map.Entry<StateKey, byte[]> e : blockWrites.entrySet()) {
            if (e.getValue() == DELETED) {
                changes.delete(e.getKey().bytes);
            } else {
                changes.put(e.getKey().bytes, e.getValue());
            }
        }
        return changes;
    }
}
