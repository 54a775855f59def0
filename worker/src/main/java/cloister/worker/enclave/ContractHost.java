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
import cloister.proto.envelope.CommandEnvelope;
import cloister.worker.CommandOutcome;
import cloister.worker.EnclaveStatus;
import cloister.worker.enclave.contract.BlockContext;
import cloister.worker.enclave.contract.ContractResult;
import cloister.worker.enclave.contract.SystemContract;
import cloister.worker.enclave.contract.SystemContractKinds;
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

/**
 * Runs the contracts this worker hosts: those whose cluster includes it and whose secret it holds. Commands are
 * opened with the contract key ({@link CommandEnvelope}) and applied in block order; their outcomes are kept by
 * transaction hash.
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
    private static final byte[] COMMITMENT_DOMAIN = "cloister/state-commitment/v1".getBytes(StandardCharsets.US_ASCII);

    static final class Hosted {
        final ContractId id;
        final String kind;
        final int cluster;
        final EcdhKey key;
        final byte[] secret;
        final SystemContract contract;
        long commands;

        Hosted(ContractId id, String kind, int cluster, byte[] secret, SystemContract contract) {
            this.id = id;
            this.kind = kind;
            this.cluster = cluster;
            this.secret = secret;
            this.key = KeyDerivation.keyOf(secret);
            this.contract = contract;
        }
    }

    /** A command seen in block {@code height} at {@code timestamp}, waiting for its contract to be hosted here. */
    record Buffered(InboundMessage.Command command, long height, long timestamp) {}

    static final class Buffer {
        final ArrayDeque<Buffered> commands = new ArrayDeque<>();
        long bytes;
        boolean overflowed;
    }

    private final SystemContractKinds kinds;
    private final Hash genesisHash;
    /** Contract secrets this worker holds: derived (gatekeeper) or delivered. */
    final Map<ContractId, byte[]> secrets = new TreeMap<>();
    final LinkedHashMap<ContractId, Hosted> hosted = new LinkedHashMap<>();
    final LinkedHashMap<ContractId, Buffer> buffers = new LinkedHashMap<>();
    final LinkedHashMap<Hash, CommandOutcome> outcomes = new LinkedHashMap<>(1024, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Hash, CommandOutcome> eldest) {
            return size() > MAX_OUTCOMES;
        }
    };

    ContractHost(SystemContractKinds kinds, Hash genesisHash) {
        this.kinds = kinds;
        this.genesisHash = genesisHash;
    }

    boolean hasSecret(ContractId id) {
        return secrets.containsKey(id);
    }

    void holdSecret(ContractId id, byte[] secret) {
        secrets.putIfAbsent(id, secret.clone());
    }

    /**
     * Starts hosting {@code c} if this worker is a member of its cluster, holds its secret, implements its kind and
     * has its whole command history; then replays the buffered commands.
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
        Optional<SystemContract> instance = kinds.create(c.kind);
        if (instance.isEmpty()) {
            return false;
        }
        Hosted h = new Hosted(c.id, c.kind, c.cluster, secret, instance.get());
        hosted.put(c.id, h);
        if (buffer != null) {
            buffers.remove(c.id);
            for (Buffered b : buffer.commands) {
                execute(h, b.command(), b.height(), b.timestamp());
            }
        }
        return true;
    }

    /** A command in block order: executed if hosted here, else kept for later (if this build could run it). */
    void onCommand(InboundMessage.Command command, NetworkView view, long height, long timestamp) {
        Hosted h = hosted.get(command.contract());
        if (h != null) {
            execute(h, command, height, timestamp);
            return;
        }
        NetworkView.Contract c = view.contracts.get(command.contract());
        if (c == null || !kinds.implementsKind(c.kind)) {
            return;
        }
        Buffer b = buffers.computeIfAbsent(command.contract(), k -> new Buffer());
        if (b.overflowed) {
            return;
        }
        int size = command.sealed().length;
        if (b.commands.size() >= MAX_BUFFERED_COMMANDS || b.bytes + size > MAX_BUFFERED_BYTES) {
            b.commands.clear();
            b.bytes = 0;
            b.overflowed = true;
            return;
        }
        b.commands.add(new Buffered(command, height, timestamp));
        b.bytes += size;
    }

    private void execute(Hosted h, InboundMessage.Command command, long height, long timestamp) {
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
        outcomes.put(c.txHash(), new CommandOutcome(c.txHash(), c.contract(), height, ok, code, message));
    }

    Optional<CommandOutcome> outcome(Hash txHash) {
        return Optional.ofNullable(outcomes.get(txHash));
    }

    Optional<ContractResult> query(ContractId id, AccountId caller, byte[] query) {
        Hosted h = hosted.get(id);
        return h == null ? Optional.empty() : Optional.of(h.contract.query(caller, query));
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
            return Hash.wrap(mac.doFinal(h.contract.stateHash().bytes()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    /** The state hash of a hosted contract (inside only: tests of determinism). */
    Optional<Hash> stateHash(ContractId id) {
        Hosted h = hosted.get(id);
        return h == null ? Optional.empty() : Optional.of(h.contract.stateHash());
    }

    // ---------------------------------------------------------------- checkpoint codec

    void write(CanonicalWriter w) {
        w.u32(secrets.size());
        secrets.forEach((id, s) -> w.hash(id.hash()).fixed(s));
        w.u32(hosted.size());
        for (Hosted h : hosted.values()) {
            w.hash(h.id.hash()).u64(h.commands).bytes(h.contract.snapshot());
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

    /** Restores into this (empty) host; {@code view} must be the restored view (it names kinds and clusters). */
    void read(CanonicalReader r, NetworkView view) {
        int n = r.u32("contract secrets");
        for (int i = 0; i < n; i++) {
            secrets.put(new ContractId(r.hash("contract")), r.fixed(32, "contract secret"));
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
            SystemContract instance = kinds.create(c.kind)
                    .orElseThrow(() -> new MalformedException("this build does not implement '" + c.kind + "'"));
            instance.restore(snapshot);
            Hosted h = new Hosted(id, c.kind, c.cluster, secret, instance);
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
                if (!(InboundMessage.decode(r.bytes(InboundMessage.MAX_COMMAND + 256, "command")) instanceof InboundMessage.Command c)) {
                    throw new MalformedException("a buffered message is not a command");
                }
                b.commands.add(new Buffered(c, height, ts));
                b.bytes += c.sealed().length;
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
