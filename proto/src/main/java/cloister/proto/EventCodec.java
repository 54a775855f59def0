package cloister.proto;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Canonical encoding of a block's events: u32 count, each (u32 txIndex+1, tag u8, fields). */
public final class EventCodec {
    private static final int MAX_STRING = 4096;

    private EventCodec() {}

    public static byte[] encode(List<EventRecord> events) {
        CanonicalWriter w = new CanonicalWriter(64 + events.size() * 96);
        w.u32(events.size());
        for (EventRecord e : events) {
            w.u32(e.txIndex() + 1);
            write(w, e.event());
        }
        return w.toByteArray();
    }

    public static List<EventRecord> decode(byte[] bytes) {
        CanonicalReader r = new CanonicalReader(bytes);
        int n = r.u32("event count");
        List<EventRecord> out = new ArrayList<>(Math.min(n, bytes.length));
        for (int i = 0; i < n; i++) {
            int txIndex = r.u32("event phase") - 1;
            out.add(new EventRecord(txIndex, read(r)));
        }
        r.end("events");
        return out;
    }

    static void write(CanonicalWriter w, Event event) {
        switch (event) {
            case Event.Transfer t -> w.u8(0x01).account(t.from()).account(t.to()).u64(t.amount());
            case Event.FeePaid f -> w.u8(0x02).account(f.who()).u64(f.amount());
            case Event.TxFailed f -> bounded(bounded(w.u8(0x03).hash(f.txHash()), f.reason()), f.message());
            case Event.SudoExecuted s -> bounded(w.u8(0x04), s.call());
            case Event.BalanceSet b -> w.u8(0x05).account(b.who()).u64(b.amount());
            case Event.SudoKeyChanged k -> w.u8(0x06).account(k.newKey());
            case Event.MinimumFeeChanged m -> w.u8(0x07).u64(m.fee());
        }
    }

    /** Refuses at encoding what {@link #read} would refuse, so encoded events always decode. */
    private static CanonicalWriter bounded(CanonicalWriter w, String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > MAX_STRING) {
            throw new IllegalArgumentException("event string of " + utf8.length + " bytes exceeds " + MAX_STRING);
        }
        return w.bytes(utf8);
    }

    static Event read(CanonicalReader r) {
        int tag = r.u8("event tag");
        return switch (tag) {
            case 0x01 -> new Event.Transfer(r.account("from"), r.account("to"), r.u64("amount"));
            case 0x02 -> new Event.FeePaid(r.account("who"), r.u64("amount"));
            case 0x03 -> new Event.TxFailed(r.hash("tx hash"), r.string(MAX_STRING, "reason"), r.string(MAX_STRING, "message"));
            case 0x04 -> new Event.SudoExecuted(r.string(MAX_STRING, "call"));
            case 0x05 -> new Event.BalanceSet(r.account("who"), r.u64("amount"));
            case 0x06 -> new Event.SudoKeyChanged(r.account("new key"));
            case 0x07 -> new Event.MinimumFeeChanged(r.u64("fee"));
            default -> throw new MalformedException("unknown event tag " + tag);
        };
    }
}
