package cloister.worker;

import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.crypto.X25519PublicKey;
import cloister.proto.CanonicalReader;
import cloister.proto.CanonicalWriter;
import cloister.proto.ContractId;
import cloister.proto.MalformedException;
import cloister.proto.WorkerId;
import java.util.ArrayList;
import java.util.List;

/**
 * What the enclave tells anyone about itself: public keys, code measurement, sync position and roles. Never a
 * secret: contract state appears only as a keyed commitment (equal on every worker of the cluster that reached
 * the same state, meaningless to anyone without the contract key).
 *
 * @param platformCode  the TEE platform (1 sim, 2 SGX, 3 TDX)
 * @param syncedHeight  the last applied block, -1 before genesis
 * @param registered    the chain registered this worker (seen in a verified block)
 * @param masterEpoch   the newest master-key epoch this gatekeeper holds, -1 if none (or not a gatekeeper)
 * @param clusters      the clusters this worker is a member of
 * @param pendingEgress signed messages not yet seen accepted on chain
 */
public record EnclaveStatus(WorkerId identity, X25519PublicKey ecdhKey, int platformCode, byte[] measurement,
                            Hash genesisHash, AccountId operator, String runtimeVersion, long syncedHeight,
                            Hash syncedHash, boolean registered, boolean gatekeeper, int masterEpoch,
                            List<Integer> clusters, List<HostedContract> hosted, int pendingEgress) {
    public EnclaveStatus {
        measurement = measurement.clone();
        clusters = List.copyOf(clusters);
        hosted = List.copyOf(hosted);
    }

    @Override
    public byte[] measurement() {
        return measurement.clone();
    }

    /**
     * A contract this worker runs.
     *
     * @param commands        commands applied (executed or rejected) so far
     * @param stateCommitment HMAC-SHA256 under the contract's secret of its state hash (docs/keys.md)
     */
    public record HostedContract(ContractId id, String kind, int cluster, long commands, Hash stateCommitment) {}

    public void write(CanonicalWriter w) {
        w.fixed(identity.bytes()).fixed(ecdhKey.bytes()).u8(platformCode).bytes(measurement).hash(genesisHash)
                .account(operator).string(runtimeVersion).u64(syncedHeight + 1).hash(syncedHash).bool(registered)
                .bool(gatekeeper).u32(masterEpoch + 1).u32(clusters.size());
        clusters.forEach(w::u32);
        w.u32(hosted.size());
        for (HostedContract c : hosted) {
            w.hash(c.id().hash()).string(c.kind()).u32(c.cluster()).u64(c.commands()).hash(c.stateCommitment());
        }
        w.u32(pendingEgress);
    }

    public static EnclaveStatus read(CanonicalReader r) {
        WorkerId id = WorkerId.of(r.fixed(32, "identity"));
        X25519PublicKey ecdh = X25519PublicKey.of(r.fixed(32, "ecdh key"));
        int platform = r.u8("platform");
        byte[] measurement = r.bytes(64, "measurement");
        Hash genesis = r.hash("genesis");
        AccountId operator = r.account("operator");
        String version = r.string(64, "runtime version");
        long height = r.u64("height") - 1;
        Hash hash = r.hash("synced hash");
        boolean registered = r.bool("registered");
        boolean gatekeeper = r.bool("gatekeeper");
        int epoch = r.u32("master epoch") - 1;
        int n = count(r, "clusters");
        List<Integer> clusters = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            clusters.add(r.u32("cluster"));
        }
        int m = count(r, "hosted");
        List<HostedContract> hosted = new ArrayList<>(m);
        for (int i = 0; i < m; i++) {
            hosted.add(new HostedContract(new ContractId(r.hash("contract")), r.string(64, "kind"), r.u32("cluster"),
                    r.u64("commands"), r.hash("state commitment")));
        }
        return new EnclaveStatus(id, ecdh, platform, measurement, genesis, operator, version, height, hash, registered,
                gatekeeper, epoch, clusters, hosted, r.u32("pending egress"));
    }

    private static int count(CanonicalReader r, String what) {
        int n = r.u32(what);
        if (n > 100_000) {
            throw new MalformedException("too many " + what);
        }
        return n;
    }
}
