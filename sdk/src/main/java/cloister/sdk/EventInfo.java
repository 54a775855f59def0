package cloister.sdk;

import java.util.Map;
import java.util.OptionalInt;

/**
 * An event of a block.
 *
 * @param txIndex index of the transaction that caused it, or -1 for events of the block itself
 * @param type    the event word, e.g. {@code Transfer}, {@code FeePaid}
 * @param fields  the event's fields as strings (accounts as addresses, amounts in units)
 */
public record EventInfo(int txIndex, String type, Map<String, String> fields) {
    public EventInfo {
        fields = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields));
    }

    public OptionalInt transaction() {
        return txIndex < 0 ? OptionalInt.empty() : OptionalInt.of(txIndex);
    }
}
