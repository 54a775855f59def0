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
import cloister.proto.KeyShare;
import cloister.proto.envelope.CommandEnvelope;
import cloister.proto.envelope.ConstructorEnvelope;
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
 * gas, queries, failures that change nothing, and the identical call reports every member owes the chain.
 */
class WasmContractsTest {
    private static final SigningKey ALICE = DevKeys.get("alice");
    private static final SigningKey BOB = DevKeys.get("bob");
    private static final SigningKey CHARLIE = DevKeys.get("charlie");
    private static final SigningKey DAVE = DevKeys.get("dave");
    private static final long GAS = 1_000_000;
    private final AtomicLong txCounter = new AtomicLong();

    private TestChain chain;
    private TestWorker gk;
    private TestWorker w1;
    private TestWorker w2;
    /** Registered, not in the cluster until a test adds it. */
    private TestWorker late;
    /** Every egress message seen accepted, with its sender, in order. */
    private final List<SignedWorkerMessage> accepted = new ArrayList<>();

    /** Syncs everyone and accepts everything they say, until nobody has anything more to say. */
    private void settle() {
        accepted.addAll(chain.settle(List.of(gk, w1, w2, late)));
    }

    @BeforeEach
    void setUp() {
        chain = new TestChain();
        gk = new TestWorker().start(chain.genesisHash());
        w1 = new TestWorker().start(chain.genesisHash());
        w2 = new TestWorker().start(chain.genesisHash());
        late = new TestWorker().start(chain.genesisHash());
        chain.add(gk.registration(), w1.registration(), w2.registration(), late.registration());
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

    /** Instantiates {@code example} in cluster 0 as {@code owner} would, without constructor arguments; settles. */
    private Instance instantiate(ExampleContract example, SigningKey owner) {
        return instantiate(example, owner, null);
    }

    /**
     * Instantiates {@code example} in cluster 0 as {@code owner} would, with {@code args} sealed to the cluster key as
     * the chain carries them (null: no arguments); settles.
     */
    private Instance instantiate(ExampleContract example, SigningKey owner, byte[] args) {
        Hash codeHash = upload(example.wasm());
        ContractId id = ContractId.wasm(owner.account(), codeHash, 0, new byte[] {1});
        byte[] sealed = args == null ? new byte[0] : ConstructorEnvelope.seal(clusterKey(0), chain.genesisHash(), id, owner.account(), args);
        return instantiateSealed(id, codeHash, owner, sealed);
    }

    /** Instantiates a module given as bytes in cluster 0, without constructor arguments; settles. */
    private Instance instantiateCode(byte[] code, SigningKey owner) {
        Hash codeHash = upload(code);
        return instantiateSealed(ContractId.wasm(owner.account(), codeHash, 0, new byte[] {1}), codeHash, owner, new byte[0]);
    }

    private Instance instantiateSealed(ContractId id, Hash codeHash, SigningKey owner, byte[] sealedArgs) {
        Hash tx = tx();
        chain.add(new InboundMessage.ContractDeployed(id, 0, "wasm", 0),
                new InboundMessage.WasmInstantiated(id, codeHash, owner.account(), tx, sealedArgs, GAS));
        settle();
        return new Instance(id, tx, contractKey(id));
    }

    private X25519PublicKey clusterKey(int cluster) {
        for (SignedWorkerMessage m : accepted) {
            if (m.message() instanceof WorkerMessage.ClusterKeyPublished c && c.cluster() == cluster) {
                return c.publicKey();
            }
        }
        throw new AssertionError("no key published for cluster " + cluster);
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
        assertEquals(calls.size() + 1, hosted(w1, c.id()).commands(), "the calls and the constructor");
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
        WorkerMessage.CallSettled starvedReport = new WorkerMessage.CallSettled(starved, 2000);
        assertEquals(List.of(starvedReport, starvedReport), settlements(starved).stream().map(SignedWorkerMessage::message).toList(),
                "both workers report the whole limit and nothing else");
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
    void everyWorkerOfTheClusterReportsEachCallIdentically() {
        Instance c = instantiate(ExampleContract.COUNTER, ALICE);
        List<Hash> calls = List.of(call(c, ALICE, new byte[0], GAS), call(c, BOB, new byte[5], GAS), call(c, BOB, i64(3), 1600));
        settle();
        for (Hash tx : calls) {
            List<SignedWorkerMessage> reports = settlements(tx);
            assertEquals(List.of(w1.id(), w2.id()), reports.stream().map(SignedWorkerMessage::worker).toList(), "one report per member");
            assertEquals(reports.get(0).message(), reports.get(1).message(), "byte-identical reports");
            assertEquals(outcome(w2, tx).gasUsed(), ((WorkerMessage.CallSettled) reports.get(0).message()).gasUsed());
        }
        // The counter publishes its new value as a public event.
        WorkerMessage.CallSettled ok = (WorkerMessage.CallSettled) settlements(calls.get(0)).get(0).message();
        assertEquals(List.of(new WorkerMessage.PublishedEvent(true, i64(1))), ok.events());
        WorkerMessage.CallSettled reverted = (WorkerMessage.CallSettled) settlements(calls.get(1)).get(0).message();
        assertTrue(reverted.events().isEmpty() && reverted.transfers().isEmpty(), "a failed call publishes nothing");
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

    @Test
    void theClusterGetsItsKeyDeliveredAndTheConstructorRunsWithTheSealedArguments() {
        WorkerMessage.ClusterKeyPublished published = accepted.stream().map(SignedWorkerMessage::message)
                .filter(WorkerMessage.ClusterKeyPublished.class::isInstance).map(WorkerMessage.ClusterKeyPublished.class::cast)
                .findFirst().orElseThrow();
        assertEquals(List.of(w1.id(), w2.id()), published.deliveries().stream().map(KeyShare::recipient).toList());

        Instance c = instantiate(ExampleContract.COUNTER, ALICE, i64(100));
        for (TestWorker w : List.of(w1, w2)) {
            CommandOutcome init = outcome(w, c.constructorTx());
            assertTrue(init.ok(), init.toString());
            assertTrue(init.gasUsed() > 0);
            assertEquals(100, counter(w, c));
        }
        assertEquals(List.of(w1.id(), w2.id()), settlements(c.constructorTx()).stream().map(SignedWorkerMessage::worker).toList(),
                "the constructor is reported by each member");
        call(c, BOB, i64(-1), GAS);
        settle();
        assertEquals(99, counter(w2, c));
        assertSameState(c.id());
    }

    @Test
    void constructorArgumentsThatDoNotOpenLeaveTheContractEmpty() {
        Hash codeHash = upload(ExampleContract.COUNTER.wasm());
        ContractId id = ContractId.wasm(ALICE.account(), codeHash, 0, new byte[] {1});
        // Sealed by bob but carried as alice's instantiation: the owner is the aad, so it does not open.
        byte[] sealed = ConstructorEnvelope.seal(clusterKey(0), chain.genesisHash(), id, BOB.account(), i64(100));
        Instance c = instantiateSealed(id, codeHash, ALICE, sealed);
        for (TestWorker w : List.of(w1, w2)) {
            CommandOutcome init = outcome(w, c.constructorTx());
            assertEquals("UNDECRYPTABLE", init.code());
            assertEquals(0, init.gasUsed());
            assertEquals(0, counter(w, c));
        }
        WorkerMessage.CallSettled notRun = new WorkerMessage.CallSettled(c.constructorTx(), 0);
        assertEquals(List.of(notRun, notRun), settlements(c.constructorTx()).stream().map(SignedWorkerMessage::message).toList());
    }

    @Test
    void theSealedBidAuctionRevealsOnlyTheWinnerAndPrice() {
        Instance auction = instantiate(ExampleContract.SEALED_BID_AUCTION, ALICE);
        Hash b1 = call(auction, BOB, bid(300), GAS);
        Hash b2 = call(auction, CHARLIE, bid(500), GAS);
        Hash b3 = call(auction, DAVE, bid(400), GAS);
        Hash twice = call(auction, BOB, bid(900), GAS);
        Hash notOwner = call(auction, BOB, new byte[] {2}, GAS);
        settle();
        for (Hash t : List.of(b1, b2, b3)) {
            assertTrue(outcome(w1, t).ok(), outcome(w1, t).toString());
        }
        assertEquals("REVERTED", outcome(w1, twice).code());
        assertEquals("you have already bid", outcome(w2, twice).message());
        assertEquals("only the owner can close", outcome(w2, notOwner).message());
        // While open: no result, and a bidder sees only their own bid; the owner sees no bid at all.
        assertEquals("REVERTED", refusal(w1, BOB, auction.id(), new byte[] {1}).code());
        assertEquals(300, i64(answer(w2, BOB, auction.id(), new byte[] {2})));
        assertEquals("REVERTED", refusal(w1, ALICE, auction.id(), new byte[] {2}).code());

        // Each bid is published as a private event: sealed to the contract key, so the chain holds only ciphertext.
        for (Hash t : List.of(b1, b2, b3)) {
            List<SignedWorkerMessage> reports = settlements(t);
            assertEquals(reports.get(0).message(), reports.get(1).message());
            WorkerMessage.PublishedEvent e = ((WorkerMessage.CallSettled) reports.get(0).message()).events().get(0);
            assertFalse(e.isPublic());
            assertEquals(40 + cloister.proto.envelope.EventEnvelope.OVERHEAD, e.data().length, "bidder ‖ amount, sealed");
            assertFalse(containsBytes(e.data(), BOB.account().bytes()) || containsBytes(e.data(), CHARLIE.account().bytes())
                    || containsBytes(e.data(), DAVE.account().bytes()), "no bidder in the clear");
        }

        Hash close = call(auction, ALICE, new byte[] {2}, GAS);
        settle();
        assertTrue(outcome(w1, close).ok());
        // Closing publishes "closed" ‖ winner ‖ price in the clear: the one thing the auction reveals.
        WorkerMessage.PublishedEvent closed = ((WorkerMessage.CallSettled) settlements(close).get(0).message()).events().get(0);
        assertTrue(closed.isPublic());
        byte[] expected = new byte[6 + 40];
        System.arraycopy("closed".getBytes(StandardCharsets.US_ASCII), 0, expected, 0, 6);
        System.arraycopy(CHARLIE.account().bytes(), 0, expected, 6, 32);
        System.arraycopy(i64(500), 0, expected, 38, 8);
        assertArrayEquals(expected, closed.data());
        for (TestWorker w : List.of(w1, w2)) {
            byte[] result = answer(w, ALICE, auction.id(), new byte[] {1});
            assertEquals(40, result.length);
            assertArrayEquals(CHARLIE.account().bytes(), java.util.Arrays.copyOf(result, 32), "the winner");
            assertEquals(500, i64(java.util.Arrays.copyOfRange(result, 32, 40)), "the price");
        }
        Hash tooLate = call(auction, DAVE, bid(1000), GAS);
        settle();
        assertEquals("the auction is closed", outcome(w2, tooLate).message());
        assertEquals(500, i64(java.util.Arrays.copyOfRange(answer(w1, BOB, auction.id(), new byte[] {1}), 32, 40)));
        assertSameState(auction.id());
    }

    @Test
    void aWorkerThatJoinsLaterGetsBothKeysAndReplaysTheHistory() {
        Instance c = instantiate(ExampleContract.COUNTER, ALICE, i64(10));
        Hash t1 = call(c, BOB, i64(5), GAS);
        settle();
        assertTrue(late.client.outcome(t1).isEmpty(), "not a member: nothing executed");
        chain.add(new InboundMessage.WorkerJoinedCluster(0, late.id()));
        settle();
        assertEquals(hosted(w1, c.id()), hosted(late, c.id()));
        assertEquals(outcome(w1, t1), outcome(late, t1));
        assertEquals(outcome(w1, c.constructorTx()), outcome(late, c.constructorTx()));
        assertEquals(15, counter(late, c));
        List<SignedWorkerMessage> reports = settlements(t1);
        assertEquals(3, reports.size(), "every member reports, the late one when it replays: " + reports);
        assertEquals(late.id(), reports.get(2).worker());
        assertEquals(reports.get(0).message(), reports.get(2).message(), "the replay reports exactly what the others did");
        List<WorkerMessage.ClusterKeyPublished> toLate = accepted.stream().map(SignedWorkerMessage::message)
                .filter(WorkerMessage.ClusterKeyPublished.class::isInstance).map(WorkerMessage.ClusterKeyPublished.class::cast)
                .filter(m -> m.deliveries().stream().anyMatch(d -> d.recipient().equals(late.id()))).toList();
        assertEquals(1, toLate.size());
        assertEquals(List.of(late.id()), toLate.get(0).deliveries().stream().map(KeyShare::recipient).toList());
        assertEquals(clusterKey(0), toLate.get(0).publicKey());
    }

    @Test
    void anUpgradeKeepsTheStateAndReplaysUseTheCodeOfTheirTime() {
        Instance c = instantiate(ExampleContract.COUNTER, ALICE, i64(1));
        Hash before = call(c, BOB, i64(2), GAS);
        // Upgraded to the vote contract's code (any other valid module): the counter's calls now run other code.
        Hash voteCode = upload(ExampleContract.PRIVATE_VOTE.wasm());
        chain.add(new InboundMessage.ContractUpgraded(c.id(), voteCode));
        Hash after = call(c, BOB, i64(2), GAS);
        settle();
        assertTrue(outcome(w1, before).ok());
        assertEquals(outcome(w1, after), outcome(w2, after));
        chain.add(new InboundMessage.WorkerJoinedCluster(0, late.id()));
        settle();
        assertEquals(outcome(w1, before), outcome(late, before), "replayed with the code current at the time");
        assertEquals(outcome(w1, after), outcome(late, after));
        assertEquals(hosted(w1, c.id()), hosted(late, c.id()));
    }

    private static byte[] bid(long amount) {
        return ByteBuffer.allocate(9).order(ByteOrder.LITTLE_ENDIAN).put((byte) 1).putLong(amount).array();
    }

    private QueryEnvelope.Result.Refused refusal(TestWorker w, SigningKey caller, ContractId contract, byte[] query) {
        QueryEnvelope.Result r = query(w, caller, contract, query);
        return assertInstanceOf(QueryEnvelope.Result.Refused.class, r, r.toString());
    }

    @Test
    void aRunawayContractDoesNotDisturbTheOtherContractsOnTheSameWorkers() {
        Instance counter = instantiate(ExampleContract.COUNTER, ALICE);
        // Writes a key, then by its first input byte: 1 loops forever, 2 grows memory to the cap, 3 divides by zero,
        // 4 hits unreachable. Its query reads the key (absent unless a write ever applied).
        Instance hostile = instantiateCode(cloister.worker.wasm.Contracts.module("""
                (data (i32.const 0) "k")
                (func (export "call") (local i32)
                  (call $storage_set (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 1))
                  (call $input_read (i32.const 16))
                  (local.set 0 (i32.load8_u (i32.const 16)))
                  (if (i32.eq (local.get 0) (i32.const 1)) (then (loop $l (br $l))))
                  (if (i32.eq (local.get 0) (i32.const 2))
                    (then (loop $g (br_if $g (i32.ne (memory.grow (i32.const 1)) (i32.const -1)))) unreachable))
                  (if (i32.eq (local.get 0) (i32.const 3)) (then (drop (i32.div_u (i32.const 1) (i32.const 0)))))
                  unreachable)
                (func (export "query")
                  (call $return_value (i32.const 32)
                    (call $storage_get (i32.const 0) (i32.const 1) (i32.const 32) (i32.const 8))))
                """), BOB);
        EnclaveStatus.HostedContract hostileBefore = hosted(w1, hostile.id());
        List<Hash> good = new ArrayList<>();
        List<Hash> bad = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            good.add(call(counter, ALICE, i64(1), GAS));
            for (int op = 1; op <= 4; op++) {
                bad.add(call(hostile, BOB, new byte[] {(byte) op}, GAS));
                good.add(call(counter, CHARLIE, i64(10), GAS));
            }
        }
        settle();
        List<String> expected = List.of("OUT_OF_GAS", "MEMORY_LIMIT", "TRAP", "TRAP", "OUT_OF_GAS", "MEMORY_LIMIT", "TRAP", "TRAP");
        for (TestWorker w : List.of(w1, w2)) {
            assertEquals(expected, bad.stream().map(t -> outcome(w, t).code()).toList());
            assertEquals(GAS, outcome(w, bad.get(0)).gasUsed(), "the loop used its whole limit");
            for (Hash t : good) {
                assertTrue(outcome(w, t).ok(), outcome(w, t).toString());
            }
            assertEquals(82, counter(w, counter), "every increment of the neighbour applied: 2 × (1 + 4 × 10)");
            assertEquals(hostileBefore.stateCommitment(), hosted(w, hostile.id()).stateCommitment(), "no failed call wrote anything");
        }
        assertSameState(counter.id());
        assertSameState(hostile.id());
    }

    private static boolean containsBytes(byte[] hay, byte[] needle) {
        return new String(hay, StandardCharsets.ISO_8859_1).contains(new String(needle, StandardCharsets.ISO_8859_1));
    }
}
