package cloister.sdk;

import cloister.common.Hash;
import cloister.crypto.AccountId;
import java.util.List;
import java.util.Optional;

/**
 * A storage order and the health of its replicas.
 *
 * @param cid        the file's CID (its manifest block's CIDv1, raw codec)
 * @param file       that CID's SHA-256 digest, as the chain keys it
 * @param wrappedKey the file's data key wrapped (HPKE) to the owner; empty if the owner kept it elsewhere
 * @param healthy    replicas whose provider's last work report holds the file
 */
public record StorageFile(String cid, Hash file, AccountId owner, long size, int replicaTarget, long pricePerReplicaSlot,
                          long placedSlot, long endSlot, long escrow, byte[] wrappedKey, List<Replica> replicas, int healthy) {
    public StorageFile {
        wrappedKey = wrappedKey.clone();
        replicas = List.copyOf(replicas);
    }

    @Override
    public byte[] wrappedKey() {
        return wrappedKey.clone();
    }

    /** The block gateways of the providers whose replica is healthy (where to fetch the file's blocks), in replica order. */
    public List<String> healthyEndpoints() {
        return replicas.stream().filter(r -> r.status().equals("healthy")).flatMap(r -> r.endpoint().stream()).toList();
    }

    /**
     * A replica: its provider, its health ({@code healthy}, {@code fetching}, {@code missing}), when it was assigned and
     * last verified (-1: never), and the provider's block gateway.
     */
    public record Replica(cloister.proto.WorkerId provider, String status, long assignedSlot, long lastVerifiedSlot, Optional<String> endpoint) {}
}
