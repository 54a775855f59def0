package cloister.chain.runtime.registry;

import cloister.crypto.X25519PublicKey;
import cloister.proto.CanonicalReader;
import cloister.proto.CanonicalWriter;
import cloister.proto.WorkerId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A cluster: the workers that run its contracts, and its public key once a gatekeeper published it. */
public record ClusterRecord(int id, List<WorkerId> workers, Optional<X25519PublicKey> publicKey) {
    public ClusterRecord {
        workers = List.copyOf(workers);
    }

    byte[] encode() {
        CanonicalWriter w = new CanonicalWriter(64 + 32 * workers.size()).u32(id).u32(workers.size());
        workers.forEach(x -> w.fixed(x.bytes()));
        w.bool(publicKey.isPresent());
        publicKey.ifPresent(k -> w.fixed(k.bytes()));
        return w.toByteArray();
    }

    static ClusterRecord decode(byte[] bytes) {
        CanonicalReader r = new CanonicalReader(bytes);
        int id = r.u32("cluster");
        int n = r.u32("workers");
        List<WorkerId> workers = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            workers.add(WorkerId.of(r.fixed(32, "worker")));
        }
        Optional<X25519PublicKey> key = r.bool("has key") ? Optional.of(X25519PublicKey.of(r.fixed(32, "key"))) : Optional.empty();
        r.end("cluster");
        return new ClusterRecord(id, workers, key);
    }
}
