package cloister.chain.runtime.registry;

import cloister.crypto.X25519PublicKey;
import cloister.proto.CanonicalReader;
import cloister.proto.CanonicalWriter;
import cloister.proto.WorkerId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The master public key of every epoch so far (index = epoch) and a pending rotation, if governance asked for
 * one that the designated gatekeeper has not published yet.
 */
public record MasterKeys(List<X25519PublicKey> epochs, Optional<WorkerId> pendingRotationBy) {
    static final MasterKeys NONE = new MasterKeys(List.of(), Optional.empty());

    public MasterKeys {
        epochs = List.copyOf(epochs);
    }

    /** The current epoch, or -1 before the first gatekeeper published a master key. */
    public int currentEpoch() {
        return epochs.size() - 1;
    }

    byte[] encode() {
        CanonicalWriter w = new CanonicalWriter(64 + 32 * epochs.size()).u32(epochs.size());
        epochs.forEach(k -> w.fixed(k.bytes()));
        w.bool(pendingRotationBy.isPresent());
        pendingRotationBy.ifPresent(x -> w.fixed(x.bytes()));
        return w.toByteArray();
    }

    static MasterKeys decode(byte[] bytes) {
        CanonicalReader r = new CanonicalReader(bytes);
        int n = r.u32("epochs");
        List<X25519PublicKey> keys = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            keys.add(X25519PublicKey.of(r.fixed(32, "master key")));
        }
        Optional<WorkerId> pending = r.bool("pending") ? Optional.of(WorkerId.of(r.fixed(32, "rotating gatekeeper"))) : Optional.empty();
        r.end("master keys");
        return new MasterKeys(keys, pending);
    }
}
