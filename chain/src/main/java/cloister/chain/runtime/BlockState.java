package cloister.chain.runtime;

import cloister.chain.store.StateChanges;
import cloister.chain.store.StateReader;
import cloister.proto.Event;
import cloister.proto.EventRecord;
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
    private int callEventMark = -1;
    private int txIndex = EventRecord.BLOCK;

    public BlockState(StateReader base) {
        this.base = base;
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

    /** Starts a call whose writes and events can be rolled back. */
    public void beginCall() {
        if (callWrites != null) {
            throw new IllegalStateException("a call is already in progress");
        }
        callWrites = new HashMap<>();
        callEventMark = events.size();
    }

    public void commitCall() {
        blockWrites.putAll(callWrites);
        callWrites = null;
    }

    public void rollbackCall() {
        callWrites = null;
        events.subList(callEventMark, events.size()).clear();
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
