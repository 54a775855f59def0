package cloister.chain.runtime.contracts;

import cloister.chain.runtime.BlockState;
import cloister.chain.runtime.DispatchOutcome;
import cloister.chain.runtime.balances.Balances;
import cloister.chain.runtime.registry.ClusterRecord;
import cloister.chain.runtime.registry.ContractRecord;
import cloister.chain.runtime.registry.Registry;
import cloister.chain.runtime.registry.WorkerRecord;
import cloister.chain.store.StateReader;
import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.crypto.Sha256;
import cloister.proto.CanonicalReader;
import cloister.proto.CanonicalWriter;
import cloister.proto.ContractId;
import cloister.proto.ContractsCall;
import cloister.proto.DispatchError;
import cloister.proto.Event;
import cloister.proto.InboundMessage;
import cloister.proto.WorkerMessage;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * The WebAssembly half of the {@code contracts} runtime module (state prefix 0x03): code stored by hash, instances
 * in clusters, upgrades by the owner, and gas. A call reserves {@code gasLimit × gasPrice} from its sender in the
 * gas escrow account; the first report of the gas used by a worker of the contract's cluster
 * ({@link WorkerMessage.CallSettled}) pays {@code gasUsed × gasPrice} to the treasury and refunds the rest. The
 * chain never sees the call's input or the contract's state: those are ciphertext for the contract's key.
 */
public final class WasmContracts {
    private static final byte[] CODE = {0x03, 0x10};
    private static final byte[] RESERVATION = {0x03, 0x20};
    /** Gas reservations are held here until settled. Nobody holds its key: it is a hash, not a key pair. */
    public static final AccountId GAS_ESCROW = AccountId.of(Sha256.digest("cloister/gas-escrow".getBytes(StandardCharsets.US_ASCII)));
    /** The smallest gas price (units per gas) the chain accepts. */
    public static final long MIN_GAS_PRICE = 1;
    /** The most gas one call may ask for. */
    public static final long MAX_GAS_LIMIT = 10_000_000_000L;

    private WasmContracts() {}

    /** A call's gas reservation, until a worker reports the gas used. */
    public record Reservation(AccountId payer, ContractId contract, long gasLimit, long gasPrice) {}

    public static Optional<byte[]> code(StateReader s, Hash codeHash) {
        return Optional.ofNullable(s.get(key(CODE, codeHash.bytes())));
    }

    public static Optional<Reservation> reservation(StateReader s, Hash txHash) {
        byte[] v = s.get(key(RESERVATION, txHash.bytes()));
        if (v == null) {
            return Optional.empty();
        }
        CanonicalReader r = new CanonicalReader(v);
        return Optional.of(new Reservation(r.account("payer"), new ContractId(r.hash("contract")), r.u64("gas limit"), r.u64("gas price")));
    }

    public static DispatchOutcome dispatch(BlockState s, AccountId sender, Hash txHash, ContractsCall call) {
        return switch (call) {
            case ContractsCall.PushCommand c -> Registry.pushCommand(s, sender, txHash, c.contract(), c.sealed());
            case ContractsCall.UploadCode u -> upload(s, u.code());
            case ContractsCall.Instantiate i -> instantiate(s, sender, txHash, i);
            case ContractsCall.Upgrade u -> upgrade(s, sender, u.contract(), u.codeHash());
            case ContractsCall.CallContract c -> call(s, sender, txHash, c);
        };
    }

    private static DispatchOutcome upload(BlockState s, byte[] code) {
        // The same check the workers' engine applies before running anything: what the chain accepts, workers run.
        var check = cloister.chain.wasm.WasmModuleCheck.check(code, ContractsCall.MAX_CODE);
        if (!check.isValid()) {
            return DispatchOutcome.fail(DispatchError.INVALID_CODE, check.reason().code() + ": " + check.message());
        }
        Hash hash = Sha256.hash(code);
        if (code(s, hash).isPresent()) {
            return DispatchOutcome.fail(DispatchError.DUPLICATE, "code " + hash.hex() + " is already uploaded");
        }
        s.put(key(CODE, hash.bytes()), code);
        s.emit(new Event.CodeUploaded(hash, code.length));
        s.send(new InboundMessage.CodeUploaded(hash, code));
        return DispatchOutcome.OK;
    }

    private static DispatchOutcome instantiate(BlockState s, AccountId sender, Hash txHash, ContractsCall.Instantiate i) {
        if (code(s, i.codeHash()).isEmpty()) {
            return DispatchOutcome.fail(DispatchError.UNKNOWN_CODE, "no code " + i.codeHash().hex() + " (upload it first)");
        }
        Optional<ClusterRecord> cluster = Registry.cluster(s, i.cluster());
        if (cluster.isEmpty()) {
            return DispatchOutcome.fail(DispatchError.UNKNOWN_CLUSTER, "no cluster " + i.cluster());
        }
        int epoch = Registry.masterKeys(s).currentEpoch();
        if (epoch < 0) {
            return DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "no master key yet: the network has no gatekeeper");
        }
        if (i.sealedArgs().length > 0 && cluster.get().publicKey().isEmpty()) {
            return DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "cluster " + i.cluster() + " has no public key yet to seal arguments to");
        }
        ContractId id = ContractId.wasm(sender, i.codeHash(), i.cluster(), i.salt());
        if (Registry.contract(s, id).isPresent()) {
            return DispatchOutcome.fail(DispatchError.DUPLICATE, "contract " + id.hex() + " exists: use another salt");
        }
        DispatchOutcome reserved = reserve(s, sender, txHash, id, i.gasLimit(), i.gasPrice());
        if (!reserved.ok()) {
            return reserved;
        }
        Registry.addContract(s, new ContractRecord(id, ContractRecord.WASM, i.cluster(), epoch, s.height(), Optional.empty(), sender,
                i.codeHash()));
        s.emit(new Event.ContractInstantiated(id, i.codeHash(), sender, i.cluster()));
        // The gatekeeper derives and delivers the key on ContractDeployed, as for system contracts.
        s.send(new InboundMessage.ContractDeployed(id, i.cluster(), ContractRecord.WASM, epoch));
        s.send(new InboundMessage.WasmInstantiated(id, i.codeHash(), sender, txHash, i.sealedArgs(), i.gasLimit()));
        return DispatchOutcome.OK;
    }

    private static DispatchOutcome upgrade(BlockState s, AccountId sender, ContractId id, Hash codeHash) {
        Optional<ContractRecord> c = Registry.contract(s, id);
        if (c.isEmpty() || !c.get().isWasm()) {
            return DispatchOutcome.fail(DispatchError.UNKNOWN_CONTRACT, "no WebAssembly contract " + id.hex());
        }
        if (!c.get().owner().equals(sender)) {
            return DispatchOutcome.fail(DispatchError.NOT_OWNER, "only the owner " + c.get().owner().address() + " may upgrade the contract");
        }
        if (code(s, codeHash).isEmpty()) {
            return DispatchOutcome.fail(DispatchError.UNKNOWN_CODE, "no code " + codeHash.hex() + " (upload it first)");
        }
        Registry.putContract(s, c.get().withCode(codeHash));
        s.emit(new Event.ContractUpgraded(id, codeHash));
        s.send(new InboundMessage.ContractUpgraded(id, codeHash));
        return DispatchOutcome.OK;
    }

    private static DispatchOutcome call(BlockState s, AccountId sender, Hash txHash, ContractsCall.CallContract c) {
        Optional<ContractRecord> contract = Registry.contract(s, c.contract());
        if (contract.isEmpty() || !contract.get().isWasm()) {
            return DispatchOutcome.fail(DispatchError.UNKNOWN_CONTRACT, "no WebAssembly contract " + c.contract().hex());
        }
        DispatchOutcome reserved = reserve(s, sender, txHash, c.contract(), c.gasLimit(), c.gasPrice());
        if (!reserved.ok()) {
            return reserved;
        }
        s.send(new InboundMessage.WasmCall(c.contract(), sender, txHash, c.sealed(), c.gasLimit()));
        return DispatchOutcome.OK;
    }

    private static DispatchOutcome reserve(BlockState s, AccountId payer, Hash txHash, ContractId contract, long gasLimit, long gasPrice) {
        if (gasPrice < MIN_GAS_PRICE) {
            return DispatchOutcome.fail(DispatchError.GAS_PRICE_TOO_LOW, "gas price " + gasPrice + " is below the minimum " + MIN_GAS_PRICE);
        }
        if (gasLimit <= 0 || gasLimit > MAX_GAS_LIMIT) {
            return DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "gas limit must be 1.." + MAX_GAS_LIMIT);
        }
        long amount;
        try {
            amount = Math.multiplyExact(gasLimit, gasPrice);
        } catch (ArithmeticException e) {
            return DispatchOutcome.fail(DispatchError.OVERFLOW, "gas limit × gas price overflows");
        }
        DispatchOutcome moved = Balances.move(s, payer, GAS_ESCROW, amount);
        if (!moved.ok()) {
            return DispatchOutcome.fail(moved.error(), "cannot reserve gas: " + moved.message());
        }
        s.put(key(RESERVATION, txHash.bytes()), new CanonicalWriter(96).account(payer).hash(contract.hash()).u64(gasLimit).u64(gasPrice)
                .toByteArray());
        s.emit(new Event.ContractCalled(contract, payer, gasLimit, amount));
        return DispatchOutcome.OK;
    }

    /**
     * A worker's report of a call: the first one from a worker of the contract's cluster settles it — gas fee and
     * refund, the call's events published as {@link Event.ContractEmitted}, its transfers made from the contract's
     * account (all or none) — and every later report from the cluster must be byte-identical, or it is recorded as
     * {@link Event.SettlementMismatch}.
     */
    public static DispatchOutcome settle(BlockState s, WorkerRecord from, WorkerMessage.CallSettled m, SettledCalls settled) {
        Hash digest = digest(m);
        Optional<Reservation> r = reservation(s, m.txHash());
        if (r.isEmpty()) {
            Optional<SettledCalls.Settled> earlier = settled.get(s, m.txHash());
            if (earlier.isEmpty()) {
                return DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "no gas reservation for transaction " + m.txHash().hex());
            }
            if (!member(s, earlier.get().contract(), from)) {
                return DispatchOutcome.fail(DispatchError.BAD_ORIGIN, "only a worker of the contract's cluster reports its calls");
            }
            if (!earlier.get().digest().equals(digest)) {
                s.emit(new Event.SettlementMismatch(m.txHash(), from.info().identity(), m.gasUsed(), earlier.get().gasUsed()));
            }
            return DispatchOutcome.OK;
        }
        Reservation res = r.get();
        if (!member(s, res.contract(), from)) {
            return DispatchOutcome.fail(DispatchError.BAD_ORIGIN, "only a worker of the contract's cluster reports its calls");
        }
        if (m.gasUsed() > res.gasLimit()) {
            return DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "gas used " + m.gasUsed() + " exceeds the limit " + res.gasLimit());
        }
        long fee = m.gasUsed() * res.gasPrice();
        long refund = (res.gasLimit() - m.gasUsed()) * res.gasPrice();
        if (fee > 0) {
            Balances.move(s, GAS_ESCROW, cloister.chain.runtime.system.SystemParams.TREASURY, fee);
        }
        if (refund > 0) {
            Balances.move(s, GAS_ESCROW, res.payer(), refund);
        }
        s.delete(key(RESERVATION, m.txHash().bytes()));
        settled.record(s, m.txHash(), new SettledCalls.Settled(res.contract(), m.gasUsed(), digest, s.height()));
        s.emit(new Event.GasSettled(m.txHash(), m.gasUsed(), fee, refund));
        for (int i = 0; i < m.events().size(); i++) {
            WorkerMessage.PublishedEvent e = m.events().get(i);
            s.emit(new Event.ContractEmitted(res.contract(), m.txHash(), i, e.isPublic(), e.data()));
        }
        payOut(s, res.contract(), m);
        return DispatchOutcome.OK;
    }

    /** The account of a contract: its id's 32 bytes. No key pair has it; only calls of the contract move its balance. */
    public static AccountId accountOf(ContractId contract) {
        return AccountId.of(contract.bytes());
    }

    private static void payOut(BlockState s, ContractId contract, WorkerMessage.CallSettled m) {
        if (m.transfers().isEmpty()) {
            return;
        }
        AccountId account = accountOf(contract);
        long total = 0;
        for (WorkerMessage.Payout p : m.transfers()) {
            total = p.amount() > Long.MAX_VALUE - total ? Long.MAX_VALUE : total + p.amount(); // saturates: refused below
        }
        long balance = Balances.account(s, account).balance();
        if (balance < total || total == Long.MAX_VALUE) {
            s.emit(new Event.ContractTransfersRefused(contract, m.txHash(), "the contract's balance " + cloister.common.Tokens.display(balance)
                    + " does not cover its transfers of " + cloister.common.Tokens.display(total) + "; none was made"));
            return;
        }
        for (WorkerMessage.Payout p : m.transfers()) {
            Balances.move(s, account, p.to(), p.amount());
        }
    }

    private static boolean member(StateReader s, ContractId contract, WorkerRecord from) {
        return Registry.contract(s, contract).flatMap(c -> Registry.cluster(s, c.cluster()))
                .map(c -> c.workers().contains(from.info().identity())).orElse(false);
    }

    private static Hash digest(WorkerMessage.CallSettled m) {
        CanonicalWriter w = new CanonicalWriter(256);
        WorkerMessage.write(w, m);
        return Sha256.hash(w.toByteArray());
    }

    /** Settled calls by transaction: contract, gas and a digest of the report, so later reports can be compared. */
    public static final class SettledCalls {
        private static final byte[] SETTLED = {0x03, 0x21};
        public static final SettledCalls INSTANCE = new SettledCalls();

        /** @param height the block that settled the call: its events hold the call's published events */
        public record Settled(ContractId contract, long gasUsed, Hash digest, long height) {}

        private SettledCalls() {}

        public Optional<Long> gasUsed(StateReader s, Hash txHash) {
            return get(s, txHash).map(Settled::gasUsed);
        }

        public Optional<Settled> get(StateReader s, Hash txHash) {
            byte[] v = s.get(key(SETTLED, txHash.bytes()));
            if (v == null) {
                return Optional.empty();
            }
            CanonicalReader r = new CanonicalReader(v);
            return Optional.of(new Settled(new ContractId(r.hash("contract")), r.u64("gas used"), r.hash("digest"), r.u64("height")));
        }

        void record(BlockState s, Hash txHash, Settled settled) {
            s.put(key(SETTLED, txHash.bytes()), new CanonicalWriter(80).hash(settled.contract().hash()).u64(settled.gasUsed())
                    .hash(settled.digest()).u64(settled.height()).toByteArray());
        }
    }

    private static byte[] key(byte[] prefix, byte[] tail) {
        byte[] k = Arrays.copyOf(prefix, prefix.length + tail.length);
        System.arraycopy(tail, 0, k, prefix.length, tail.length);
        return k;
    }
}
