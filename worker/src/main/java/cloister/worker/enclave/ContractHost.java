package cloister.worker.enclave;

import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.crypto.EcdhKey;
import cloister.crypto.HpkeException;
import cloister.proto.CanonicalReader;
import cloister.proto.CanonicalWriter;
import cloister.proto.ContractId;
import cloister.proto.InboundMessage;
import cloister.proto.MalformedException;
import cloister.proto.WorkerId;
import cloister.proto.WorkerMessage;
import cloister.proto.envelope.CommandEnvelope;
import cloister.proto.envelope.ConstructorEnvelope;
import cloister.proto.envelope.EventEnvelope;
import cloister.worker.CommandOutcome;
import cloister.worker.EnclaveStatus;
import cloister.worker.enclave.contract.BlockContext;
import cloister.worker.enclave.contract.ContractResult;
import cloister.worker.enclave.contract.SystemContract;
import cloister.worker.enclave.contract.SystemContractKinds;
import cloister.worker.wasm.CallContext;
import cloister.worker.wasm.CallResult;
import cloister.worker.wasm.ContractEvent;
import cloister.worker.wasm.Entry;
import cloister.worker.wasm.WasmEngine;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the contracts this worker hosts: those whose cluster includes it and whose secret it holds. Commands are
 * opened with the contract key ({@link CommandEnvelope}) and applied in block order; their outcomes are kept by
 * transaction hash.
 *
 * <p>Two sorts of contract: system contracts ({@link SystemContract}, Java in the worker) and WebAssembly contracts
 * (kind {@value WasmContract#KIND}: a {@link WasmContract} run by the {@link WasmEngine} with the code the
 * {@link NetworkView} holds). For the latter, {@code WasmInstantiated}, {@code ContractUpgraded} and
 * {@code WasmCall} go through the same path as commands (buffered in order alongside them). A call runs
 * {@link Entry#CALL} with the call's gas limit; its writes apply only if it ends {@code OK}; its outcome records the
 * status and gas used. Every worker of the contract's cluster then reports the call on chain
 * ({@link WorkerMessage.CallSettled}, collected by {@link #takeSettlements()}: gas, and for an {@code OK} call its
 * events, private ones sealed to the contract key by {@link EventEnvelope}, and transfers): the first report settles
 * the caller's gas, the others must match it byte for byte, so a worker that is down does not block settlement and
 * one that computes something else is caught. Queries run
 * {@link Entry#QUERY} with {@value #QUERY_GAS_LIMIT} gas and the engine's wall-time cap.
 *
 * <p>Every worker syncs from genesis, so it sees every command ever sent. Commands of a contract it does not (yet)
 * host are kept, still encrypted, until it does — a worker added to a cluster later, or whose key delivery comes
 * some blocks after the first commands, then replays them with their original block context and reaches the same
 * state as the others. The buffer is bounded per contract ({@value #MAX_BUFFERED_COMMANDS} commands, 16 MiB); past
 * the bound the history is incomplete and the worker will not host that contract (it would diverge) — getting a
 * contract's state from the cluster's other workers is future work.
 */
final class ContractHost {
    static final int MAX_BUFFERED_COMMANDS = 4096;
    static final long MAX_BUFFERED_BYTES = 16L * 1024 * 1024;
    static final int MAX_OUTCOMES = 100_000;
    /**
     * The gas a query of a WebAssembly contract may use. Queries are free (nobody pays for them), so this and the
     * engine's wall-time cap (2 s by default) bound the work one query can cost a worker: 10^8 gas is about 1.5 s of
     * Chicory's interpreter, well under 0.1 s compiled (docs/contract-abi.md, "rough speed").
     */
    static final long QUERY_GAS_LIMIT = 100_000_000L;
    private static final Logger LOG = LoggerFactory.getLogger(ContractHost.class);
    private static final byte[] COMMITMENT_DOMAIN = "cloister/state-commitment/v1".getBytes(StandardCharsets.US_ASCII);

    static final class Hosted {
        final ContractId id;
        final String kind;
        final int cluster;
        final EcdhKey key;
        final byte[] secret;
        /** A system contract, or null for a WebAssembly contract. */
        final SystemContract contract;
        /** A WebAssembly contract, or null for a system contract. */
        final WasmContract wasm;
        /** WebAssembly only: the cluster's key, which opens constructor arguments. */
        final EcdhKey clusterKey;
        long commands;

        Hosted(ContractId id, String kind, int cluster, byte[] secret, SystemContract contract) {
            this(id, kind, cluster, secret, contract, null, null);
        }

        Hosted(ContractId id, int cluster, byte[] secret, WasmContract wasm, byte[] clusterSecret) {
            this(id, WasmContract.KIND, cluster, secret, null, wasm, KeyDerivation.keyOf(clusterSecret));
        }

        private Hosted(ContractId id, String kind, int cluster, byte[] secret, SystemContract contract, WasmContract wasm,
                       EcdhKey clusterKey) {
            this.id = id;
            this.kind = kind;
            this.cluster = cluster;
            this.secret = secret;
            this.key = KeyDerivation.keyOf(secret);
            this.contract = contract;
            this.wasm = wasm;
            this.clusterKey = clusterKey;
        }

        Hash stateHash() {
            return wasm != null ? wasm.stateHash() : contract.stateHash();
        }

        byte[] snapshot() {
            return wasm != null ? wasm.snapshot() : contract.snapshot();
        }
    }

    /**
     * A message for a contract seen in block {@code height} at {@code timestamp}, waiting for the contract to be
     * hosted here: a {@code Command}, or for WebAssembly a {@code WasmInstantiated}, {@code ContractUpgraded} or
     * {@code WasmCall}.
     */
    record Buffered(InboundMessage command, long height, long timestamp) {}

    static final class Buffer {
        final ArrayDeque<Buffered> commands = new ArrayDeque<>();
        long bytes;
        boolean overflowed;
    }

    private final SystemContractKinds kinds;
    private final Hash genesisHash;
    private final WorkerId me;
    private final NetworkView view;
    private final WasmEngine engine;
    /** Gas reports owed to the chain, in execution order; the runtime signs them into egress after each block. */
    private final List<WorkerMessage> settlements = new ArrayList<>();
    /** Contract secrets this worker holds: derived (gatekeeper) or delivered. */
    final Map<ContractId, byte[]> secrets = new TreeMap<>();
    /** Cluster secrets this worker holds (its own clusters): derived (gatekeeper) or delivered. */
    final Map<Integer, byte[]> clusterSecrets = new TreeMap<>();
    final LinkedHashMap<ContractId, Hosted> hosted = new LinkedHashMap<>();
    final LinkedHashMap<ContractId, Buffer> buffers = new LinkedHashMap<>();
    final LinkedHashMap<Hash, CommandOutcome> outcomes = new LinkedHashMap<>(1024, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Hash, CommandOutcome> eldest) {
            return size() > MAX_OUTCOMES;
        }
    };

    ContractHost(SystemContractKinds kinds, Hash genesisHash, WorkerId me, NetworkView view, WasmEngine engine) {
        this.kinds = kinds;
        this.genesisHash = genesisHash;
        this.me = me;
        this.view = view;
        this.engine = engine;
    }

    /** Whether this build can run contracts of {@code kind}. */
    boolean runs(String kind) {
        return WasmContract.KIND.equals(kind) || kinds.implementsKind(kind);
    }

    /** The gas reports owed since the last call, in order; clears them. */
    List<WorkerMessage> takeSettlements() {
        List<WorkerMessage> out = List.copyOf(settlements);
        settlements.clear();
        return out;
    }

    boolean hasSecret(ContractId id) {
        return secrets.containsKey(id);
    }

    void holdSecret(ContractId id, byte[] secret) {
        secrets.putIfAbsent(id, secret.clone());
    }

    boolean hasClusterSecret(int cluster) {
        return clusterSecrets.containsKey(cluster);
    }

    void holdClusterSecret(int cluster, byte[] secret) {
        clusterSecrets.putIfAbsent(cluster, secret.clone());
    }

    /**
     * Starts hosting {@code c} if this worker is a member of its cluster, holds its secret (and for WebAssembly its
     * cluster's secret, for the constructor's arguments), implements its kind and has its whole command history; then
     * replays the buffered commands.
     *
     * @return whether it is hosted now
     */
    boolean tryHost(NetworkView.Contract c, boolean member) {
        if (hosted.containsKey(c.id)) {
            return true;
        }
        byte[] secret = secrets.get(c.id);
        Buffer buffer = buffers.get(c.id);
        if (!member || secret == null || (buffer != null && buffer.overflowed)) {
            return false;
        }
        Hosted h;
        if (WasmContract.KIND.equals(c.kind)) {
            byte[] clusterSecret = clusterSecrets.get(c.cluster);
            if (clusterSecret == null) {
                return false;
            }
            h = new Hosted(c.id, c.cluster, secret, new WasmContract(), clusterSecret);
        } else {
            Optional<SystemContract> instance = kinds.create(c.kind);
            if (instance.isEmpty()) {
                return false;
            }
            h = new Hosted(c.id, c.kind, c.cluster, secret, instance.get());
        }
        hosted.put(c.id, h);
        if (buffer != null) {
            buffers.remove(c.id);
            for (Buffered b : buffer.commands) {
                execute(h, b.command(), b.height(), b.timestamp());
            }
        }
        return true;
    }

    /**
     * A message for a contract, in block order: a {@code Command}, {@code WasmInstantiated}, {@code ContractUpgraded}
     * or {@code WasmCall}. Executed if the contract is hosted here, else kept for later (if this build could run it).
     */
    void onCommand(InboundMessage command, long height, long timestamp) {
        ContractId contract = contractOf(command);
        Hosted h = hosted.get(contract);
        if (h != null) {
            execute(h, command, height, timestamp);
            return;
        }
        NetworkView.Contract c = view.contracts.get(contract);
        if (c == null || !runs(c.kind)) {
            return;
        }
        Buffer b = buffers.computeIfAbsent(contract, k -> new Buffer());
        if (b.overflowed) {
            return;
        }
        int size = sizeOf(command);
        if (b.commands.size() >= MAX_BUFFERED_COMMANDS || b.bytes + size > MAX_BUFFERED_BYTES) {
            b.commands.clear();
            b.bytes = 0;
            b.overflowed = true;
            return;
        }
        b.commands.add(new Buffered(command, height, timestamp));
        b.bytes += size;
    }

    private static ContractId contractOf(InboundMessage m) {
        return switch (m) {
            case InboundMessage.Command c -> c.contract();
            case InboundMessage.WasmInstantiated i -> i.contract();
            case InboundMessage.ContractUpgraded u -> u.contract();
            case InboundMessage.WasmCall c -> c.contract();
            default -> throw new IllegalArgumentException("not a contract message: " + m.getClass().getSimpleName());
        };
    }

    private static int sizeOf(InboundMessage m) {
        return switch (m) {
            case InboundMessage.Command c -> c.sealed().length;
            case InboundMessage.WasmInstantiated i -> i.sealedArgs().length;
            case InboundMessage.WasmCall c -> c.sealed().length;
            default -> 0;
        };
    }

    private void execute(Hosted h, InboundMessage message, long height, long timestamp) {
        if (h.wasm != null) {
            executeWasm(h, message, height, timestamp);
        } else if (message instanceof InboundMessage.Command c) {
            executeSystem(h, c, height, timestamp);
        }
    }

    private void executeSystem(Hosted h, InboundMessage.Command command, long height, long timestamp) {
        h.commands++;
        byte[] plain;
        try {
            plain = CommandEnvelope.open(h.key, genesisHash, command.contract(), command.sender(), command.sealed());
        } catch (HpkeException e) {
            record(command, height, false, "UNDECRYPTABLE", "the command does not open with the contract key: it was altered,"
                    + " encrypted for another contract or network, or sent by another account than the one that sealed it");
            return;
        }
        ContractResult r;
        try {
            r = h.contract.handle(command.sender(), plain, new BlockContext(height, timestamp, command.txHash()));
        } catch (RuntimeException e) {
            // A bug in a contract: its state may be inconsistent now, but every worker hits the same bug identically.
            r = ContractResult.reject("CONTRACT_ERROR", "the contract failed on this command");
        }
        switch (r) {
            case ContractResult.Ok ok -> record(command, height, true, "OK", "");
            case ContractResult.Rejected rej -> record(command, height, false, rej.code(), rej.message());
        }
    }

    private void record(InboundMessage.Command c, long height, boolean ok, String code, String message) {
        outcomes.put(c.txHash(), new CommandOutcome(c.txHash(), c.contract(), height, ok, code, message, 0));
    }

    // ---------------------------------------------------------------- WebAssembly

    private void executeWasm(Hosted h, InboundMessage message, long height, long timestamp) {
        switch (message) {
            case InboundMessage.WasmInstantiated i -> {
                h.wasm.codeHash = i.codeHash();
                h.commands++;
                byte[] args = new byte[0];
                if (i.sealedArgs().length > 0) {
                    try {
                        args = ConstructorEnvelope.open(h.clusterKey, genesisHash, i.contract(), i.owner(), i.sealedArgs());
                    } catch (HpkeException e) {
                        // The contract exists on chain but its constructor never ran: its state stays empty.
                        settle(h, i.txHash(), height, notRun(CallResult.Status.UNDECRYPTABLE, "the constructor arguments do not"
                                + " open with the cluster key: they were altered, sealed for another contract, cluster or network,"
                                + " or by another account than the owner"));
                        return;
                    }
                }
                CallResult r = run(h, Entry.INIT, i.owner(), args, height, timestamp, i.gasLimit());
                settle(h, i.txHash(), height, r);
            }
            case InboundMessage.ContractUpgraded u -> h.wasm.codeHash = u.codeHash(); // state kept
            case InboundMessage.WasmCall c -> {
                h.commands++;
                byte[] input;
                try {
                    input = CommandEnvelope.open(h.key, genesisHash, c.contract(), c.sender(), c.sealed());
                } catch (HpkeException e) {
                    settle(h, c.txHash(), height, notRun(CallResult.Status.UNDECRYPTABLE, UNDECRYPTABLE));
                    return;
                }
                CallResult r = run(h, Entry.CALL, c.sender(), input, height, timestamp, c.gasLimit());
                settle(h, c.txHash(), height, r);
            }
            default -> { }
        }
    }

    private static final String UNDECRYPTABLE = "the command does not open with the contract key: it was altered,"
            + " encrypted for another contract or network, or sent by another account than the one that sealed it";

    /**
     * Runs one entry of a hosted WebAssembly contract with the code it runs now, and applies the writes of a command
     * that ended {@code OK}. A failed call changes nothing.
     */
    private CallResult run(Hosted h, Entry entry, AccountId caller, byte[] input, long height, long time, long gasLimit) {
        byte[] code = h.wasm.codeHash == null ? null : view.codes.get(h.wasm.codeHash);
        if (code == null) {
            // Cannot happen on a chain that checks code exists before instantiate and upgrade; refuse, do not guess.
            return notRun(CallResult.Status.INVALID_MODULE, "this worker has no code " + h.wasm.codeHash);
        }
        CallResult r;
        try {
            r = engine.execute(code, entry, input, new CallContext(caller.bytes(), h.id.bytes(), height, time), h.wasm.storage, gasLimit);
        } catch (RuntimeException e) {
            LOG.warn("contract {}: the engine failed: {}", h.id, e.toString());
            return notRun(CallResult.Status.TRAP, "the worker failed to run the call");
        }
        if (r.ok() && entry != Entry.QUERY) {
            h.wasm.storage.apply(r.writes());
        }
        return r;
    }

    private static CallResult notRun(CallResult.Status status, String message) {
        return new CallResult(status, 0, new byte[0], List.of(), List.of(), List.of(), message);
    }

    /**
     * Records a WebAssembly call's outcome and owes the chain its report: gas, and for a call that ended {@code OK}
     * its events (private ones sealed to the contract key, deterministically) and transfers. Every member of the
     * cluster reports: the first report settles, the others confirm it, and a missing worker does not leave the
     * caller's gas reserved.
     */
    private void settle(Hosted h, Hash txHash, long height, CallResult r) {
        outcomes.put(txHash, new CommandOutcome(txHash, h.id, height, r.ok(), r.status().name(), r.message(), r.gasUsed()));
        NetworkView.Cluster cluster = view.clusters.get(h.cluster);
        if (cluster == null || !cluster.members.contains(me)) {
            return;
        }
        List<WorkerMessage.PublishedEvent> events = new ArrayList<>(r.events().size());
        for (int i = 0; i < r.events().size(); i++) {
            ContractEvent e = r.events().get(i);
            events.add(new WorkerMessage.PublishedEvent(e.isPublic(), e.isPublic() ? e.data()
                    : EventEnvelope.seal(h.key, h.secret, genesisHash, h.id, txHash, i, e.data())));
        }
        List<WorkerMessage.Payout> transfers = r.transfers().stream()
                .map(t -> new WorkerMessage.Payout(AccountId.of(t.to()), t.amount())).toList();
        settlements.add(new WorkerMessage.CallSettled(txHash, r.gasUsed(), events, transfers));
    }

    Optional<CommandOutcome> outcome(Hash txHash) {
        return Optional.ofNullable(outcomes.get(txHash));
    }

    Optional<ContractResult> query(ContractId id, AccountId caller, byte[] query) {
        Hosted h = hosted.get(id);
        if (h == null) {
            return Optional.empty();
        }
        if (h.wasm == null) {
            return Optional.of(h.contract.query(caller, query));
        }
        if (h.wasm.codeHash == null) {
            return Optional.of(ContractResult.reject("NOT_INSTANTIATED", "the contract is not instantiated here yet"));
        }
        CallResult r = run(h, Entry.QUERY, caller, query, view.height, view.time, QUERY_GAS_LIMIT);
        return Optional.of(r.ok() ? ContractResult.ok(r.output()) : ContractResult.reject(r.status().name(), r.message()));
    }

    /** How many contracts this worker hosts (what its heartbeats report). */
    int hostedCount() {
        return hosted.size();
    }

    List<EnclaveStatus.HostedContract> status() {
        List<EnclaveStatus.HostedContract> out = new ArrayList<>();
        for (Hosted h : hosted.values()) {
            out.add(new EnclaveStatus.HostedContract(h.id, h.kind, h.cluster, h.commands, commitment(h)));
        }
        return out;
    }

    /** HMAC-SHA256(contract secret, "cloister/state-commitment/v1" ‖ state hash): comparable, not brute-forceable. */
    private static Hash commitment(Hosted h) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(h.secret, "HmacSHA256"));
            mac.update(COMMITMENT_DOMAIN);
            return Hash.wrap(mac.doFinal(h.stateHash().bytes()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    /** The state hash of a hosted contract (inside only: tests of determinism). */
    Optional<Hash> stateHash(ContractId id) {
        Hosted h = hosted.get(id);
        return h == null ? Optional.empty() : Optional.of(h.stateHash());
    }

    // ---------------------------------------------------------------- checkpoint codec

    void write(CanonicalWriter w) {
        w.u32(secrets.size());
        secrets.forEach((id, s) -> w.hash(id.hash()).fixed(s));
        w.u32(clusterSecrets.size());
        clusterSecrets.forEach((id, s) -> w.u32(id).fixed(s));
        w.u32(hosted.size());
        for (Hosted h : hosted.values()) {
            w.hash(h.id.hash()).u64(h.commands).bytes(h.snapshot());
        }
        w.u32(buffers.size());
        buffers.forEach((id, b) -> {
            w.hash(id.hash()).bool(b.overflowed).u32(b.commands.size());
            for (Buffered c : b.commands) {
                w.u64(c.height()).u64(c.timestamp()).bytes(c.command().encode());
            }
        });
        w.u32(outcomes.size());
        outcomes.values().forEach(o -> o.write(w));
    }

    /** Restores into this (empty) host; its view must be the restored view (it names kinds and clusters). */
    void read(CanonicalReader r) {
        int n = r.u32("contract secrets");
        for (int i = 0; i < n; i++) {
            secrets.put(new ContractId(r.hash("contract")), r.fixed(32, "contract secret"));
        }
        n = r.u32("cluster secrets");
        for (int i = 0; i < n; i++) {
            clusterSecrets.put(r.u32("cluster"), r.fixed(32, "cluster secret"));
        }
        n = r.u32("hosted contracts");
        for (int i = 0; i < n; i++) {
            ContractId id = new ContractId(r.hash("contract"));
            long commands = r.u64("commands");
            byte[] snapshot = r.bytes(Integer.MAX_VALUE - 16, "contract state");
            NetworkView.Contract c = view.contracts.get(id);
            byte[] secret = secrets.get(id);
            if (c == null || secret == null) {
                throw new MalformedException("hosted contract " + id + " without its record or secret");
            }
            Hosted h;
            if (WasmContract.KIND.equals(c.kind)) {
                byte[] clusterSecret = clusterSecrets.get(c.cluster);
                if (clusterSecret == null) {
                    throw new MalformedException("hosted contract " + id + " without its cluster's secret");
                }
                h = new Hosted(id, c.cluster, secret, WasmContract.restore(snapshot), clusterSecret);
            } else {
                SystemContract instance = kinds.create(c.kind)
                        .orElseThrow(() -> new MalformedException("this build does not implement '" + c.kind + "'"));
                instance.restore(snapshot);
                h = new Hosted(id, c.kind, c.cluster, secret, instance);
            }
            h.commands = commands;
            hosted.put(id, h);
        }
        n = r.u32("buffers");
        for (int i = 0; i < n; i++) {
            ContractId id = new ContractId(r.hash("contract"));
            Buffer b = new Buffer();
            b.overflowed = r.bool("overflowed");
            int m = r.u32("buffered");
            for (int j = 0; j < m; j++) {
                long height = r.u64("height");
                long ts = r.u64("timestamp");
                InboundMessage msg = InboundMessage.decode(r.bytes(InboundMessage.MAX_COMMAND + 1024, "command"));
                if (!(msg instanceof InboundMessage.Command || msg instanceof InboundMessage.WasmInstantiated
                        || msg instanceof InboundMessage.ContractUpgraded || msg instanceof InboundMessage.WasmCall)) {
                    throw new MalformedException("a buffered message is not for a contract");
                }
                b.commands.add(new Buffered(msg, height, ts));
                b.bytes += sizeOf(msg);
            }
            buffers.put(id, b);
        }
        n = r.u32("outcomes");
        for (int i = 0; i < n; i++) {
            CommandOutcome o = CommandOutcome.read(r);
            outcomes.put(o.txHash(), o);
        }
    }
}
