package cloister.worker.enclave;

import cloister.crypto.EcdhKey;
import cloister.crypto.HpkeException;
import cloister.crypto.X25519PublicKey;
import cloister.proto.CanonicalReader;
import cloister.proto.CanonicalWriter;
import cloister.proto.ContractId;
import cloister.proto.KeyShare;
import cloister.proto.MalformedException;
import cloister.proto.WorkerId;
import cloister.proto.WorkerMessage;
import cloister.worker.EnclaveError;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gatekeeper's secrets and duties. Secrets: the master-key history (epoch → 32-byte master secret) and a master
 * secret this enclave created but has not yet seen accepted, sealed as {@value #BLOB} whenever they change (apart
 * from the state checkpoint, so a gatekeeper that lost its state replays into the same secrets instead of minting
 * new ones).
 *
 * <p>Duties, decided from the verified view after each block so every gatekeeper reaches the same decision:
 * <ul>
 *   <li>the first gatekeeper creates master epoch 0 when there is none;
 *   <li>the gatekeeper a {@code MasterKeyRotation} names creates the new epoch and shares the history with every
 *       other gatekeeper in the same message;
 *   <li>the <em>designated</em> gatekeeper — the first, in the order they were added, that holds the newest history
 *       — shares the history with gatekeepers that lack it, publishes cluster keys with deliveries of the cluster
 *       secret to every member (they open WebAssembly constructor arguments with it), publishes contract keys with
 *       deliveries of the contract secret to every worker of the cluster, and delivers both to workers that join
 *       later.
 * </ul>
 * Sent duties are remembered until the chain shows them accepted, so nothing is sent twice.
 */
final class GatekeeperRole {
    static final String BLOB = "master-keys";
    private static final Logger LOG = LoggerFactory.getLogger(GatekeeperRole.class);
    private static final int SHARES_PER_MESSAGE = 256;

    private final EnclaveKeys keys;
    private final SealedStore store;
    private final SecureRandom random;

    final TreeMap<Integer, byte[]> history = new TreeMap<>();
    int pendingEpoch = -1;
    byte[] pendingSecret;

    final LinkedHashSet<WorkerId> sharesSent = new LinkedHashSet<>();
    final Map<Integer, Set<WorkerId>> clusterDeliveriesSent = new TreeMap<>();
    final Map<ContractId, Set<WorkerId>> deliveriesSent = new TreeMap<>();

    GatekeeperRole(EnclaveKeys keys, SealedStore store, SecureRandom random) {
        this.keys = keys;
        this.store = store;
        this.random = random;
    }

    boolean holds(int epoch) {
        return epoch >= 0 && history.containsKey(epoch);
    }

    int newestEpoch() {
        return history.isEmpty() ? -1 : history.lastKey();
    }

    // ---------------------------------------------------------------- sealed master secrets

    void loadMaster() throws EnclaveFailure {
        Optional<byte[]> blob = store.load(BLOB);
        if (blob.isEmpty()) {
            return;
        }
        try {
            CanonicalReader r = new CanonicalReader(blob.get());
            int n = r.u32("epochs");
            for (int i = 0; i < n; i++) {
                history.put(r.u32("epoch"), r.fixed(32, "master secret"));
            }
            if (r.bool("pending")) {
                pendingEpoch = r.u32("pending epoch");
                pendingSecret = r.fixed(32, "pending secret");
            }
            r.end("master keys");
        } catch (MalformedException e) {
            throw new EnclaveFailure(EnclaveError.STATE_CORRUPT, "the sealed master keys do not decode: " + e.getMessage());
        }
    }

    private void saveMaster() {
        CanonicalWriter w = new CanonicalWriter(64 + 36 * history.size()).u32(history.size());
        history.forEach((e, s) -> w.u32(e).fixed(s));
        w.bool(pendingSecret != null);
        if (pendingSecret != null) {
            w.u32(pendingEpoch).fixed(pendingSecret);
        }
        store.store(BLOB, w.toByteArray());
    }

    // ---------------------------------------------------------------- what the chain accepted

    /** The chain accepted {@code from}'s master key epoch {@code p.epoch()}; {@code view} already lists it. */
    void onMasterPublished(WorkerId from, WorkerMessage.MasterKeyPublished p, NetworkView view) {
        boolean changed = false;
        if (pendingSecret != null && pendingEpoch == p.epoch()) {
            if (from.equals(keys.id) && publicKey(pendingSecret).equals(p.masterPublicKey())) {
                history.put(p.epoch(), pendingSecret);
            } else {
                LOG.info("master key epoch {} was created by another gatekeeper; discarding ours", p.epoch());
            }
            pendingSecret = null;
            pendingEpoch = -1;
            changed = true;
        }
        for (KeyShare s : p.shares()) {
            if (s.recipient().equals(keys.id)) {
                changed |= receive(s, view);
            }
        }
        if (changed) {
            saveMaster();
        }
        sharesSent.clear();
    }

    /** The chain accepted a history share; if it is for this enclave, open and check it. */
    void onMasterShared(KeyShare share, NetworkView view) {
        sharesSent.remove(share.recipient());
        if (share.recipient().equals(keys.id) && receive(share, view)) {
            saveMaster();
        }
    }

    private boolean receive(KeyShare share, NetworkView view) {
        TreeMap<Integer, byte[]> received;
        try {
            received = KeyShares.openHistory(keys.genesisHash, keys.id, keys.ecdh, share);
        } catch (HpkeException | MalformedException e) {
            LOG.warn("a master key share for this gatekeeper does not open: {}", e.getMessage());
            return false;
        }
        for (Map.Entry<Integer, byte[]> e : received.entrySet()) {
            int epoch = e.getKey();
            if (epoch >= view.masterKeys.size() || !publicKey(e.getValue()).equals(view.masterKeys.get(epoch))) {
                LOG.warn("a master key share does not match the published master key of epoch {}; ignored", epoch);
                return false;
            }
        }
        history.putAll(received);
        LOG.info("received the master key history up to epoch {}", newestEpoch());
        return true;
    }

    // ---------------------------------------------------------------- derivations

    Optional<byte[]> clusterSecret(int cluster, int epoch) {
        byte[] master = history.get(epoch);
        return master == null ? Optional.empty() : Optional.of(KeyDerivation.clusterSecret(master, cluster));
    }

    /** The contract's secret, if this gatekeeper holds the master key of its epoch. */
    Optional<byte[]> contractSecret(NetworkView.Contract c) {
        return clusterSecret(c.cluster, c.keyEpoch).map(cs -> KeyDerivation.contractSecret(cs, c.id));
    }

    private static X25519PublicKey publicKey(byte[] masterSecret) {
        return KeyDerivation.masterKey(masterSecret).publicKey();
    }

    // ---------------------------------------------------------------- duties

    /** The key messages this gatekeeper owes after the last block, in a fixed order. */
    List<WorkerMessage> duties(NetworkView view) {
        List<WorkerMessage> out = new ArrayList<>();
        WorkerId me = keys.id;
        if (!view.gatekeepers.contains(me)) {
            return out;
        }
        if (view.masterKeys.isEmpty() && pendingSecret == null && view.gatekeepers.get(0).equals(me)) {
            out.add(create(0, view));
        }
        NetworkView.Rotation rot = view.pendingRotation;
        if (rot != null && rot.by().equals(me) && pendingSecret == null && rot.epoch() == view.masterKeys.size()
                && holds(rot.epoch() - 1)) {
            out.add(create(rot.epoch(), view));
        }
        if (!view.designatedGatekeeper().equals(Optional.of(me)) || !holds(view.currentEpoch())) {
            return out;
        }
        for (WorkerId g : view.gatekeepers) {
            NetworkView.WorkerEntry w = view.workers.get(g);
            if (!view.masterHolders.contains(g) && !sharesSent.contains(g) && w != null) {
                out.add(new WorkerMessage.MasterKeyShared(KeyShares.sealHistory(keys.genesisHash, g, w.info().ecdhKey(), history)));
                sharesSent.add(g);
            }
        }
        for (NetworkView.Cluster c : view.clusters.values()) {
            deliver(c, view, out);
        }
        for (NetworkView.Contract k : view.contracts.values()) {
            deliver(k, view, out);
        }
        return out;
    }

    /** Publishes the cluster's key with deliveries to its members, or delivers it to members that lack it. */
    private void deliver(NetworkView.Cluster c, NetworkView view, List<WorkerMessage> out) {
        Optional<byte[]> secret = clusterSecret(c.id, c.keyEpoch);
        if (secret.isEmpty()) {
            return;
        }
        X25519PublicKey pub = KeyDerivation.keyOf(secret.get()).publicKey();
        if (c.publicKey != null && !c.publicKey.equals(pub)) {
            LOG.warn("cluster {} has another public key than the one derived here; not delivering", c.id);
            return;
        }
        Set<WorkerId> sent = clusterDeliveriesSent.get(c.id);
        if (c.publicKey == null && sent != null) {
            return; // published, waiting for the chain
        }
        List<WorkerId> missing = new ArrayList<>();
        for (WorkerId w : c.members) {
            if (view.workers.containsKey(w) && !c.deliveredTo.contains(w) && (sent == null || !sent.contains(w))) {
                missing.add(w);
            }
        }
        if (c.publicKey != null && missing.isEmpty()) {
            return;
        }
        Set<WorkerId> marks = clusterDeliveriesSent.computeIfAbsent(c.id, x -> new LinkedHashSet<>());
        int i = 0;
        do {
            List<KeyShare> shares = new ArrayList<>();
            for (WorkerId w : missing.subList(i, Math.min(missing.size(), i + SHARES_PER_MESSAGE))) {
                shares.add(KeyShares.sealClusterKey(keys.genesisHash, w, view.workers.get(w).info().ecdhKey(), c.id, secret.get()));
                marks.add(w);
            }
            out.add(new WorkerMessage.ClusterKeyPublished(c.id, pub, shares));
            i += SHARES_PER_MESSAGE;
        } while (i < missing.size());
    }

    private void deliver(NetworkView.Contract k, NetworkView view, List<WorkerMessage> out) {
        Optional<byte[]> secret = contractSecret(k);
        NetworkView.Cluster cluster = view.clusters.get(k.cluster);
        if (secret.isEmpty() || cluster == null) {
            return;
        }
        X25519PublicKey pub = KeyDerivation.keyOf(secret.get()).publicKey();
        if (k.publicKey != null && !k.publicKey.equals(pub)) {
            LOG.warn("contract {} has another public key than the one derived here; not delivering", k.id);
            return;
        }
        Set<WorkerId> sent = deliveriesSent.get(k.id);
        if (k.publicKey == null && sent != null) {
            return; // published, waiting for the chain
        }
        List<WorkerId> missing = new ArrayList<>();
        for (WorkerId w : cluster.members) {
            if (view.workers.containsKey(w) && !k.deliveredTo.contains(w) && (sent == null || !sent.contains(w))) {
                missing.add(w);
            }
        }
        if (k.publicKey != null && missing.isEmpty()) {
            return;
        }
        Set<WorkerId> marks = deliveriesSent.computeIfAbsent(k.id, x -> new LinkedHashSet<>());
        int i = 0;
        do {
            List<KeyShare> shares = new ArrayList<>();
            for (WorkerId w : missing.subList(i, Math.min(missing.size(), i + SHARES_PER_MESSAGE))) {
                shares.add(KeyShares.sealContractKey(keys.genesisHash, w, view.workers.get(w).info().ecdhKey(), k.id, secret.get()));
                marks.add(w);
            }
            out.add(new WorkerMessage.ContractKeyPublished(k.id, pub, shares));
            i += SHARES_PER_MESSAGE;
        } while (i < missing.size());
    }

    /** Creates (or, after a lost state, re-creates from the sealed secrets) master epoch {@code epoch}. */
    private WorkerMessage create(int epoch, NetworkView view) {
        byte[] secret = history.get(epoch);
        if (secret == null) {
            secret = new byte[KeyDerivation.SECRET_LENGTH];
            random.nextBytes(secret);
        }
        pendingEpoch = epoch;
        pendingSecret = secret;
        saveMaster();
        TreeMap<Integer, byte[]> next = new TreeMap<>(history);
        next.put(epoch, secret);
        List<KeyShare> shares = new ArrayList<>();
        for (WorkerId g : view.gatekeepers) {
            NetworkView.WorkerEntry w = view.workers.get(g);
            if (!g.equals(keys.id) && w != null && shares.size() < WorkerMessage.MAX_SHARES) {
                shares.add(KeyShares.sealHistory(keys.genesisHash, g, w.info().ecdhKey(), next));
            }
        }
        LOG.info("creating master key epoch {} (shared with {} gatekeepers)", epoch, shares.size());
        return new WorkerMessage.MasterKeyPublished(epoch, publicKey(secret), shares);
    }

    /** A contract secret received in a delivery matches the published public key. */
    static boolean matches(byte[] contractSecret, X25519PublicKey published) {
        EcdhKey k = KeyDerivation.keyOf(contractSecret);
        return MessageDigest.isEqual(k.publicKey().bytes(), published.bytes());
    }

    // ---------------------------------------------------------------- checkpoint codec (duties only; secrets are in BLOB)

    void write(CanonicalWriter w) {
        NetworkView.writeIds(w, sharesSent);
        w.u32(clusterDeliveriesSent.size());
        clusterDeliveriesSent.forEach((id, ws) -> {
            w.u32(id);
            NetworkView.writeIds(w, ws);
        });
        w.u32(deliveriesSent.size());
        deliveriesSent.forEach((id, ws) -> {
            w.hash(id.hash());
            NetworkView.writeIds(w, ws);
        });
    }

    void read(CanonicalReader r) {
        sharesSent.addAll(NetworkView.readIds(r));
        int n = r.u32("cluster deliveries sent");
        for (int i = 0; i < n; i++) {
            int cluster = r.u32("cluster");
            clusterDeliveriesSent.put(cluster, new LinkedHashSet<>(NetworkView.readIds(r)));
        }
        n = r.u32("deliveries sent");
        for (int i = 0; i < n; i++) {
            ContractId id = new ContractId(r.hash("contract"));
            deliveriesSent.put(id, new LinkedHashSet<>(NetworkView.readIds(r)));
        }
    }
}
