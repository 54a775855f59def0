package cloister.worker.enclave;

import cloister.common.Hash;
import cloister.crypto.SigningKey;
import cloister.proto.CanonicalReader;
import cloister.proto.CanonicalWriter;
import cloister.proto.MalformedException;
import cloister.proto.SignedWorkerMessage;
import cloister.proto.WorkerMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * The worker's egress: signs each message with the next sequence number (the chain accepts 0, 1, 2, … strictly in
 * order) and keeps it until a verified block shows this worker's message with that sequence number or a later one
 * accepted, so a host that lost messages (crash before relaying) can relay them again.
 */
final class Outbox {
    static final int MAX_PENDING = 10_000;

    long nextSeq;
    final List<SignedWorkerMessage> pending = new ArrayList<>();

    SignedWorkerMessage sign(SigningKey identity, Hash genesisHash, WorkerMessage message) {
        SignedWorkerMessage m = SignedWorkerMessage.sign(identity, genesisHash, nextSeq++, message);
        pending.add(m);
        if (pending.size() > MAX_PENDING) {
            pending.remove(0);
        }
        return m;
    }

    /** The chain accepted our message {@code seq}: it and everything before it are done. */
    void confirm(long seq) {
        pending.removeIf(m -> m.seq() <= seq);
        nextSeq = Math.max(nextSeq, seq + 1);
    }

    void write(CanonicalWriter w) {
        w.u64(nextSeq).u32(pending.size());
        pending.forEach(m -> w.bytes(m.encode()));
    }

    static Outbox read(CanonicalReader r) {
        Outbox o = new Outbox();
        o.nextSeq = r.u64("next sequence");
        int n = r.u32("pending egress");
        if (n > MAX_PENDING) {
            throw new MalformedException("too many pending egress messages");
        }
        for (int i = 0; i < n; i++) {
            o.pending.add(SignedWorkerMessage.decode(r.bytes(1024 * 1024, "egress message")));
        }
        return o;
    }
}
