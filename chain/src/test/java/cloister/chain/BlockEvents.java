package cloister.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.proto.Event;
import cloister.proto.EventRecord;
import java.util.List;

/** Reading and asserting a block's events in runtime tests. */
final class BlockEvents {
    private BlockEvents() {}

    static <T extends Event> List<T> all(List<EventRecord> events, Class<T> type) {
        return events.stream().map(EventRecord::event).filter(type::isInstance).map(type::cast).toList();
    }

    static <T extends Event> T one(List<EventRecord> events, Class<T> type) {
        List<T> found = all(events, type);
        assertEquals(1, found.size(), () -> "one " + type.getSimpleName() + " in " + events);
        return found.get(0);
    }

    /** The block's one transaction failed with {@code reason} and a message containing {@code messagePart}. */
    static void assertFailed(List<EventRecord> events, String reason, String messagePart) {
        Event.TxFailed failed = one(events, Event.TxFailed.class);
        assertEquals(reason, failed.reason(), failed.message());
        assertTrue(failed.message().contains(messagePart), "'" + failed.message() + "' should contain '" + messagePart + "'");
    }
}
