package cloister.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.common.Hash;
import cloister.crypto.DevKeys;
import cloister.crypto.Sha256;
import cloister.crypto.SigningKey;
import cloister.crypto.X25519PublicKey;
import cloister.proto.ContractId;
import cloister.proto.InboundMessage;
import cloister.proto.KeyShare;
import cloister.proto.SignedWorkerMessage;
import cloister.proto.WorkerMessage;
import cloister.proto.envelope.CommandEnvelope;
import cloister.proto.envelope.QueryEnvelope;
import cloister.proto.envelope.SecretNotesMessages;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Contract keys delivered to a cluster, commands executed identically by every member, secret-notes through the
 * command and query envelopes, and every refusal with its reason.
 */
class ContractsTest {
    private static final SigningKey ALICE = DevKeys.get("alice");
    private static final SigningKey BOB = DevKeys.get("bob");
    private static final SigningKey CHARLIE = DevKeys.get("charlie");
    private static final String CANARY = "canary-7f3e9 the vault code is 0451";
    private static final ContractId NOTES = ContractId.system("secret-notes", 0);
    private final AtomicLong txCounter = new AtomicLong();

    private TestChain chain;
    private TestWorker gk;
    private TestWorker w1;
    private TestWorker w2;
    private TestWorker late;
    private X25519PublicKey contractKey;

    /** Syncs everyone and accepts everything they say, until nobody has anything more to say. */
    private void settle() {
        chain.settle(List.of(gk, w1, w2, late)).stream().map(SignedWorkerMessage::message)
                .filter(WorkerMessage.ContractKeyPublished.class::isInstance)
                .map(m -> ((WorkerMessage.ContractKeyPublished) m).publicKey()).forEach(k -> contractKey = k);
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
        chain.add(new InboundMessage.ContractDeployed(NOTES, 0, "secret-notes", 0));
        settle();
    }

    private Hash command(SigningKey sender, byte[] sealed) {
        Hash tx = Sha256.hash(("tx " + txCounter.incrementAndGet()).getBytes(StandardCharsets.US_ASCII));
        chain.add(new InboundMessage.Command(NOTES, sender.account(), tx, sealed));
        return tx;
    }

    private byte[] seal(SigningKey sender, SecretNotesMessages.Command c) {
        return CommandEnvelope.seal(contractKey, chain.genesisHash(), NOTES, sender.account(), SecretNotesMessages.encode(c));
    }

    private Hash send(SigningKey sender, SecretNotesMessages.Command c) {
        return command(sender, seal(sender, c));
    }

    private CommandOutcome outcome(TestWorker w, Hash tx) {
        return w.client.outcome(tx).orElseThrow(() -> new AssertionError("no outcome for " + tx));
    }

    private QueryEnvelope.Result query(TestWorker w, SigningKey caller, ContractId contract) {
        QueryEnvelope.Pending p = QueryEnvelope.seal(chain.genesisHash(), w.id(), w.info.ecdhKey(), caller, contract,
                SecretNotesMessages.encode(new SecretNotesMessages.ListNotes()), TestWorker.RANDOM);
        return p.open(w.client.query(p.request()));
    }

    private List<SecretNotesMessages.Note> list(TestWorker w, SigningKey caller) {
        QueryEnvelope.Result r = query(w, caller, NOTES);
        return SecretNotesMessages.decodeNotes(assertInstanceOf(QueryEnvelope.Result.Answer.class, r, r.toString()).answer());
    }

    private static void assertRefused(String code, QueryEnvelope.Result r) {
        assertEquals(code, assertInstanceOf(QueryEnvelope.Result.Refused.class, r, r.toString()).code());
    }

    @Test
    void theClusterGetsTheContractKeyAndHostsTheContract() {
        assertTrue(contractKey != null, "the gatekeeper published the contract key");
        for (TestWorker w : List.of(w1, w2)) {
            EnclaveStatus s = w.client.status();
            assertEquals(List.of(0), s.clusters());
            assertEquals(1, s.hosted().size());
            assertEquals(NOTES, s.hosted().get(0).id());
        }
        assertTrue(gk.client.status().hosted().isEmpty(), "the gatekeeper is not in the cluster");
        assertTrue(late.client.status().hosted().isEmpty());
        assertTrue(gk.client.status().gatekeeper());
    }

    @Test
    void notesAreAddedSharedAndListedThroughTheEnvelopes() {
        Hash add = send(ALICE, new SecretNotesMessages.AddNote(CANARY));
        Hash other = send(BOB, new SecretNotesMessages.AddNote("bob's own"));
        settle();
        for (TestWorker w : List.of(w1, w2)) {
            assertTrue(outcome(w, add).ok());
            assertEquals("OK", outcome(w, other).code());
        }
        List<SecretNotesMessages.Note> aliceNotes = list(w1, ALICE);
        assertEquals(1, aliceNotes.size());
        assertEquals(CANARY, aliceNotes.get(0).text());
        assertEquals(ALICE.account(), aliceNotes.get(0).owner());
        long id = aliceNotes.get(0).id();
        assertEquals(List.of("bob's own"), list(w2, BOB).stream().map(SecretNotesMessages.Note::text).toList());
        assertTrue(list(w1, CHARLIE).isEmpty());

        Hash share = send(ALICE, new SecretNotesMessages.ShareNote(id, CHARLIE.account()));
        settle();
        assertTrue(outcome(w1, share).ok());
        List<SecretNotesMessages.Note> charlie = list(w2, CHARLIE);
        assertEquals(1, charlie.size());
        assertEquals(CANARY, charlie.get(0).text());
        assertEquals(ALICE.account(), charlie.get(0).owner());
        assertTrue(charlie.get(0).sharedWith().isEmpty(), "a reader does not see who else may read");
        assertEquals(List.of(CHARLIE.account()), list(w1, ALICE).get(0).sharedWith());

        // Bob cannot share or delete alice's note, and learns nothing from the refusal.
        Hash steal = send(BOB, new SecretNotesMessages.ShareNote(id, BOB.account()));
        Hash delete = send(BOB, new SecretNotesMessages.DeleteNote(id));
        Hash again = send(ALICE, new SecretNotesMessages.ShareNote(id, CHARLIE.account()));
        settle();
        assertEquals("UNKNOWN_NOTE", outcome(w1, steal).code());
        assertEquals("UNKNOWN_NOTE", outcome(w2, delete).code());
        assertEquals("ALREADY_SHARED", outcome(w2, again).code());
        assertEquals(1, list(w1, ALICE).size());
        assertSameState();
    }

    @Test
    void badCommandsAreRejectedWithAReasonAndChangeNothing() {
        send(ALICE, new SecretNotesMessages.AddNote("first"));
        settle();
        EnclaveStatus.HostedContract before = w1.client.status().hosted().get(0);

        byte[] good = seal(ALICE, new SecretNotesMessages.AddNote(CANARY));
        byte[] tampered = good.clone();
        tampered[tampered.length - 3] ^= 0x40;
        Hash t1 = command(ALICE, tampered);
        // The ciphertext alice sealed, copied into bob's transaction: it does not open for bob.
        Hash t2 = command(BOB, good);
        Hash t3 = command(ALICE, CommandEnvelope.seal(contractKey, chain.genesisHash(), NOTES, ALICE.account(), new byte[] {0x09, 1}));
        Hash t4 = command(ALICE, CommandEnvelope.seal(contractKey, chain.genesisHash(), ContractId.system("secret-notes", 1),
                ALICE.account(), SecretNotesMessages.encode(new SecretNotesMessages.AddNote("x"))));
        Hash t5 = command(ALICE, new byte[] {1, 2, 3});
        settle();
        for (TestWorker w : List.of(w1, w2)) {
            assertEquals("UNDECRYPTABLE", outcome(w, t1).code());
            assertEquals("UNDECRYPTABLE", outcome(w, t2).code());
            assertEquals("MALFORMED_COMMAND", outcome(w, t3).code());
            assertEquals("UNDECRYPTABLE", outcome(w, t4).code());
            assertEquals("UNDECRYPTABLE", outcome(w, t5).code());
            for (Hash t : List.of(t1, t2, t3, t4, t5)) {
                assertFalse(outcome(w, t).ok());
                assertFalse(outcome(w, t).message().contains("canary"), "outcomes never quote plaintext");
            }
        }
        EnclaveStatus.HostedContract after = w1.client.status().hosted().get(0);
        assertEquals(before.stateCommitment(), after.stateCommitment());
        assertEquals(before.commands() + 5, after.commands());
        assertEquals(List.of("first"), list(w1, ALICE).stream().map(SecretNotesMessages.Note::text).toList());
        assertTrue(w1.client.outcome(Hash.ZERO).isEmpty());
        assertSameState();
    }

    @Test
    void badQueriesAreRefusedWithReasons() {
        send(ALICE, new SecretNotesMessages.AddNote(CANARY));
        settle();
        byte[] list = SecretNotesMessages.encode(new SecretNotesMessages.ListNotes());

        // Tampered request: the worker cannot open it and answers a bare code.
        QueryEnvelope.Pending p = QueryEnvelope.seal(chain.genesisHash(), w1.id(), w1.info.ecdhKey(), ALICE, NOTES, list, TestWorker.RANDOM);
        byte[] req = p.request();
        req[req.length - 5] ^= 1;
        assertEquals(new QueryEnvelope.Result.Unauthenticated("BAD_REQUEST"), p.open(w1.client.query(req)));
        // Addressed to w2's key but sent to w1.
        QueryEnvelope.Pending toW2 = QueryEnvelope.seal(chain.genesisHash(), w2.id(), w2.info.ecdhKey(), ALICE, NOTES, list, TestWorker.RANDOM);
        assertEquals(new QueryEnvelope.Result.Unauthenticated("BAD_REQUEST"), toW2.open(w1.client.query(toW2.request())));

        // Mallory asks in alice's name: the request says caller alice, the signature is mallory's.
        byte[] nonce = new byte[QueryEnvelope.NONCE_LENGTH];
        QueryEnvelope.Request forged = QueryEnvelope.Request.sign(chain.genesisHash(), w1.id(), BOB, NOTES, list, nonce);
        QueryEnvelope.Request claimed = new QueryEnvelope.Request(NOTES, ALICE.account(), list, nonce, forged.signature());
        QueryEnvelope.Pending mallory = QueryEnvelope.seal(chain.genesisHash(), w1.id(), w1.info.ecdhKey(), claimed);
        assertRefused("BAD_QUERY_SIGNATURE", mallory.open(w1.client.query(mallory.request())));
        // A signature for w2 replayed to w1.
        QueryEnvelope.Request forW2 = QueryEnvelope.Request.sign(chain.genesisHash(), w2.id(), ALICE, NOTES, list, nonce);
        QueryEnvelope.Pending replay = QueryEnvelope.seal(chain.genesisHash(), w1.id(), w1.info.ecdhKey(), forW2);
        assertRefused("BAD_QUERY_SIGNATURE", replay.open(w1.client.query(replay.request())));

        assertRefused("UNKNOWN_CONTRACT", query(w1, ALICE, ContractId.system("secret-notes", 7)));
        assertRefused("NOT_HOSTED", query(gk, ALICE, NOTES));
        QueryEnvelope.Pending garbage = QueryEnvelope.seal(chain.genesisHash(), w1.id(), w1.info.ecdhKey(), ALICE, NOTES,
                new byte[] {0x55}, TestWorker.RANDOM);
        assertRefused("INVALID_QUERY", garbage.open(w1.client.query(garbage.request())));

        // The answer itself: altered, or opened as if from another worker, it does not verify.
        QueryEnvelope.Pending ok = QueryEnvelope.seal(chain.genesisHash(), w1.id(), w1.info.ecdhKey(), ALICE, NOTES, list, TestWorker.RANDOM);
        byte[] response = w1.client.query(ok.request());
        assertInstanceOf(QueryEnvelope.Result.Answer.class, ok.open(response));
        byte[] altered = response.clone();
        altered[20] ^= 1;
        assertInstanceOf(QueryEnvelope.Result.Invalid.class, ok.open(altered));
        QueryEnvelope.Pending sameKeyOtherWorker = QueryEnvelope.seal(chain.genesisHash(), w2.id(), w1.info.ecdhKey(), ALICE, NOTES,
                list, TestWorker.RANDOM);
        assertInstanceOf(QueryEnvelope.Result.Invalid.class, sameKeyOtherWorker.open(response));
        assertFalse(new String(response, StandardCharsets.ISO_8859_1).contains("canary"), "the answer travels encrypted");
    }

    @Test
    void aWorkerThatJoinsLaterReplaysTheHistoryAndReachesTheSameState() {
        send(ALICE, new SecretNotesMessages.AddNote(CANARY));
        Hash share = send(ALICE, new SecretNotesMessages.ShareNote(1, BOB.account()));
        send(BOB, new SecretNotesMessages.AddNote("second"));
        settle();
        assertTrue(late.client.outcome(share).isEmpty(), "not hosted yet: nothing executed");
        chain.add(new InboundMessage.WorkerJoinedCluster(0, late.id()));
        List<SignedWorkerMessage> delivery = gk.sync(chain);
        // The cluster's key first (for WebAssembly constructors), then the contract's.
        assertEquals(List.of(late.id()), assertInstanceOf(WorkerMessage.ClusterKeyPublished.class, delivery.get(0).message())
                .deliveries().stream().map(KeyShare::recipient).toList());
        WorkerMessage.ContractKeyPublished d = assertInstanceOf(WorkerMessage.ContractKeyPublished.class, delivery.get(1).message());
        assertEquals(List.of(late.id()), d.deliveries().stream().map(KeyShare::recipient).toList());
        assertEquals(contractKey, d.publicKey());
        chain.accept(delivery);
        settle();
        assertEquals(w1.client.status().hosted(), late.client.status().hosted());
        assertTrue(outcome(late, share).ok());
        assertEquals(2, list(late, BOB).size());
    }

    @Test
    void aRestartedWorkerResumesWithTheSameIdentityAndState() {
        send(ALICE, new SecretNotesMessages.AddNote(CANARY));
        settle();
        EnclaveStatus before = w1.client.status();
        w1.client.checkpoint();
        w1.start(chain.genesisHash());
        EnclaveStatus after = w1.client.status();
        assertEquals(before.identity(), after.identity());
        assertEquals(before.syncedHeight(), after.syncedHeight());
        assertEquals(before.hosted(), after.hosted());
        Hash next = send(BOB, new SecretNotesMessages.AddNote("after the restart"));
        settle();
        assertTrue(outcome(w1, next).ok());
        assertEquals(CANARY, list(w1, ALICE).get(0).text());
        assertSameState();
        // A crash without a checkpoint: the enclave resumes from an older checkpoint and replays to the same state.
        TestWorker crashed = w2;
        crashed.host.blobs().remove("state");
        crashed.start(chain.genesisHash());
        assertEquals(-1, crashed.synced());
        crashed.sync(chain);
        assertSameState();
        for (byte[] blob : crashed.host.blobs().values()) {
            assertFalse(new String(blob, StandardCharsets.ISO_8859_1).contains("canary"), "sealed blobs hold no plaintext");
        }
    }

    @Test
    void differentCommandsGiveDifferentStates() {
        send(ALICE, new SecretNotesMessages.AddNote("a"));
        settle();
        EnclaveStatus.HostedContract one = w1.client.status().hosted().get(0);
        send(ALICE, new SecretNotesMessages.AddNote("b"));
        settle();
        assertNotEquals(one.stateCommitment(), w1.client.status().hosted().get(0).stateCommitment());
        assertSameState();
    }

    private void assertSameState() {
        assertEquals(w1.client.status().hosted(), w2.client.status().hosted(), "every worker of the cluster reaches the same state");
    }
}
