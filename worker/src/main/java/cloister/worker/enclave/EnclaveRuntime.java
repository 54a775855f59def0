package cloister.worker.enclave;

import cloister.crypto.HpkeException;
import cloister.proto.BlockHeader;
import cloister.proto.CanonicalReader;
import cloister.proto.CanonicalWriter;
import cloister.proto.InboundMessage;
import cloister.proto.KeyShare;
import cloister.proto.MalformedException;
import cloister.proto.SignedWorkerMessage;
import cloister.proto.WorkerId;
import cloister.proto.WorkerMessage;
import cloister.proto.envelope.QueryEnvelope;
import cloister.proto.envelope.QueryRefusal;
import cloister.worker.enclave.contract.ContractResult;
import cloister.worker.enclave.contract.SystemContractKinds;
import cloister.worker.wasm.WasmEngine;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The enclave's state machine: applies verified blocks' worker messages in order to the {@link NetworkView}, the
 * gatekeeper role and the contract host, and answers queries. Everything here runs under the enclave's lock
 * (queries under the read lock, the rest under the write lock).
 */
final class EnclaveRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(EnclaveRuntime.class);
    static final int STATE_VERSION = 4;
    /** Checkpoints of this version (before W3A jobs) still open: no open jobs, nothing deleted. */
    static final int STATE_VERSION_NO_JOBS = 3;
    /** Checkpoints of this version (before the storage watchdog) still open: the watchdog starts empty. */
    static final int STATE_VERSION_NO_WATCHDOG = 2;

    final EnclaveKeys keys;
    final NetworkView view;
    final Outbox outbox;
    final GatekeeperRole gatekeeper;
    final ContractHost contracts;
    final StorageWatchdog watchdog;
    final JobRunner jobs;
    private final SecureRandom random;
    /** Set when a message may have created a gatekeeper duty; the duties are scanned once per block then. */
    private boolean dutiesDirty = true;

    private EnclaveRuntime(EnclaveKeys keys, NetworkView view, Outbox outbox, GatekeeperRole gatekeeper, ContractHost contracts,
                           StorageWatchdog watchdog, JobRunner jobs, SecureRandom random) {
        this.keys = keys;
        this.view = view;
        this.outbox = outbox;
        this.gatekeeper = gatekeeper;
        this.contracts = contracts;
        this.watchdog = watchdog;
        this.jobs = jobs;
        this.random = random;
    }

    static EnclaveRuntime fresh(EnclaveKeys keys, GatekeeperRole gatekeeper, SystemContractKinds kinds, WasmEngine engine,
                                SecureRandom random) {
        NetworkView view = new NetworkView();
        return new EnclaveRuntime(keys, view, new Outbox(), gatekeeper, new ContractHost(kinds, keys.genesisHash, keys.id, view, engine),
                new StorageWatchdog(keys.id), new JobRunner(keys.id, keys.genesisHash), random);
    }

    WorkerId me() {
        return keys.id;
    }

    // ---------------------------------------------------------------- blocks

    /** Applies one verified block; returns the egress messages it caused, signed and in the outbox. */
    List<SignedWorkerMessage> apply(BlockHeader header, List<InboundMessage> messages) {
        for (InboundMessage m : messages) {
            apply(m, header);
        }
        view.height = header.height();
        view.hash = header.hash();
        view.time = header.timestamp();
        List<SignedWorkerMessage> egress = new ArrayList<>();
        for (WorkerMessage m : contracts.takeSettlements()) {
            egress.add(outbox.sign(keys.identity, keys.genesisHash, m));
        }
        egress.addAll(signAll(jobs.takeEgress()));
        if (!dutiesDirty) {
            return egress;
        }
        dutiesDirty = false;
        for (WorkerMessage m : gatekeeper.duties(view)) {
            egress.add(outbox.sign(keys.identity, keys.genesisHash, m));
        }
        return egress;
    }

    private void apply(InboundMessage message, BlockHeader header) {
        switch (message) {
            case InboundMessage.AuthoritySet a -> view.authorities = a.authorities();
            case InboundMessage.WorkerRegistered r -> {
                view.workers.put(r.info().identity(), new NetworkView.WorkerEntry(r.info(), r.platformCode(), r.measurement(), r.confidenceLevel()));
                dutiesDirty = true;
            }
            case InboundMessage.GatekeeperAdded g -> {
                if (!view.gatekeepers.contains(g.worker())) {
                    view.gatekeepers.add(g.worker());
                }
                dutiesDirty = true;
            }
            case InboundMessage.MasterKeyRotation k -> {
                view.pendingRotation = new NetworkView.Rotation(k.epoch(), k.by());
                dutiesDirty = true;
            }
            case InboundMessage.ClusterCreated c -> {
                view.clusters.put(c.cluster(), new NetworkView.Cluster(c.cluster(), c.workers(), Math.max(view.currentEpoch(), 0)));
                dutiesDirty = true;
            }
            case InboundMessage.WorkerJoinedCluster j -> {
                NetworkView.Cluster c = view.clusters.get(j.cluster());
                if (c != null && !c.members.contains(j.worker())) {
                    c.members.add(j.worker());
                }
                if (j.worker().equals(me())) {
                    view.contracts.values().stream().filter(k -> k.cluster == j.cluster()).forEach(this::host);
                }
                dutiesDirty = true;
            }
            case InboundMessage.ContractDeployed d -> {
                NetworkView.Contract k = new NetworkView.Contract(d.contract(), d.cluster(), d.kind(), d.keyEpoch(), header.height());
                view.contracts.put(d.contract(), k);
                host(k);
                dutiesDirty = true;
            }
            case InboundMessage.Command c -> contracts.onCommand(c, header.height(), header.timestamp());
            case InboundMessage.Accepted a -> accepted(a.message());
            // Code is public and kept by every worker: a contract may be instantiated in any cluster later.
            case InboundMessage.CodeUploaded c -> view.codes.putIfAbsent(c.codeHash(), c.code());
            case InboundMessage.WasmInstantiated i -> {
                NetworkView.Contract k = view.contracts.get(i.contract());
                if (k != null) {
                    k.codeHash = i.codeHash();
                    k.owner = i.owner();
                }
                contracts.onCommand(i, header.height(), header.timestamp());
            }
            case InboundMessage.ContractUpgraded u -> {
                NetworkView.Contract k = view.contracts.get(u.contract());
                if (k != null) {
                    k.codeHash = u.codeHash();
                }
                contracts.onCommand(u, header.height(), header.timestamp());
            }
            case InboundMessage.WasmCall c -> contracts.onCommand(c, header.height(), header.timestamp());
            case InboundMessage.StorageSlot t -> watchdog.onMessage(t);
            case InboundMessage.ReplicaAssigned a -> watchdog.onMessage(a);
            case InboundMessage.ReplicaReleased x -> watchdog.onMessage(x);
            case InboundMessage.JobAssigned j -> jobs.onAssigned(j);
            case InboundMessage.DatasetDeleted d -> jobs.onDeleted(d, header.height());
            // Mining: this enclave does not benchmark or answer heartbeats yet (the chain side came first).
            case InboundMessage.BenchmarkRequested b -> { }
            case InboundMessage.HeartbeatChallenge c -> { }
            case InboundMessage.WorkerUnresponsive u -> { }
        }
    }

    private void accepted(SignedWorkerMessage sm) {
        if (sm.worker().equals(me())) {
            outbox.confirm(sm.seq());
        }
        switch (sm.message()) {
            case WorkerMessage.MasterKeyPublished p -> {
                if (p.epoch() != view.masterKeys.size()) {
                    return; // the chain accepts epochs only in order; nothing else can be verified here
                }
                view.masterKeys.add(p.masterPublicKey());
                view.pendingRotation = null;
                view.masterHolders.clear();
                view.masterHolders.add(sm.worker());
                p.shares().forEach(s -> view.masterHolders.add(s.recipient()));
                gatekeeper.onMasterPublished(sm.worker(), p, view);
                hostAll();
                dutiesDirty = true;
            }
            case WorkerMessage.MasterKeyShared s -> {
                view.masterHolders.add(s.share().recipient());
                gatekeeper.onMasterShared(s.share(), view);
                if (s.share().recipient().equals(me())) {
                    hostAll();
                }
                dutiesDirty = true;
            }
            case WorkerMessage.ClusterKeyPublished c -> {
                NetworkView.Cluster cluster = view.clusters.get(c.cluster());
                if (cluster == null) {
                    return;
                }
                if (cluster.publicKey == null) {
                    cluster.publicKey = c.publicKey();
                }
                for (KeyShare d : c.deliveries()) {
                    cluster.deliveredTo.add(d.recipient());
                    if (d.recipient().equals(me()) && !contracts.hasClusterSecret(cluster.id)) {
                        receiveClusterKey(cluster, d);
                    }
                }
                dutiesDirty = true;
            }
            case WorkerMessage.ContractKeyPublished c -> {
                NetworkView.Contract k = view.contracts.get(c.contract());
                if (k == null) {
                    return;
                }
                if (k.publicKey == null) {
                    k.publicKey = c.publicKey();
                }
                for (KeyShare d : c.deliveries()) {
                    k.deliveredTo.add(d.recipient());
                    if (d.recipient().equals(me()) && !contracts.hasSecret(k.id)) {
                        receiveContractKey(k, d);
                    }
                }
                dutiesDirty = true;
            }
            case WorkerMessage.EndpointAnnounced e -> {
                // public metadata for clients; nothing for the enclave to do
            }
            case WorkerMessage.CallSettled c -> {
                // gas accounting is the chain's; nothing for the enclave to do
            }
            case WorkerMessage.JobResult r -> {
                // settled by the chain; nothing for the enclave to do
            }
            case WorkerMessage.JobFailed f -> {
                // settled by the chain; nothing for the enclave to do
            }
            case WorkerMessage.DeletionReceipt d -> {
                // recorded by the chain; nothing for the enclave to do
            }
            case WorkerMessage.WorkReport r -> {
                if (sm.worker().equals(me())) {
                    watchdog.onAccepted(r);
                }
            }
            case WorkerMessage.BenchmarkReport b -> {
                // scored by the chain; nothing for the enclave to do
            }
            case WorkerMessage.Heartbeat h -> {
                // settled by the chain; nothing for the enclave to do
            }
        }
    }

    private void receiveContractKey(NetworkView.Contract k, KeyShare delivery) {
        byte[] secret;
        try {
            secret = KeyShares.openContractKey(keys.genesisHash, me(), keys.ecdh, k.id, delivery);
        } catch (HpkeException | MalformedException e) {
            LOG.warn("the key delivery for contract {} does not open: {}", k.id, e.getMessage());
            return;
        }
        if (!GatekeeperRole.matches(secret, k.publicKey)) {
            LOG.warn("the key delivered for contract {} does not match its published key; ignored", k.id);
            return;
        }
        contracts.holdSecret(k.id, secret);
        host(k);
    }

    private void receiveClusterKey(NetworkView.Cluster cluster, KeyShare delivery) {
        byte[] secret;
        try {
            secret = KeyShares.openClusterKey(keys.genesisHash, me(), keys.ecdh, cluster.id, delivery);
        } catch (HpkeException | MalformedException e) {
            LOG.warn("the key delivery for cluster {} does not open: {}", cluster.id, e.getMessage());
            return;
        }
        if (!GatekeeperRole.matches(secret, cluster.publicKey)) {
            LOG.warn("the key delivered for cluster {} does not match its published key; ignored", cluster.id);
            return;
        }
        contracts.holdClusterSecret(cluster.id, secret);
        view.contracts.values().stream().filter(k -> k.cluster == cluster.id).forEach(this::host);
    }

    /** Hosts {@code k} if possible; a gatekeeper member derives the secrets itself. */
    private void host(NetworkView.Contract k) {
        boolean member = view.isMember(me(), k.cluster);
        if (!member) {
            return;
        }
        if (!contracts.hasSecret(k.id)) {
            gatekeeper.contractSecret(k).ifPresent(s -> contracts.holdSecret(k.id, s));
        }
        NetworkView.Cluster cluster = view.clusters.get(k.cluster);
        if (!contracts.hasClusterSecret(k.cluster) && cluster != null) {
            gatekeeper.clusterSecret(k.cluster, cluster.keyEpoch).ifPresent(s -> contracts.holdClusterSecret(k.cluster, s));
        }
        if (contracts.tryHost(k, true)) {
            LOG.debug("hosting contract {} ({})", k.id, k.kind);
        }
    }

    private void hostAll() {
        view.contracts.values().forEach(this::host);
    }

    /** Signs {@code messages} in order into the outbox. */
    List<SignedWorkerMessage> signAll(List<WorkerMessage> messages) {
        List<SignedWorkerMessage> out = new ArrayList<>(messages.size());
        for (WorkerMessage m : messages) {
            out.add(outbox.sign(keys.identity, keys.genesisHash, m));
        }
        return out;
    }

    /**
     * The W3A escrow keys this worker holds: the key of every cluster it is a member of (data keys are wrapped to the
     * escrow cluster's public key).
     */
    List<cloister.crypto.EcdhKey> escrowKeys() {
        List<cloister.crypto.EcdhKey> out = new ArrayList<>();
        for (NetworkView.Cluster c : view.clusters.values()) {
            if (!view.isMember(me(), c.id)) {
                continue;
            }
            byte[] secret = contracts.clusterSecrets.get(c.id);
            if (secret == null) {
                secret = gatekeeper.clusterSecret(c.id, c.keyEpoch).orElse(null);
            }
            if (secret != null) {
                out.add(KeyDerivation.keyOf(secret));
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- queries

    /** Answers an encoded {@link QueryEnvelope} request; refusals are encoded responses too. */
    byte[] query(byte[] request) {
        Optional<QueryEnvelope.Opened> opened = QueryEnvelope.open(keys.genesisHash, me(), keys.ecdh, request, random);
        if (opened.isEmpty()) {
            return QueryEnvelope.plainRefusal(QueryRefusal.BAD_REQUEST);
        }
        QueryEnvelope.Opened o = opened.get();
        if (o.request().isEmpty()) {
            return o.refuse(keys.identity, QueryRefusal.MALFORMED_QUERY.code(), "the request's plaintext is not a query request");
        }
        QueryEnvelope.Request q = o.request().get();
        if (!q.verify(keys.genesisHash, me())) {
            return o.refuse(keys.identity, QueryRefusal.BAD_QUERY_SIGNATURE.code(), "the query is not signed by its caller "
                    + q.caller() + " for this worker and network");
        }
        NetworkView.Contract c = view.contracts.get(q.contract());
        if (c == null) {
            return o.refuse(keys.identity, QueryRefusal.UNKNOWN_CONTRACT.code(), "no contract " + q.contract()
                    + " as of block " + view.height);
        }
        Optional<ContractResult> r = contracts.query(q.contract(), q.caller(), q.query());
        if (r.isEmpty()) {
            return o.refuse(keys.identity, QueryRefusal.NOT_HOSTED.code(), "this worker does not run contract " + q.contract()
                    + " (cluster " + c.cluster + ")");
        }
        return switch (r.get()) {
            case ContractResult.Ok ok -> o.answer(keys.identity, ok.output());
            case ContractResult.Rejected rej -> o.refuse(keys.identity, rej.code(), rej.message());
        };
    }

    // ---------------------------------------------------------------- checkpoint

    /** The state checkpoint: version, the network and identity it belongs to, then every part. */
    byte[] encode() {
        CanonicalWriter w = new CanonicalWriter(4096).u8(STATE_VERSION).hash(keys.genesisHash).fixed(me().bytes());
        view.write(w);
        outbox.write(w);
        gatekeeper.write(w);
        contracts.write(w);
        watchdog.write(w);
        jobs.write(w);
        return w.toByteArray();
    }

    /**
     * @throws MalformedException if the bytes are not a checkpoint of this version
     * @throws IllegalStateException if it belongs to another network or identity
     */
    static EnclaveRuntime decode(byte[] bytes, EnclaveKeys keys, GatekeeperRole gatekeeper, SystemContractKinds kinds,
                                 WasmEngine engine, SecureRandom random) {
        CanonicalReader r = new CanonicalReader(bytes);
        int version = r.u8("state version");
        if (version != STATE_VERSION && version != STATE_VERSION_NO_JOBS && version != STATE_VERSION_NO_WATCHDOG) {
            throw new MalformedException("unknown state version " + version);
        }
        if (!r.hash("genesis").equals(keys.genesisHash) || !WorkerId.of(r.fixed(32, "identity")).equals(keys.id)) {
            throw new IllegalStateException("the state checkpoint belongs to another network or worker identity");
        }
        NetworkView view = NetworkView.read(r);
        Outbox outbox = Outbox.read(r);
        gatekeeper.read(r);
        ContractHost contracts = new ContractHost(kinds, keys.genesisHash, keys.id, view, engine);
        contracts.read(r);
        StorageWatchdog watchdog = new StorageWatchdog(keys.id);
        if (version >= STATE_VERSION_NO_JOBS) {
            watchdog.read(r);
        }
        JobRunner jobs = new JobRunner(keys.id, keys.genesisHash);
        if (version == STATE_VERSION) {
            jobs.read(r);
        }
        r.end("state");
        return new EnclaveRuntime(keys, view, outbox, gatekeeper, contracts, watchdog, jobs, random);
    }
}
