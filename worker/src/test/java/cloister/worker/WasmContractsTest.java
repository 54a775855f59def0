package cloister.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.common.Hash;
import cloister.crypto.DevKeys;
import cloister.crypto.Sha256;
import cloister.crypto.SigningKey;
import cloister.crypto.X25519PublicKey;
import cloister.proto.ContractId;
import cloister.proto.InboundMessage;
import cloister.proto.SignedWorkerMessage;
import cloister.proto.WorkerId;
import cloister.proto.WorkerMessage;
import cloister.proto.envelope.CommandEnvelope;
import cloister.proto.envelope.QueryEnvelope;
import cloister.worker.wasm.ExampleContract;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * WebAssembly contracts hosted by worker enclaves, end to end through the enclave boundary: code uploaded on chain,
 * a contract instantiated in a cluster of two workers, encrypted calls executed by both with identical state and
 * gas, queries, failures that change nothing, and the gas report the first worker of the cluster owes the chain.
 */
class WasmContractsTest {
    private static final SigningKey ALICE = DevKeys.get("alice");
    private static final SigningKey BOB = DevKeys.get("bob");
    private static final long GAS = 1_000_000;
    private final AtomicLong txCounter = new AtomicLong();

    private TestChain chain;
    private TestWorker gk;
    private TestWorker w1;
    private TestWorker w2;
    /** Every egress message seen accepted, with its sender, in order. */
    private final List<SignedWorkerMessage> accepted = new ArrayList<>();

    /** Syncs everyone and accepts everything they say, until nobody has anything more to say. */
    private void settle() {
        for (int round = 0; round < 10; round++) {
            List<SignedWorkerMessage> all = new ArrayList<>();
            for (TestWorker w : List.of(gk, w1, w2)) {
                all.addAll(w.sync(chain));
            }
            if (all.isEmpty()) {
                return;
            }
            accepted.addAll(all);
            chain.accept(all);
        }
        throw new AssertionError("the workers keep talking");
    }

    @BeforeEach
    void setUp() {
        chain = new TestChain();
        gk = new TestWorker().start(chain.genesisHash());
        w1 = new TestWorker().start(chain.genesisHash());
        w2 = new TestWorker().start(chain.genesisHash());
        chain.add(gk.registration(), w1.registration(), w2.registration());
        chain.add(new InboundMessage.GatekeeperAdded(gk.id()));
        settle();
        chain.add(new InboundMessage.ClusterCreated(0, List.of(w1.id(), w2.id())));
        settle();
    }

    private Hash tx() {
        return Sha256.hash(("tx " + txCounter.incrementAndGet()).getBytes(StandardCharsets.US_ASCII));
    }

    private Hash upload(byte[] code) {
        Hash codeHash = Sha256.hash(code);
        chain.add(new InboundMessage.CodeUploaded(codeHash, code));
        return codeHash;
    }

    /** Instantiates {@code code} in cluster 0 as {@code owner} would (without constructor arguments); settles. */
    private Instance instantiate(ExampleContract example, SigningKey owner) {
        Hash codeHash = upload(example.wasm());
        ContractId id = ContractId.wasm(owner.account(), codeHash, 0, new byte[] {1});
        Hash tx = tx();
        chain.add(new InboundMessage.ContractDeployed(id, 0, "wasm", 0),
                new InboundMessage.WasmInstantiated(id, codeHash, owner.account(), tx, new byte[0], GAS));
        settle();
        return new Instance(id, tx, contractKey(id));
    }

    private record Instance(ContractId id, Hash constructorTx, X25519PublicKey key) {}

    private X25519PublicKey contractKey(ContractId id) {
        for (SignedWorkerMessage m : accepted) {
            if (m.message() instanceof WorkerMessage.ContractKeyPublished c && c.contract().equals(id)) {
                return c.publicKey();
            }
        }
        throw new AssertionError("no key published for " + id);
    }

    private Hash call(Instance c, SigningKey sender, byte[] input, long gasLimit) {
        return callSealed(c, sender, CommandEnvelope.seal(c.key(), chain.genesisHash(), c.id(), sender.account(), input), gasLimit);
    }

    private Hash callSealed(Instance c, SigningKey sender, byte[] sealed, long gasLimit) {
        Hash tx = tx();
        chain.add(new InboundMessage.WasmCall(c.id(), sender.account(), tx, sealed, gasLimit));
        return tx;
    }

    private CommandOutcome outcome(TestWorker w, Hash tx) {
        return w.client.outcome(tx).orElseThrow(() -> new AssertionError("no outcome for " + tx));
    }

    private QueryEnvelope.Result query(TestWorker w, SigningKey caller, ContractId contract, byte[] query) {
        QueryEnvelope.Pending p = QueryEnvelope.seal(chain.genesisHash(), w.id(), w.info.ecdhKey(), caller, contract, query,
                TestWorker.RANDOM);
        return p.open(w.client.query(p.request()));
    }

    private byte[] answer(TestWorker w, SigningKey caller, ContractId contract, byte[] query) {
        QueryEnvelope.Result r = query(w, caller, contract, query);
        return assertInstanceOf(QueryEnvelope.Result.Answer.class, r, r.toString()).answer();
    }

    private static byte[] i64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    private static long i64(byte[] b) {
        assertEquals(8, b.length);
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private long counter(TestWorker w, Instance c) {
        return i64(answer(w, BOB, c.id(), new byte[0]));
    }

    private EnclaveStatus.HostedContract hosted(TestWorker w, ContractId id) {
        return w.client.status().hosted().stream().filter(h -> h.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError(w.id() + " does not host " + id));
    }

    private void assertSameState(ContractId id) {
        assertEquals(hosted(w1, id), hosted(w2, id), "both workers of the cluster reach the same state");
    }

    /** The gas reports accepted on chain, by transaction, with who sent them. */
    private List<SignedWorkerMessage> settlements(Hash tx) {
        return accepted.stream().filter(m -> m.message() instanceof WorkerMessage.CallSettled s && s.txHash().equals(tx)).toList();
    }

    @Test
    void bothWorkersOfTheClusterHostTheContractAndAgreeOnEveryCall() {
        Instance c = instantiate(ExampleContract.COUNTER, ALICE);
        for (TestWorker w : List.of(w1, w2)) {
            assertEquals("wasm", hosted(w, c.id()).kind());
        }
        assertTrue(gk.client.status().hosted().isEmpty(), "the gatekeeper is not in the cluster");

        Random random = new Random(42);
        List<Hash> calls = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            SigningKey sender = random.nextBoolean() ? ALICE : BOB;
            byte[] input = switch (random.nextInt(5)) {
                case 0 -> new byte[0];
                case 1 -> new byte[3];                           // reverts: bad input
                case 2 -> i64(Long.MAX_VALUE);                   // reverts on overflow once the count is positive
                default -> i64(random.nextInt(2001) - 1000);
            };
            long gas = random.nextInt(6) == 0 ? 1524 + random.nextInt(3000) : GAS; // sometimes too little
            calls.add(call(c, sender, input, gas));
            if (random.nextInt(4) == 0) {
                settle();
            }
        }
        settle();
        int ok = 0;
        for (Hash tx : calls) {
            CommandOutcome a = outcome(w1, tx);
            CommandOutcome b = outcome(w2, tx);
            assertEquals(a, b, "identical outcomes, gas included");
            assertTrue(a.gasUsed() > 0, a.toString());
            ok += a.ok() ? 1 : 0;
        }
        assertTrue(ok > 10 && ok < calls.size(), "a mix of successful and failed calls: " + ok);
        assertSameState(c.id());
        assertEquals(counter(w1, c), counter(w2, c));
        assertEquals(calls.size(), hosted(w1, c.id()).commands());
    }

    @Test
    void aCallChangesTheStateAndAQueryReadsIt() {
        Instance c = instantiate(ExampleContract.COUNTER, ALICE);
        assertEquals(0, counter(w1, c));
        Hash t1 = call(c, ALICE, new byte[0], GAS);
        Hash t2 = call(c, BOB, i64(41), GAS);
        settle();
        for (TestWorker w : List.of(w1, w2)) {
            assertEquals("OK", outcome(w, t1).code());
            assertTrue(outcome(w, t2).ok());
            assertEquals(42, counter(w, c));
        }
        assertSameState(c.id());
    }

    @Test
    void anOutOfGasCallUsesItsWholeLimitAndChangesNothing() {
        Instance c = instantiate(ExampleContract.COUNTER, ALICE);
        call(c, ALICE, i64(5), GAS);
        settle();
        EnclaveStatus.HostedContract before = hosted(w1, c.id());
        Hash starved = call(c, ALICE, i64(5), 2000);
        settle();
        for (TestWorker w : List.of(w1, w2)) {
            CommandOutcome o = outcome(w, starved);
            assertFalse(o.ok());
            assertEquals("OUT_OF_GAS", o.code());
            assertEquals(2000, o.gasUsed());
            assertEquals(5, counter(w, c));
        }
        assertEquals(before.stateCommitment(), hosted(w1, c.id()).stateCommitment());
        assertSameState(c.id());
        assertEquals(List.of(new WorkerMessage.CallSettled(starved, 2000)),
                settlements(starved).stream().map(SignedWorkerMessage::message).toList());
    }

    @Test
    void aTamperedOrMisdirectedCallIsRefusedWithoutStateChange() {
        Instance c = instantiate(ExampleContract.COUNTER, ALICE);
        call(c, ALICE, i64(7), GAS);
        settle();
        EnclaveStatus.HostedContract before = hosted(w1, c.id());
        byte[] good = CommandEnvelope.seal(c.key(), chain.genesisHash(), c.id(), ALICE.account(), i64(1000));
        byte[] tampered = good.clone();
        tampered[tampered.length - 3] ^= 0x40;
        Hash t1 = callSealed(c, ALICE, tampered, GAS);
        Hash t2 = callSealed(c, BOB, good, GAS); // alice's ciphertext in bob's transaction
        settle();
        for (TestWorker w : List.of(w1, w2)) {
            for (Hash t : List.of(t1, t2)) {
                CommandOutcome o = outcome(w, t);
                assertEquals("UNDECRYPTABLE", o.code());
                assertEquals(0, o.gasUsed(), "nothing ran");
            }
            assertEquals(7, counter(w, c));
        }
        assertEquals(before.stateCommitment(), hosted(w1, c.id()).stateCommitment());
        assertEquals(before.commands() + 2, hosted(w1, c.id()).commands());
        assertSameState(c.id());
    }

    @Test
    void theFirstWorkerOfTheClusterReportsEachCallsGasOnce() {
        Instance c = instantiate(ExampleContract.COUNTER, ALICE);
        List<Hash> calls = List.of(call(c, ALICE, new byte[0], GAS), call(c, BOB, new byte[5], GAS), call(c, BOB, i64(3), 1600));
        settle();
        WorkerId first = w1.id();
        for (Hash tx : calls) {
            List<SignedWorkerMessage> reports = settlements(tx);
            assertEquals(1, reports.size(), "one report per call: " + reports);
            assertEquals(first, reports.get(0).worker());
            assertEquals(outcome(w2, tx).gasUsed(), ((WorkerMessage.CallSettled) reports.get(0).message()).gasUsed());
        }
    }

    @Test
    void aRestartedWorkerKeepsTheContractsStateAndCode() {
        Instance c = instantiate(ExampleContract.COUNTER, ALICE);
        call(c, ALICE, i64(9), GAS);
        settle();
        w2.client.checkpoint();
        w2.start(chain.genesisHash());
        assertEquals(9, counter(w2, c));
        Hash next = call(c, BOB, new byte[0], GAS);
        settle();
        assertArrayEquals(new long[] {10, 10}, new long[] {counter(w1, c), counter(w2, c)});
        assertEquals(outcome(w1, next), outcome(w2, next));
        assertSameState(c.id());
    }
}
