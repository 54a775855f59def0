package cloister.chain.runtime.registry;

import cloister.chain.runtime.BlockState;
import cloister.chain.runtime.DispatchOutcome;
import cloister.chain.runtime.SignatureVerifier;
import cloister.chain.runtime.contracts.WasmContracts;
import cloister.chain.store.StateReader;
import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.crypto.X25519PublicKey;
import cloister.proto.CanonicalReader;
import cloister.proto.CanonicalWriter;
import cloister.proto.ContractId;
import cloister.proto.DispatchError;
import cloister.proto.Event;
import cloister.proto.GovernanceCall;
import cloister.proto.InboundMessage;
import cloister.proto.KeyShare;
import cloister.proto.RegistryCall;
import cloister.proto.SignedWorkerMessage;
import cloister.proto.WorkerId;
import cloister.proto.WorkerInfo;
import cloister.proto.WorkerMessage;
import cloister.tee.AttestationReport;
import cloister.tee.Evidence;
import cloister.tee.Measurement;
import cloister.tee.Platform;
import cloister.tee.QuoteVerification;
import cloister.tee.QuoteVerifier;
import cloister.tee.dcap.DcapQuoteVerifier;
import cloister.tee.sim.SimQuoteVerifier;
import cloister.tee.sim.SimRootCertificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code registry} runtime module (state prefix 0x02): the measurement allowlist, the attestation policy and
 * trusted roots, worker registration, worker egress messages (signature + strict sequence), gatekeepers, the master
 * key epochs, clusters and their keys, and the keys of contracts. Every change a worker must know about is also
 * sent as an {@link InboundMessage}, committed in the block header.
 *
 * <p>Quote verification runs here with the block's timestamp as "now": it is a pure function of the evidence, the
 * pinned roots and the block, so every node reaches the same verdict.
 */
public final class Registry {
    private static final byte[] ALLOW = {0x02, 0x01};
    private static final byte[] SIM_ROOT = {0x02, 0x02};
    private static final byte[] POLICY = {0x02, 0x03};
    private static final byte[] WORKER = {0x02, 0x10};
    /** Registered workers in registration order, one key each (worker at index i), and their count. */
    private static final byte[] WORKER_AT = {0x02, 0x15};
    private static final byte[] WORKER_COUNT = {0x02, 0x16};
    /** Before 2026-11-22: every registered worker in one list, rewritten at each registration. Read, then moved. */
    private static final byte[] LEGACY_WORKER_LIST = {0x02, 0x11};
    private static final byte[] GATEKEEPERS = {0x02, 0x12};
    private static final byte[] MASTER = {0x02, 0x13};
    private static final byte[] ENDPOINT = {0x02, 0x14};
    private static final byte[] CLUSTER_COUNT = {0x02, 0x20};
    private static final byte[] CLUSTER = {0x02, 0x21};
    private static final byte[] CONTRACT = {0x03, 0x01};
    private static final byte[] CONTRACT_LIST = {0x03, 0x02};

    /** Quotes may be dated at most this far after the block (clocks of the worker's machine and the proposer differ). */
    static final long MAX_QUOTE_FUTURE_MILLIS = 5 * 60_000L;
    /** The system contract kinds workers of this release implement. */
    public static final Set<String> SYSTEM_CONTRACT_KINDS = Set.of("secret-notes");

    /** What registrations must satisfy. */
    public record AttestationPolicy(int maxConfidenceLevel, long maxQuoteAgeMillis) {
        /** Dev default: accept sim (confidence 5), quotes up to one hour old. */
        public static final AttestationPolicy DEV = new AttestationPolicy(5, 3_600_000L);
    }

    private Registry() {}

    // ---------------------------------------------------------------- reads (also used by the API)

    public static Optional<WorkerRecord> worker(StateReader s, WorkerId id) {
        byte[] v = s.get(key(WORKER, id.bytes()));
        return v == null ? Optional.empty() : Optional.of(WorkerRecord.decode(v));
    }

    /** Every registered worker, in registration order. */
    public static List<WorkerId> workers(StateReader s) {
        if (s.get(WORKER_COUNT) == null) {
            return readIds(s, LEGACY_WORKER_LIST); // a chain written before the keyed list (empty if none)
        }
        int n = workerCount(s);
        List<WorkerId> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(WorkerId.of(s.get(workerAtKey(i))));
        }
        return out;
    }

    public static int workerCount(StateReader s) {
        byte[] v = s.get(WORKER_COUNT);
        return v == null ? readIds(s, LEGACY_WORKER_LIST).size() : new CanonicalReader(v).u32("worker count");
    }

    /** Appends a worker to the keyed list, first moving a chain's legacy single list into it. */
    static void appendWorker(BlockState s, WorkerId id) {
        if (s.get(WORKER_COUNT) == null) {
            List<WorkerId> legacy = readIds(s, LEGACY_WORKER_LIST);
            for (int i = 0; i < legacy.size(); i++) {
                s.put(workerAtKey(i), legacy.get(i).bytes());
            }
            if (!legacy.isEmpty()) {
                s.delete(LEGACY_WORKER_LIST);
            }
            s.put(WORKER_COUNT, new CanonicalWriter(4).u32(legacy.size()).toByteArray());
        }
        int index = workerCount(s);
        s.put(workerAtKey(index), id.bytes());
        s.put(WORKER_COUNT, new CanonicalWriter(4).u32(index + 1).toByteArray());
    }

    private static byte[] workerAtKey(int index) {
        return key(WORKER_AT, new CanonicalWriter(4).u32(index).toByteArray());
    }

    public static List<WorkerId> gatekeepers(StateReader s) {
        return readIds(s, GATEKEEPERS);
    }

    public static MasterKeys masterKeys(StateReader s) {
        byte[] v = s.get(MASTER);
        return v == null ? MasterKeys.NONE : MasterKeys.decode(v);
    }

    public static Optional<ClusterRecord> cluster(StateReader s, int id) {
        byte[] v = s.get(key(CLUSTER, new CanonicalWriter(4).u32(id).toByteArray()));
        return v == null ? Optional.empty() : Optional.of(ClusterRecord.decode(v));
    }

    public static int clusterCount(StateReader s) {
        byte[] v = s.get(CLUSTER_COUNT);
        return v == null ? 0 : new CanonicalReader(v).u32("cluster count");
    }

    public static Optional<ContractRecord> contract(StateReader s, ContractId id) {
        byte[] v = s.get(key(CONTRACT, id.bytes()));
        return v == null ? Optional.empty() : Optional.of(ContractRecord.decode(v));
    }

    public static List<ContractId> contracts(StateReader s) {
        byte[] v = s.get(CONTRACT_LIST);
        List<ContractId> out = new ArrayList<>();
        if (v != null) {
            CanonicalReader r = new CanonicalReader(v);
            int n = r.u32("contracts");
            for (int i = 0; i < n; i++) {
                out.add(new ContractId(r.hash("contract")));
            }
        }
        return out;
    }

    /** Whether {@code m} is on the allowlist, and since which block. */
    public static Optional<Long> allowedSince(StateReader s, Measurement m) {
        byte[] v = s.get(allowKey(m.platform().code(), m.value()));
        return v == null ? Optional.empty() : Optional.of(new CanonicalReader(v).u64("allowed since"));
    }

    /** The allowlist is small (a few builds): kept as one list next to the per-measurement keys. */
    public static List<Measurement> allowlist(StateReader s) {
        byte[] v = s.get(key(ALLOW, new byte[] {0}));
        List<Measurement> out = new ArrayList<>();
        if (v != null) {
            CanonicalReader r = new CanonicalReader(v);
            int n = r.u32("allowlist");
            for (int i = 0; i < n; i++) {
                out.add(Measurement.of(Platform.ofCode(r.u8("platform")), r.bytes(Measurement.MAX_LENGTH, "measurement")));
            }
        }
        return out;
    }

    public static Optional<SimRootCertificate> simRoot(StateReader s) {
        byte[] v = s.get(SIM_ROOT);
        return v == null ? Optional.empty() : Optional.of(SimRootCertificate.decode(v));
    }

    public static AttestationPolicy policy(StateReader s) {
        byte[] v = s.get(POLICY);
        if (v == null) {
            return AttestationPolicy.DEV;
        }
        CanonicalReader r = new CanonicalReader(v);
        return new AttestationPolicy(r.u8("confidence"), r.u64("quote age"));
    }

    /** Intel DCAP verification: stateless, pinned to Intel's root, shared. */
    private static final DcapQuoteVerifier DCAP = new DcapQuoteVerifier();

    /**
     * The verifier for this state's trust anchors: Intel's root for SGX and TDX quotes, and the network's sim root
     * if genesis names one.
     */
    public static QuoteVerifier quoteVerifier(StateReader s) {
        AttestationPolicy policy = policy(s);
        Map<Platform, QuoteVerifier> verifiers = new java.util.EnumMap<>(Platform.class);
        verifiers.put(Platform.SGX, DCAP);
        verifiers.put(Platform.TDX, DCAP);
        simRoot(s).ifPresent(root -> verifiers.put(Platform.SIM,
                new SimQuoteVerifier(root, policy.maxQuoteAgeMillis(), MAX_QUOTE_FUTURE_MILLIS)));
        return QuoteVerifier.byPlatform(verifiers);
    }

    // ---------------------------------------------------------------- genesis

    /** Genesis setup: the trusted sim root (if any), the allowlist and the policy. */
    public static void initialize(BlockState s, Optional<SimRootCertificate> simRoot, List<Measurement> allowed,
                                  AttestationPolicy policy) {
        simRoot.ifPresent(root -> s.put(SIM_ROOT, root.encode()));
        setPolicy(s, policy);
        for (Measurement m : allowed) {
            if (!allow(s, m.platform().code(), m.value()).ok()) {
                throw new IllegalArgumentException("duplicate measurement in genesis: " + m);
            }
        }
    }

    // ---------------------------------------------------------------- calls

    /** @param signatures checks (and remembers) relayed worker messages' signatures */
    public static DispatchOutcome dispatch(BlockState s, AccountId sender, Hash genesisHash, SignatureVerifier signatures, RegistryCall call) {
        return switch (call) {
            case RegistryCall.RegisterWorker r -> register(s, sender, genesisHash, r.info(),
                    new Evidence(platformOrNull(r.evidence().platformCode()), r.evidence().quote(), r.evidence().collateral()));
            case RegistryCall.SubmitWorkerMessage m -> workerMessage(s, genesisHash, signatures, m.message());
        };
    }

    private static Platform platformOrNull(int code) {
        try {
            return Platform.ofCode(code);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static DispatchOutcome register(BlockState s, AccountId sender, Hash genesisHash, WorkerInfo info, Evidence evidence) {
        if (!sender.equals(info.operator())) {
            return DispatchOutcome.fail(DispatchError.BAD_ORIGIN, "a worker is registered by its operator " + info.operator().address());
        }
        if (!info.genesisHash().equals(genesisHash)) {
            return DispatchOutcome.fail(DispatchError.WRONG_GENESIS, "the worker info is for network " + info.genesisHash().shortHex());
        }
        if (worker(s, info.identity()).isPresent()) {
            return DispatchOutcome.fail(DispatchError.ALREADY_REGISTERED, "worker " + info.identity().hex() + " is already registered");
        }
        if (evidence.platform() == null) {
            return DispatchOutcome.fail(DispatchError.ATTESTATION_REFUSED, "UNSUPPORTED_PLATFORM: unknown TEE platform code");
        }
        QuoteVerification v = quoteVerifier(s).verify(evidence, s.timestampMillis());
        if (v instanceof QuoteVerification.Refused refused) {
            return DispatchOutcome.fail(DispatchError.ATTESTATION_REFUSED, refused.reason().code() + ": " + refused.message());
        }
        AttestationReport report = ((QuoteVerification.Verified) v).report();
        if (!Arrays.equals(report.reportData(), info.reportData())) {
            return DispatchOutcome.fail(DispatchError.REPORT_DATA_MISMATCH, "the quote does not bind this worker's keys and network");
        }
        if (allowedSince(s, report.measurement()).isEmpty()) {
            return DispatchOutcome.fail(DispatchError.MEASUREMENT_NOT_ALLOWED, "measurement " + report.measurement() + " is not on the allowlist");
        }
        AttestationPolicy policy = policy(s);
        if (report.confidenceLevel() > policy.maxConfidenceLevel()) {
            return DispatchOutcome.fail(DispatchError.CONFIDENCE_TOO_LOW, "confidence level " + report.confidenceLevel()
                    + " (" + report.tcbStatus() + "), this network accepts at most " + policy.maxConfidenceLevel());
        }
        WorkerRecord record = new WorkerRecord(info, report.measurement(), report.confidenceLevel(), report.tcbStatus(),
                s.height(), 0, false);
        putWorker(s, record);
        // One key per worker, not one list rewritten on every registration (that made registering N workers O(N²)).
        appendWorker(s, info.identity());
        s.emit(new Event.WorkerRegistered(info.identity(), info.operator(), report.platform().code(), report.confidenceLevel()));
        s.send(new InboundMessage.WorkerRegistered(info, report.platform().code(), report.measurement().value(), report.confidenceLevel()));
        cloister.chain.runtime.computation.Computation.onRegistered(s, info.identity());
        return DispatchOutcome.OK;
    }

    private static DispatchOutcome workerMessage(BlockState s, Hash genesisHash, SignatureVerifier signatures, SignedWorkerMessage m) {
        Optional<WorkerRecord> found = worker(s, m.worker());
        if (found.isEmpty()) {
            return DispatchOutcome.fail(DispatchError.UNKNOWN_WORKER, "worker " + m.worker().hex() + " is not registered");
        }
        WorkerRecord w = found.get();
        if (!signatures.verify(m, genesisHash)) {
            return DispatchOutcome.fail(DispatchError.BAD_WORKER_SIGNATURE, "the message is not signed by worker " + m.worker().hex());
        }
        if (m.seq() != w.nextSeq()) {
            return DispatchOutcome.fail(DispatchError.BAD_SEQUENCE, "sequence " + m.seq() + ", expected " + w.nextSeq()
                    + (m.seq() < w.nextSeq() ? " (a replay)" : " (a gap)"));
        }
        // An authentic, in-order message consumes its sequence number even if its content is refused, so the
        // worker's later messages are not stuck behind it.
        putWorker(s, w.withNextSeq(w.nextSeq() + 1));
        DispatchOutcome content = content(s, w, m);
        if (content.ok()) {
            s.emit(new Event.WorkerMessageAccepted(m.worker(), m.seq(), m.message().name()));
            s.send(new InboundMessage.Accepted(m));
        } else {
            s.emit(new Event.WorkerMessageRefused(m.worker(), m.seq(), content.error().code(), content.message()));
        }
        return DispatchOutcome.OK;
    }

    /** The query endpoint a worker announced, if any. */
    public static Optional<String> endpoint(StateReader s, WorkerId id) {
        byte[] v = s.get(key(ENDPOINT, id.bytes()));
        return v == null ? Optional.empty() : Optional.of(new CanonicalReader(v).string(WorkerMessage.EndpointAnnounced.MAX_URL, "endpoint"));
    }

    private static DispatchOutcome content(BlockState s, WorkerRecord from, SignedWorkerMessage signed) {
        WorkerMessage message = signed.message();
        if (message instanceof WorkerMessage.JobResult || message instanceof WorkerMessage.JobFailed
                || message instanceof WorkerMessage.DeletionReceipt) {
            return cloister.chain.runtime.datamarket.DataMarket.workerMessage(s, from, signed);
        }
        if (message instanceof WorkerMessage.EndpointAnnounced e) {
            if (!(e.url().startsWith("http://") || e.url().startsWith("https://"))) {
                return DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "an endpoint is an http(s) URL");
            }
            s.put(key(ENDPOINT, from.info().identity().bytes()), new CanonicalWriter(64).string(e.url()).toByteArray());
            return DispatchOutcome.OK;
        }
        if (message instanceof WorkerMessage.CallSettled c) {
            return WasmContracts.settle(s, from, c, WasmContracts.SettledCalls.INSTANCE);
        }
        if (message instanceof WorkerMessage.Heartbeat || message instanceof WorkerMessage.BenchmarkReport) {
            return cloister.chain.runtime.computation.Computation.workerMessage(s, from, message);
        }
        if (message instanceof WorkerMessage.WorkReport r) {
            return cloister.chain.runtime.storage.StorageMarket.workReport(s, from, r);
        }
        if (!from.gatekeeper()) {
            return DispatchOutcome.fail(DispatchError.NOT_GATEKEEPER, message.name() + " may only come from a gatekeeper");
        }
        MasterKeys master = masterKeys(s);
        return switch (message) {
            case WorkerMessage.MasterKeyPublished p -> {
                int next = master.epochs().size();
                if (p.epoch() != next) {
                    yield DispatchOutcome.fail(DispatchError.KEY_CONFLICT, "master key epoch " + p.epoch() + ", expected " + next);
                }
                if (next > 0 && !master.pendingRotationBy().map(from.info().identity()::equals).orElse(false)) {
                    yield DispatchOutcome.fail(DispatchError.KEY_CONFLICT, "no rotation to epoch " + next + " is assigned to this gatekeeper");
                }
                DispatchOutcome shares = checkRecipients(s, p.shares(), gatekeepers(s), "gatekeeper");
                if (!shares.ok()) {
                    yield shares;
                }
                List<X25519PublicKey> epochs = new ArrayList<>(master.epochs());
                epochs.add(p.masterPublicKey());
                s.put(MASTER, new MasterKeys(epochs, Optional.empty()).encode());
                s.emit(new Event.MasterKeyPublished(p.epoch(), p.masterPublicKey()));
                yield DispatchOutcome.OK;
            }
            case WorkerMessage.MasterKeyShared share -> {
                if (master.currentEpoch() < 0) {
                    yield DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "there is no master key to share yet");
                }
                yield checkRecipients(s, List.of(share.share()), gatekeepers(s), "gatekeeper");
            }
            case WorkerMessage.ClusterKeyPublished c -> {
                Optional<ClusterRecord> cluster = cluster(s, c.cluster());
                if (cluster.isEmpty()) {
                    yield DispatchOutcome.fail(DispatchError.UNKNOWN_CLUSTER, "no cluster " + c.cluster());
                }
                Optional<X25519PublicKey> existing = cluster.get().publicKey();
                if (existing.isPresent() && !existing.get().equals(c.publicKey())) {
                    yield DispatchOutcome.fail(DispatchError.KEY_CONFLICT, "cluster " + c.cluster() + " already has another key");
                }
                DispatchOutcome deliveries = checkRecipients(s, c.deliveries(), cluster.get().workers(), "member of the cluster");
                if (!deliveries.ok()) {
                    yield deliveries;
                }
                // The same key again carries deliveries for workers that joined later; the event is for the key.
                if (existing.isEmpty()) {
                    putCluster(s, new ClusterRecord(c.cluster(), cluster.get().workers(), Optional.of(c.publicKey())));
                    s.emit(new Event.ClusterKeyPublished(c.cluster(), c.publicKey()));
                }
                yield DispatchOutcome.OK;
            }
            case WorkerMessage.ContractKeyPublished c -> {
                Optional<ContractRecord> contract = contract(s, c.contract());
                if (contract.isEmpty()) {
                    yield DispatchOutcome.fail(DispatchError.UNKNOWN_CONTRACT, "no contract " + c.contract().hex());
                }
                Optional<X25519PublicKey> existing = contract.get().publicKey();
                if (existing.isPresent() && !existing.get().equals(c.publicKey())) {
                    yield DispatchOutcome.fail(DispatchError.KEY_CONFLICT, "contract " + c.contract().hex() + " already has another key");
                }
                List<WorkerId> members = cluster(s, contract.get().cluster()).map(ClusterRecord::workers).orElse(List.of());
                DispatchOutcome deliveries = checkRecipients(s, c.deliveries(), members, "member of the contract's cluster");
                if (!deliveries.ok()) {
                    yield deliveries;
                }
                if (existing.isEmpty()) {
                    putContract(s, contract.get().withKey(c.publicKey()));
                }
                s.emit(new Event.ContractKeyPublished(c.contract(), c.publicKey(), c.deliveries().size()));
                yield DispatchOutcome.OK;
            }
            case WorkerMessage.EndpointAnnounced e -> throw new IllegalStateException("handled above");
            case WorkerMessage.CallSettled c -> throw new IllegalStateException("handled above");
            case WorkerMessage.WorkReport r -> throw new IllegalStateException("handled above");
            case WorkerMessage.JobResult r -> throw new IllegalStateException("handled above");
            case WorkerMessage.JobFailed f -> throw new IllegalStateException("handled above");
            case WorkerMessage.DeletionReceipt d -> throw new IllegalStateException("handled above");
            case WorkerMessage.Heartbeat h -> throw new IllegalStateException("handled above");
            case WorkerMessage.BenchmarkReport b -> throw new IllegalStateException("handled above");
        };
    }

    private static DispatchOutcome checkRecipients(BlockState s, List<KeyShare> shares, List<WorkerId> allowed, String what) {
        Set<WorkerId> ok = new HashSet<>(allowed);
        for (KeyShare share : shares) {
            if (!ok.contains(share.recipient())) {
                return DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "key share for " + share.recipient().hex() + ", not a " + what);
            }
        }
        return DispatchOutcome.OK;
    }

    // ---------------------------------------------------------------- governance

    /** The registry's governance calls; returns null for calls of other modules. */
    public static DispatchOutcome governance(BlockState s, GovernanceCall call) {
        return switch (call) {
            case GovernanceCall.AllowMeasurement a -> {
                DispatchOutcome o = allow(s, a.platformCode(), a.measurement());
                if (o.ok()) {
                    s.emit(new Event.MeasurementAllowed(a.platformCode(), cloister.common.Hex.encode(a.measurement())));
                }
                yield o;
            }
            case GovernanceCall.DisallowMeasurement d -> {
                if (platformOrNull(d.platformCode()) == null || s.get(allowKey(d.platformCode(), d.measurement())) == null) {
                    yield DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "that measurement is not on the allowlist");
                }
                s.delete(allowKey(d.platformCode(), d.measurement()));
                Measurement m = Measurement.of(Platform.ofCode(d.platformCode()), d.measurement());
                List<Measurement> list = new ArrayList<>(allowlist(s));
                list.remove(m);
                writeAllowlist(s, list);
                s.emit(new Event.MeasurementDisallowed(d.platformCode(), m.hex()));
                yield DispatchOutcome.OK;
            }
            case GovernanceCall.SetAttestationPolicy p -> {
                setPolicy(s, new AttestationPolicy(p.maxConfidenceLevel(), p.maxQuoteAgeMillis()));
                s.emit(new Event.AttestationPolicySet(p.maxConfidenceLevel(), p.maxQuoteAgeMillis()));
                yield DispatchOutcome.OK;
            }
            case GovernanceCall.AddGatekeeper g -> {
                Optional<WorkerRecord> w = worker(s, g.worker());
                if (w.isEmpty()) {
                    yield DispatchOutcome.fail(DispatchError.UNKNOWN_WORKER, "worker " + g.worker().hex() + " is not registered");
                }
                if (w.get().gatekeeper()) {
                    yield DispatchOutcome.fail(DispatchError.DUPLICATE, "worker " + g.worker().hex() + " is already a gatekeeper");
                }
                putWorker(s, w.get().asGatekeeper());
                List<WorkerId> list = new ArrayList<>(gatekeepers(s));
                list.add(g.worker());
                writeIds(s, GATEKEEPERS, list);
                s.emit(new Event.GatekeeperAdded(g.worker()));
                s.send(new InboundMessage.GatekeeperAdded(g.worker()));
                yield DispatchOutcome.OK;
            }
            case GovernanceCall.RotateMasterKey r -> {
                MasterKeys master = masterKeys(s);
                if (master.currentEpoch() < 0) {
                    yield DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "there is no master key to rotate yet");
                }
                if (master.pendingRotationBy().isPresent()) {
                    yield DispatchOutcome.fail(DispatchError.DUPLICATE, "a rotation is already pending");
                }
                WorkerId by = gatekeepers(s).get(0);
                int epoch = master.epochs().size();
                s.put(MASTER, new MasterKeys(master.epochs(), Optional.of(by)).encode());
                s.emit(new Event.MasterKeyRotationRequested(epoch, by));
                s.send(new InboundMessage.MasterKeyRotation(epoch, by));
                yield DispatchOutcome.OK;
            }
            case GovernanceCall.CreateCluster c -> {
                DispatchOutcome members = checkNewMembers(s, c.workers(), List.of());
                if (!members.ok()) {
                    yield members;
                }
                int id = clusterCount(s);
                s.put(CLUSTER_COUNT, new CanonicalWriter(4).u32(id + 1).toByteArray());
                putCluster(s, new ClusterRecord(id, c.workers(), Optional.empty()));
                s.emit(new Event.ClusterCreated(id, c.workers().size()));
                s.send(new InboundMessage.ClusterCreated(id, c.workers()));
                yield DispatchOutcome.OK;
            }
            case GovernanceCall.AddWorkerToCluster a -> {
                Optional<ClusterRecord> cluster = cluster(s, a.cluster());
                if (cluster.isEmpty()) {
                    yield DispatchOutcome.fail(DispatchError.UNKNOWN_CLUSTER, "no cluster " + a.cluster());
                }
                DispatchOutcome member = checkNewMembers(s, List.of(a.worker()), cluster.get().workers());
                if (!member.ok()) {
                    yield member;
                }
                List<WorkerId> workers = new ArrayList<>(cluster.get().workers());
                workers.add(a.worker());
                putCluster(s, new ClusterRecord(a.cluster(), workers, cluster.get().publicKey()));
                s.emit(new Event.WorkerJoinedCluster(a.cluster(), a.worker()));
                s.send(new InboundMessage.WorkerJoinedCluster(a.cluster(), a.worker()));
                yield DispatchOutcome.OK;
            }
            case GovernanceCall.DeploySystemContract d -> {
                if (!SYSTEM_CONTRACT_KINDS.contains(d.kind())) {
                    yield DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "no system contract '" + d.kind() + "' (known: "
                            + String.join(", ", SYSTEM_CONTRACT_KINDS.stream().sorted().toList()) + ")");
                }
                if (cluster(s, d.cluster()).isEmpty()) {
                    yield DispatchOutcome.fail(DispatchError.UNKNOWN_CLUSTER, "no cluster " + d.cluster());
                }
                int epoch = masterKeys(s).currentEpoch();
                if (epoch < 0) {
                    yield DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "no master key yet: add a gatekeeper first");
                }
                ContractId id = ContractId.system(d.kind(), d.cluster());
                if (contract(s, id).isPresent()) {
                    yield DispatchOutcome.fail(DispatchError.DUPLICATE, d.kind() + " is already deployed in cluster " + d.cluster());
                }
                addContract(s, new ContractRecord(id, d.kind(), d.cluster(), epoch, s.height(), Optional.empty(),
                        ContractRecord.NO_OWNER, Hash.ZERO));
                s.emit(new Event.ContractDeployed(id, d.kind(), d.cluster()));
                s.send(new InboundMessage.ContractDeployed(id, d.cluster(), d.kind(), epoch));
                yield DispatchOutcome.OK;
            }
            default -> null;
        };
    }

    private static DispatchOutcome checkNewMembers(BlockState s, List<WorkerId> add, List<WorkerId> existing) {
        Set<WorkerId> seen = new HashSet<>(existing);
        for (WorkerId w : add) {
            if (worker(s, w).isEmpty()) {
                return DispatchOutcome.fail(DispatchError.UNKNOWN_WORKER, "worker " + w.hex() + " is not registered");
            }
            if (!seen.add(w)) {
                return DispatchOutcome.fail(DispatchError.DUPLICATE, "worker " + w.hex() + " is already in the cluster");
            }
        }
        return DispatchOutcome.OK;
    }

    // ---------------------------------------------------------------- contracts (used by the contracts module)

    /** Records a command for a contract's workers; the content stays ciphertext. */
    public static DispatchOutcome pushCommand(BlockState s, AccountId sender, Hash txHash, ContractId contract, byte[] sealed) {
        if (contract(s, contract).isEmpty()) {
            return DispatchOutcome.fail(DispatchError.UNKNOWN_CONTRACT, "no contract " + contract.hex());
        }
        s.emit(new Event.CommandPushed(contract, sender, sealed.length));
        s.send(new InboundMessage.Command(contract, sender, txHash, sealed));
        return DispatchOutcome.OK;
    }

    // ---------------------------------------------------------------- state helpers

    private static DispatchOutcome allow(BlockState s, int platformCode, byte[] measurement) {
        Platform platform = platformOrNull(platformCode);
        if (platform == null) {
            return DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "unknown TEE platform code " + platformCode);
        }
        byte[] k = allowKey(platformCode, measurement);
        if (s.get(k) != null) {
            return DispatchOutcome.fail(DispatchError.DUPLICATE, "measurement is already on the allowlist");
        }
        s.put(k, new CanonicalWriter(8).u64(s.height()).toByteArray());
        List<Measurement> list = new ArrayList<>(allowlist(s));
        list.add(Measurement.of(platform, measurement));
        writeAllowlist(s, list);
        return DispatchOutcome.OK;
    }

    private static void writeAllowlist(BlockState s, List<Measurement> list) {
        CanonicalWriter w = new CanonicalWriter(8 + 66 * list.size()).u32(list.size());
        list.forEach(m -> w.u8(m.platform().code()).bytes(m.value()));
        s.put(key(ALLOW, new byte[] {0}), w.toByteArray());
    }

    private static void setPolicy(BlockState s, AttestationPolicy p) {
        s.put(POLICY, new CanonicalWriter(9).u8(p.maxConfidenceLevel()).u64(p.maxQuoteAgeMillis()).toByteArray());
    }

    private static void putWorker(BlockState s, WorkerRecord w) {
        s.put(key(WORKER, w.info().identity().bytes()), w.encode());
    }

    private static void putCluster(BlockState s, ClusterRecord c) {
        s.put(key(CLUSTER, new CanonicalWriter(4).u32(c.id()).toByteArray()), c.encode());
    }

    /** Records a new contract and lists it. */
    public static void addContract(BlockState s, ContractRecord c) {
        putContract(s, c);
        List<ContractId> all = new ArrayList<>(contracts(s));
        all.add(c.id());
        CanonicalWriter w = new CanonicalWriter(4 + 32 * all.size()).u32(all.size());
        all.forEach(x -> w.hash(x.hash()));
        s.put(CONTRACT_LIST, w.toByteArray());
    }

    public static void putContract(BlockState s, ContractRecord c) {
        s.put(key(CONTRACT, c.id().bytes()), c.encode());
    }

    private static byte[] allowKey(int platformCode, byte[] measurement) {
        // Prefix 1 + platform: never collides with the list key (prefix 0).
        byte[] tail = new byte[2 + measurement.length];
        tail[0] = 1;
        tail[1] = (byte) platformCode;
        System.arraycopy(measurement, 0, tail, 2, measurement.length);
        return key(ALLOW, tail);
    }

    private static byte[] key(byte[] prefix, byte[] tail) {
        byte[] k = Arrays.copyOf(prefix, prefix.length + tail.length);
        System.arraycopy(tail, 0, k, prefix.length, tail.length);
        return k;
    }

    private static List<WorkerId> readIds(StateReader s, byte[] key) {
        byte[] v = s.get(key);
        List<WorkerId> out = new ArrayList<>();
        if (v != null) {
            CanonicalReader r = new CanonicalReader(v);
            int n = r.u32("ids");
            for (int i = 0; i < n; i++) {
                out.add(WorkerId.of(r.fixed(32, "worker")));
            }
        }
        return out;
    }

    private static void writeIds(BlockState s, byte[] key, List<WorkerId> ids) {
        CanonicalWriter w = new CanonicalWriter(4 + 32 * ids.size()).u32(ids.size());
        ids.forEach(x -> w.fixed(x.bytes()));
        s.put(key, w.toByteArray());
    }
}
