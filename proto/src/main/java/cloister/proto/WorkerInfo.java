package cloister.proto;

import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.crypto.Sha256;
import cloister.crypto.X25519PublicKey;
import java.nio.charset.StandardCharsets;

/**
 * What a worker registers: its identity key (Ed25519) and ECDH key (X25519), both generated inside its enclave,
 * the network it is for, the operator account that relays its messages, and its runtime version. Its quote's
 * report data is {@link #reportData()}, so the quote vouches for exactly these keys on exactly this network.
 * Encoding: identity (32), ECDH key (32), genesis hash, operator, runtime version (string ≤ 64).
 */
public record WorkerInfo(WorkerId identity, X25519PublicKey ecdhKey, Hash genesisHash, AccountId operator,
                         String runtimeVersion) {
    private static final byte[] DOMAIN = "cloister/worker-info/v1".getBytes(StandardCharsets.US_ASCII);
    public static final int MAX_VERSION = 64;

    public WorkerInfo {
        if (runtimeVersion.getBytes(StandardCharsets.UTF_8).length > MAX_VERSION) {
            throw new IllegalArgumentException("runtime version longer than " + MAX_VERSION + " bytes");
        }
    }

    void write(CanonicalWriter w) {
        w.fixed(identity.bytes()).fixed(ecdhKey.bytes()).hash(genesisHash).account(operator).string(runtimeVersion);
    }

    public byte[] encode() {
        CanonicalWriter w = new CanonicalWriter(180);
        write(w);
        return w.toByteArray();
    }

    /** The 64 bytes a quote must carry: SHA-256("cloister/worker-info/v1" ‖ encoding), then 32 zero bytes. */
    public byte[] reportData() {
        byte[] out = new byte[64];
        Sha256.hash(DOMAIN, encode()).copyTo(out, 0);
        return out;
    }

    static WorkerInfo read(CanonicalReader r) {
        return new WorkerInfo(WorkerId.of(r.fixed(32, "worker identity")), X25519PublicKey.of(r.fixed(32, "worker ECDH key")),
                r.hash("genesis hash"), r.account("operator"), r.string(MAX_VERSION, "runtime version"));
    }

    public static WorkerInfo decode(byte[] bytes) {
        CanonicalReader r = new CanonicalReader(bytes);
        WorkerInfo info = read(r);
        r.end("worker info");
        return info;
    }
}
