package cloister.worker.enclave;

import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.crypto.X25519PublicKey;
import cloister.proto.CanonicalReader;
import cloister.proto.CanonicalWriter;
import cloister.proto.ContractId;
import cloister.proto.ContractsCall;
import cloister.proto.WorkerId;
import cloister.proto.WorkerInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the enclave knows of the network, rebuilt only from verified blocks: the sync position, the block
 * authorities, registered workers, gatekeepers (in the order they were added), master public keys per epoch and
 * who holds the newest history, clusters and contracts with their public keys, uploaded WebAssembly code by hash
 * and each WebAssembly contract's current code and owner. Public information, kept inside because the enclave must
 * not take the host's word for any of it. Mutated only under the enclave's write lock.
 */
final class NetworkView {
    /** A registered worker, as the registry attested it. */
    record WorkerEntry(WorkerInfo info, int platformCode, byte[] measurement, int confidence) {}

    /** A rotation governance asked for and the gatekeeper that must create it. */
    record Rotation(int epoch, WorkerId by) {}

    static final class Cluster {
        final int id;
        final List<WorkerId> members;
        /** The master-key epoch its key derives from: the newest epoch when the cluster was created (0 if none yet). */
        final int keyEpoch;
        X25519PublicKey publicKey;
        /** Members to which a gatekeeper delivered the cluster secret (seen accepted on chain). */
        final LinkedHashSet<WorkerId> deliveredTo = new LinkedHashSet<>();

        Cluster(int id, List<WorkerId> members, int keyEpoch) {
            this.id = id;
            this.members = new ArrayList<>(members);
            this.keyEpoch = keyEpoch;
        }
    }

    static final class Contract {
        final ContractId id;
        final int cluster;
        final String kind;
        final int keyEpoch;
        final long deployedAt;
        X25519PublicKey publicKey;
        /** Workers to which a gatekeeper delivered the contract secret (seen accepted on chain). */
        final LinkedHashSet<WorkerId> deliveredTo = new LinkedHashSet<>();
        /** WebAssembly contracts only (null otherwise): the code it runs now (upgrades switch it) and its owner. */
        Hash codeHash;
        AccountId owner;

        Contract(ContractId id, int cluster, String kind, int keyEpoch, long deployedAt) {
            this.id = id;
            this.cluster = cluster;
            this.kind = kind;
            this.keyEpoch = keyEpoch;
            this.deployedAt = deployedAt;
        }
    }

    long height = -1;
    Hash hash = Hash.ZERO;
    /** The latest block's header timestamp (ms): a query's {@code block_time}. */
    long time;
    List<AccountId> authorities = List.of();
    final LinkedHashMap<WorkerId, WorkerEntry> workers = new LinkedHashMap<>();
    final List<WorkerId> gatekeepers = new ArrayList<>();
    final List<X25519PublicKey> masterKeys = new ArrayList<>();
    Rotation pendingRotation;
    /** The gatekeepers known to hold the newest master-key epoch: its creator and those it was shared with. */
    final LinkedHashSet<WorkerId> masterHolders = new LinkedHashSet<>();
    final TreeMap<Integer, Cluster> clusters = new TreeMap<>();
    final LinkedHashMap<ContractId, Contract> contracts = new LinkedHashMap<>();
    /** Uploaded WebAssembly modules by code hash (SHA-256 of the module), as the chain accepted them. */
    final TreeMap<Hash, byte[]> codes = new TreeMap<>();

    int currentEpoch() {
        return masterKeys.size() - 1;
    }

    /**
     * The gatekeeper that does the key work everyone could do, so it is done once: the first gatekeeper, in the
     * order they were added, that holds the newest master-key history.
     */
    Optional<WorkerId> designatedGatekeeper() {
        for (WorkerId g : gatekeepers) {
            if (masterHolders.contains(g)) {
                return Optional.of(g);
            }
        }
        return Optional.empty();
    }

    List<Integer> clustersOf(WorkerId worker) {
        List<Integer> out = new ArrayList<>();
        clusters.values().forEach(c -> {
            if (c.members.contains(worker)) {
                out.add(c.id);
            }
        });
        return out;
    }

    boolean isMember(WorkerId worker, int cluster) {
        Cluster c = clusters.get(cluster);
        return c != null && c.members.contains(worker);
    }

    // ---------------------------------------------------------------- checkpoint codec

    void write(CanonicalWriter w) {
        w.u64(height + 1).hash(hash).u64(time).u32(authorities.size());
        authorities.forEach(w::account);
        w.u32(workers.size());
        for (WorkerEntry e : workers.values()) {
            w.bytes(e.info().encode()).u8(e.platformCode()).bytes(e.measurement()).u8(e.confidence());
        }
        writeIds(w, gatekeepers);
        w.u32(masterKeys.size());
        masterKeys.forEach(k -> w.fixed(k.bytes()));
        w.bool(pendingRotation != null);
        if (pendingRotation != null) {
            w.u32(pendingRotation.epoch()).fixed(pendingRotation.by().bytes());
        }
        writeIds(w, masterHolders);
        w.u32(clusters.size());
        for (Cluster c : clusters.values()) {
            w.u32(c.id).u32(c.keyEpoch);
            writeIds(w, c.members);
            writeKey(w, c.publicKey);
            writeIds(w, c.deliveredTo);
        }
        w.u32(contracts.size());
        for (Contract c : contracts.values()) {
            w.hash(c.id.hash()).u32(c.cluster).string(c.kind).u32(c.keyEpoch).u64(c.deployedAt);
            writeKey(w, c.publicKey);
            writeIds(w, c.deliveredTo);
            w.bool(c.codeHash != null);
            if (c.codeHash != null) {
                w.hash(c.codeHash).account(c.owner);
            }
        }
        w.u32(codes.size());
        codes.forEach((h, code) -> w.hash(h).bytes(code));
    }

    static NetworkView read(CanonicalReader r) {
        NetworkView v = new NetworkView();
        v.height = r.u64("height") - 1;
        v.hash = r.hash("hash");
        v.time = r.u64("time");
        int n = r.u32("authorities");
        List<AccountId> auth = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            auth.add(r.account("authority"));
        }
        v.authorities = List.copyOf(auth);
        n = r.u32("workers");
        for (int i = 0; i < n; i++) {
            WorkerEntry e = new WorkerEntry(WorkerInfo.decode(r.bytes(1024, "worker info")), r.u8("platform"),
                    r.bytes(64, "measurement"), r.u8("confidence"));
            v.workers.put(e.info().identity(), e);
        }
        v.gatekeepers.addAll(readIds(r));
        n = r.u32("master keys");
        for (int i = 0; i < n; i++) {
            v.masterKeys.add(X25519PublicKey.of(r.fixed(32, "master key")));
        }
        if (r.bool("pending rotation")) {
            v.pendingRotation = new Rotation(r.u32("epoch"), WorkerId.of(r.fixed(32, "by")));
        }
        v.masterHolders.addAll(readIds(r));
        n = r.u32("clusters");
        for (int i = 0; i < n; i++) {
            int id = r.u32("cluster");
            int epoch = r.u32("key epoch");
            Cluster c = new Cluster(id, readIds(r), epoch);
            c.publicKey = readKey(r);
            c.deliveredTo.addAll(readIds(r));
            v.clusters.put(id, c);
        }
        n = r.u32("contracts");
        for (int i = 0; i < n; i++) {
            Contract c = new Contract(new ContractId(r.hash("contract")), r.u32("cluster"), r.string(64, "kind"),
                    r.u32("key epoch"), r.u64("deployed at"));
            c.publicKey = readKey(r);
            c.deliveredTo.addAll(readIds(r));
            if (r.bool("wasm")) {
                c.codeHash = r.hash("code hash");
                c.owner = r.account("owner");
            }
            v.contracts.put(c.id, c);
        }
        n = r.u32("codes");
        for (int i = 0; i < n; i++) {
            v.codes.put(r.hash("code hash"), r.bytes(ContractsCall.MAX_CODE + 1, "code"));
        }
        return v;
    }

    static void writeIds(CanonicalWriter w, java.util.Collection<WorkerId> ids) {
        w.u32(ids.size());
        ids.forEach(id -> w.fixed(id.bytes()));
    }

    static List<WorkerId> readIds(CanonicalReader r) {
        int n = r.u32("worker ids");
        List<WorkerId> out = new ArrayList<>(Math.min(n, 1 << 16));
        for (int i = 0; i < n; i++) {
            out.add(WorkerId.of(r.fixed(32, "worker id")));
        }
        return out;
    }

    private static void writeKey(CanonicalWriter w, X25519PublicKey key) {
        w.bool(key != null);
        if (key != null) {
            w.fixed(key.bytes());
        }
    }

    private static X25519PublicKey readKey(CanonicalReader r) {
        return r.bool("has key") ? X25519PublicKey.of(r.fixed(32, "key")) : null;
    }
}
