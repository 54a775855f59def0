package cloister.proto;

import cloister.common.Hash;
import cloister.crypto.SigningKey;
import java.nio.charset.StandardCharsets;

/**
 * A worker's egress message, signed by its identity key with a per-worker sequence number (0, 1, 2, …). The
 * operator relays it in a {@code registry.submitWorkerMessage} transaction; the chain accepts sequence numbers
 * strictly in order (no replay, no gap). Encoding: worker (32), seq u64, message, signature[64]; the signature is
 * over "cloister/worker-msg/v1" ‖ genesis hash ‖ worker ‖ seq ‖ message, so it is bound to one network.
 */
public record SignedWorkerMessage(WorkerId worker, long seq, WorkerMessage message, Signature signature) {
    private static final byte[] DOMAIN = "cloister/worker-msg/v1".getBytes(StandardCharsets.US_ASCII);

    public SignedWorkerMessage {
        if (seq < 0) {
            throw new IllegalArgumentException("sequence number must not be negative");
        }
    }

    public static SignedWorkerMessage sign(SigningKey identity, Hash genesisHash, long seq, WorkerMessage message) {
        WorkerId worker = WorkerId.of(identity.account());
        byte[] sig = identity.sign(payload(genesisHash, worker, seq, message));
        return new SignedWorkerMessage(worker, seq, message, Signature.of(sig));
    }

    public boolean verify(Hash genesisHash) {
        return worker.verify(payload(genesisHash, worker, seq, message), signature.bytes());
    }

    private static byte[] payload(Hash genesisHash, WorkerId worker, long seq, WorkerMessage message) {
        CanonicalWriter w = new CanonicalWriter(256).fixed(DOMAIN).hash(genesisHash).fixed(worker.bytes()).u64(seq);
        WorkerMessage.write(w, message);
        return w.toByteArray();
    }

    void write(CanonicalWriter w) {
        w.fixed(worker.bytes()).u64(seq);
        WorkerMessage.write(w, message);
        w.fixed(signature.bytes());
    }

    static SignedWorkerMessage read(CanonicalReader r) {
        return new SignedWorkerMessage(WorkerId.of(r.fixed(32, "worker")), r.u64("sequence"), WorkerMessage.read(r),
                Signature.of(r.fixed(64, "worker signature")));
    }

    public byte[] encode() {
        CanonicalWriter w = new CanonicalWriter(256);
        write(w);
        return w.toByteArray();
    }

    public static SignedWorkerMessage decode(byte[] bytes) {
        CanonicalReader r = new CanonicalReader(bytes);
        SignedWorkerMessage m = read(r);
        r.end("signed worker message");
        return m;
    }
}
