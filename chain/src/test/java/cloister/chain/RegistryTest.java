package cloister.chain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.chain.runtime.registry.ContractRecord;
import cloister.chain.runtime.registry.Registry;
import cloister.chain.runtime.registry.WorkerRecord;
import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.crypto.SigningKey;
import cloister.crypto.X25519PublicKey;
import cloister.proto.AttestationEvidence;
import cloister.proto.Block;
import cloister.proto.BlockHeader;
import cloister.proto.ContractId;
import cloister.proto.ContractsCall;
import cloister.proto.Event;
import cloister.proto.EventRecord;
import cloister.proto.GovernanceCall;
import cloister.proto.InboundMessage;
import cloister.proto.KeyShare;
import cloister.proto.RegistryCall;
import cloister.proto.SignedWorkerMessage;
import cloister.proto.SudoCall;
import cloister.proto.Transaction;
import cloister.proto.WorkerId;
import cloister.proto.WorkerInfo;
import cloister.proto.WorkerMessage;
import cloister.tee.Evidence;
import cloister.tee.Measurement;
import cloister.tee.sim.SimAttestationRoot;
import cloister.tee.sim.SimMachine;
import cloister.tee.sim.SimPlatform;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry module through a real chain: attested registration, worker messages, gatekeepers, contracts. */
class RegistryTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Measurement BUILD = SimPlatform.measure(new byte[] {1}, "test");
    private static final Measurement OTHER_BUILD = SimPlatform.measure(new byte[] {2}, "test");

    private final SimAttestationRoot root = SimAttestationRoot.generate("registry test", RANDOM);
    private final SimMachine machine = SimMachine.ephemeral(RANDOM);
    @TempDir
    Path dir;
    private ChainFixture f;
    private final long[] nonces = new long[8];

    @BeforeEach
    void start() {
        f = new ChainFixture(dir, Genesis.dev().withTee(new Genesis.TeeTrust(Optional.of(root.certificate()), List.of(BUILD),
                Registry.AttestationPolicy.DEV)));
    }

    @AfterEach
    void stop() {
        f.close();
    }

    /** A worker's keys and its quote, as its enclave would make them. */
    private record Worker(SigningKey identity, WorkerInfo info, Evidence evidence) {
        WorkerId id() {
            return info.identity();
        }

        SignedWorkerMessage say(Hash genesis, long seq, WorkerMessage m) {
            return SignedWorkerMessage.sign(identity, genesis, seq, m);
        }
    }

    private Worker worker(SigningKey operator, Measurement m, SimAttestationRoot signer, Hash genesis, long quoteTime) {
        SigningKey identity = SigningKey.generate(RANDOM);
        byte[] ecdh = new byte[32];
        RANDOM.nextBytes(ecdh);
        WorkerInfo info = new WorkerInfo(WorkerId.of(identity.account()), X25519PublicKey.of(ecdh), genesis, operator.account(), "0.1.0");
        Evidence e = new SimPlatform(machine, signer, m, () -> quoteTime, RANDOM).quote(info.reportData());
        return new Worker(identity, info, e);
    }

    private Worker worker() {
        return worker(ChainFixture.BOB, BUILD, root, genesis(), f.clock);
    }

    private Hash genesis() {
        return f.chain.info().genesisHash();
    }

    private static RegistryCall.RegisterWorker registration(Worker w) {
        return new RegistryCall.RegisterWorker(w.info(), new AttestationEvidence(w.evidence().platform().code(),
                w.evidence().quote(), w.evidence().collateral()));
    }

    private int index(SigningKey k) {
        return k == ChainFixture.ALICE ? 0 : k == ChainFixture.BOB ? 1 : 2;
    }

    /** Submits {@code call} from {@code from} in its own block and returns the block's events. */
    private List<EventRecord> run(SigningKey from, cloister.proto.Call call) {
        Transaction tx = f.tx(from, nonces[index(from)]++, call);
        assertInstanceOf(SubmitResult.Accepted.class, f.submit(tx), "pool accepts " + call.name());
        Block b = f.seal();
        assertEquals(1, b.transactions().size());
        return f.chain.events(b.height()).orElseThrow();
    }

    private List<EventRecord> sudo(GovernanceCall call) {
        return run(ChainFixture.ALICE, new SudoCall.Sudo(call));
    }

    private static void assertFailed(String reason, List<EventRecord> events, String messagePart) {
        Event.TxFailed failed = events.stream().map(EventRecord::event).filter(Event.TxFailed.class::isInstance)
                .map(Event.TxFailed.class::cast).findFirst().orElseThrow(() -> new AssertionError("no TxFailed in " + events));
        assertEquals(reason, failed.reason(), failed.message());
        assertTrue(failed.message().contains(messagePart), failed.message());
    }

    private static boolean has(List<EventRecord> events, Class<? extends Event> type) {
        return events.stream().anyMatch(e -> type.isInstance(e.event()));
    }

    private List<InboundMessage> lastMessages() {
        return f.chain.workerMessages(f.chain.head().height()).orElseThrow();
    }

    @Test
    void genesisCarriesTheAuthoritySetAndItsRoot() {
        List<InboundMessage> genesis = f.chain.workerMessages(0).orElseThrow();
        assertEquals(List.of(new InboundMessage.AuthoritySet(List.of(ChainFixture.ALICE.account()))), genesis);
        assertEquals(InboundMessage.root(genesis), f.chain.blockAt(0).orElseThrow().header().workerMessagesRoot());
        assertEquals(List.of(BUILD), Registry.allowlist(f.chain.state()));
    }

    @Test
    void anAttestedWorkerRegistersAndTheBlockCommitsTheMessage() {
        Worker w = worker();
        List<EventRecord> events = run(ChainFixture.BOB, registration(w));
        assertTrue(has(events, Event.WorkerRegistered.class), events.toString());
        WorkerRecord r = Registry.worker(f.chain.state(), w.id()).orElseThrow();
        assertEquals(BUILD, r.measurement());
        assertEquals(5, r.confidenceLevel());
        assertEquals("Simulated", r.tcbStatus());
        List<InboundMessage> msgs = lastMessages();
        assertEquals(2, msgs.size());
        assertEquals(w.info(), assertInstanceOf(InboundMessage.WorkerRegistered.class, msgs.get(0)).info());
        // and the computation module asks the new worker to benchmark
        assertEquals(w.id(), assertInstanceOf(InboundMessage.BenchmarkRequested.class, msgs.get(1)).worker());
        BlockHeader head = f.chain.head();
        assertEquals(InboundMessage.root(msgs), head.workerMessagesRoot());
        // Replayed registration.
        assertFailed("ALREADY_REGISTERED", run(ChainFixture.BOB, registration(w)), w.id().hex());
    }

    @Test
    void badRegistrationsAreRefusedWithTheirReason() {
        assertFailed("ATTESTATION_REFUSED", run(ChainFixture.BOB, registration(
                worker(ChainFixture.BOB, BUILD, SimAttestationRoot.generate("forger", RANDOM), genesis(), f.clock))), "UNTRUSTED_ROOT");
        assertFailed("MEASUREMENT_NOT_ALLOWED", run(ChainFixture.BOB, registration(
                worker(ChainFixture.BOB, OTHER_BUILD, root, genesis(), f.clock))), "allowlist");
        assertFailed("WRONG_GENESIS", run(ChainFixture.BOB, registration(
                worker(ChainFixture.BOB, BUILD, root, Hash.ZERO, f.clock))), "network");
        assertFailed("ATTESTATION_REFUSED", run(ChainFixture.BOB, registration(
                worker(ChainFixture.BOB, BUILD, root, genesis(), f.clock - 2 * 3_600_000L))), "STALE_QUOTE");
        assertFailed("BAD_ORIGIN", run(ChainFixture.CHARLIE, registration(worker())), "operator");
        Worker a = worker();
        Worker b = worker();
        assertFailed("REPORT_DATA_MISMATCH", run(ChainFixture.BOB, new RegistryCall.RegisterWorker(a.info(),
                new AttestationEvidence(1, b.evidence().quote(), new byte[0]))), "bind");
        assertFailed("ATTESTATION_REFUSED", run(ChainFixture.BOB, new RegistryCall.RegisterWorker(a.info(),
                new AttestationEvidence(1, new byte[] {1, 2, 3}, new byte[0]))), "MALFORMED_QUOTE");
        assertFailed("ATTESTATION_REFUSED", run(ChainFixture.BOB, new RegistryCall.RegisterWorker(a.info(),
                new AttestationEvidence(9, a.evidence().quote(), new byte[0]))), "UNSUPPORTED_PLATFORM");
        assertFailed("ATTESTATION_REFUSED", run(ChainFixture.BOB, new RegistryCall.RegisterWorker(a.info(),
                new AttestationEvidence(2, a.evidence().quote(), new byte[0]))), "BAD_COLLATERAL");
        assertTrue(Registry.workers(f.chain.state()).isEmpty());
    }

    @Test
    void workerMessagesNeedTheSignatureAndTheNextSequenceNumber() {
        Worker w = worker();
        run(ChainFixture.BOB, registration(w));
        sudo(new GovernanceCall.AddGatekeeper(w.id()));
        X25519PublicKey master = X25519PublicKey.of(new byte[32]);
        WorkerMessage publish = new WorkerMessage.MasterKeyPublished(0, master, List.of());
        assertFailed("BAD_SEQUENCE", run(ChainFixture.BOB, new RegistryCall.SubmitWorkerMessage(w.say(genesis(), 1, publish))), "gap");
        Worker stranger = worker();
        assertFailed("UNKNOWN_WORKER", run(ChainFixture.BOB, new RegistryCall.SubmitWorkerMessage(stranger.say(genesis(), 0, publish))), "not registered");
        SignedWorkerMessage forged = new SignedWorkerMessage(w.id(), 0, publish, stranger.say(genesis(), 0, publish).signature());
        assertFailed("BAD_WORKER_SIGNATURE", run(ChainFixture.BOB, new RegistryCall.SubmitWorkerMessage(forged)), "not signed");
        assertFailed("BAD_WORKER_SIGNATURE", run(ChainFixture.BOB, new RegistryCall.SubmitWorkerMessage(w.say(Hash.ZERO, 0, publish))), "not signed");

        List<EventRecord> ok = run(ChainFixture.CHARLIE, new RegistryCall.SubmitWorkerMessage(w.say(genesis(), 0, publish)));
        assertTrue(has(ok, Event.MasterKeyPublished.class), ok.toString());
        assertEquals(List.of(master), Registry.masterKeys(f.chain.state()).epochs());
        assertInstanceOf(InboundMessage.Accepted.class, lastMessages().get(0));
        assertFailed("BAD_SEQUENCE", run(ChainFixture.BOB, new RegistryCall.SubmitWorkerMessage(w.say(genesis(), 0, publish))), "replay");
        // Authentic and in order, but epoch 0 exists: the content is refused and the sequence number is used.
        List<EventRecord> refused = run(ChainFixture.BOB, new RegistryCall.SubmitWorkerMessage(w.say(genesis(), 1, publish)));
        assertTrue(has(refused, Event.WorkerMessageRefused.class), refused.toString());
        assertEquals(2, Registry.worker(f.chain.state(), w.id()).orElseThrow().nextSeq());
        assertTrue(lastMessages().isEmpty());
    }

    @Test
    void keyMessagesOnlyFromGatekeepersAndClustersAndContractsFollowGovernance() {
        Worker gk = worker();
        Worker w1 = worker();
        Worker w2 = worker();
        for (Worker w : List.of(gk, w1, w2)) {
            run(ChainFixture.BOB, registration(w));
        }
        List<EventRecord> notGk = run(ChainFixture.BOB, new RegistryCall.SubmitWorkerMessage(
                w1.say(genesis(), 0, new WorkerMessage.MasterKeyPublished(0, X25519PublicKey.of(new byte[32]), List.of()))));
        assertTrue(has(notGk, Event.WorkerMessageRefused.class));
        assertTrue(Registry.masterKeys(f.chain.state()).epochs().isEmpty());

        assertFailed("INVALID_ARGUMENT", sudo(new GovernanceCall.RotateMasterKey()), "no master key");
        sudo(new GovernanceCall.AddGatekeeper(gk.id()));
        assertFailed("DUPLICATE", sudo(new GovernanceCall.AddGatekeeper(gk.id())), "already");
        assertFailed("UNKNOWN_WORKER", sudo(new GovernanceCall.AddGatekeeper(worker().id())), "not registered");
        long seq = 0;
        run(ChainFixture.BOB, new RegistryCall.SubmitWorkerMessage(gk.say(genesis(), seq++,
                new WorkerMessage.MasterKeyPublished(0, X25519PublicKey.of(new byte[32]), List.of()))));

        assertFailed("UNKNOWN_CLUSTER", sudo(new GovernanceCall.DeploySystemContract("secret-notes", 0)), "no cluster");
        sudo(new GovernanceCall.CreateCluster(List.of(w1.id())));
        assertEquals(new InboundMessage.ClusterCreated(0, List.of(w1.id())), lastMessages().get(0));
        assertFailed("INVALID_ARGUMENT", sudo(new GovernanceCall.DeploySystemContract("no-such-thing", 0)), "secret-notes");
        sudo(new GovernanceCall.DeploySystemContract("secret-notes", 0));
        ContractId notes = ContractId.system("secret-notes", 0);
        ContractRecord c = Registry.contract(f.chain.state(), notes).orElseThrow();
        assertEquals(0, c.keyEpoch());
        assertFalse(c.publicKey().isPresent());

        X25519PublicKey contractKey = X25519PublicKey.of(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
                19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32});
        List<EventRecord> toOutsider = run(ChainFixture.BOB, new RegistryCall.SubmitWorkerMessage(gk.say(genesis(), seq++,
                new WorkerMessage.ContractKeyPublished(notes, contractKey, List.of(new KeyShare(w2.id(), new byte[48]))))));
        assertTrue(has(toOutsider, Event.WorkerMessageRefused.class), "delivery to a worker outside the cluster");
        run(ChainFixture.BOB, new RegistryCall.SubmitWorkerMessage(gk.say(genesis(), seq++,
                new WorkerMessage.ContractKeyPublished(notes, contractKey, List.of(new KeyShare(w1.id(), new byte[48]))))));
        assertEquals(Optional.of(contractKey), Registry.contract(f.chain.state(), notes).orElseThrow().publicKey());

        // Cluster keys: deliveries only to members; the same key again with new deliveries, never another key.
        X25519PublicKey clusterKey = X25519PublicKey.of(java.util.Arrays.copyOf(new byte[] {7}, 32));
        List<EventRecord> clusterToOutsider = run(ChainFixture.BOB, new RegistryCall.SubmitWorkerMessage(gk.say(genesis(), seq++,
                new WorkerMessage.ClusterKeyPublished(0, clusterKey, List.of(new KeyShare(w2.id(), new byte[48]))))));
        assertTrue(has(clusterToOutsider, Event.WorkerMessageRefused.class), "cluster key delivery to a non-member");
        List<EventRecord> clusterKeyEvents = run(ChainFixture.BOB, new RegistryCall.SubmitWorkerMessage(gk.say(genesis(), seq++,
                new WorkerMessage.ClusterKeyPublished(0, clusterKey, List.of(new KeyShare(w1.id(), new byte[48]))))));
        assertTrue(has(clusterKeyEvents, Event.ClusterKeyPublished.class));
        assertEquals(Optional.of(clusterKey), Registry.cluster(f.chain.state(), 0).orElseThrow().publicKey());

        sudo(new GovernanceCall.AddWorkerToCluster(0, w2.id()));
        assertFailed("DUPLICATE", sudo(new GovernanceCall.AddWorkerToCluster(0, w2.id())), "already");
        List<EventRecord> again = run(ChainFixture.BOB, new RegistryCall.SubmitWorkerMessage(gk.say(genesis(), seq++,
                new WorkerMessage.ClusterKeyPublished(0, clusterKey, List.of(new KeyShare(w2.id(), new byte[48]))))));
        assertTrue(has(again, Event.WorkerMessageAccepted.class), "the same key, delivered to a worker that joined");
        assertFalse(has(again, Event.ClusterKeyPublished.class), "the key itself is not published twice");
        List<EventRecord> otherClusterKey = run(ChainFixture.BOB, new RegistryCall.SubmitWorkerMessage(gk.say(genesis(), seq++,
                new WorkerMessage.ClusterKeyPublished(0, contractKey, List.of()))));
        assertTrue(has(otherClusterKey, Event.WorkerMessageRefused.class), "another key for the same cluster");
        List<EventRecord> conflict = run(ChainFixture.BOB, new RegistryCall.SubmitWorkerMessage(gk.say(genesis(), seq++,
                new WorkerMessage.ContractKeyPublished(notes, X25519PublicKey.of(new byte[32]), List.of()))));
        assertTrue(has(conflict, Event.WorkerMessageRefused.class), "another key for the same contract");

        // Commands: only for existing contracts, carried to workers as ciphertext in block order.
        assertFailed("UNKNOWN_CONTRACT", run(ChainFixture.CHARLIE, new ContractsCall.PushCommand(ContractId.system("secret-notes", 9),
                new byte[] {1})), "no contract");
        List<EventRecord> pushed = run(ChainFixture.CHARLIE, new ContractsCall.PushCommand(notes, new byte[] {9, 9, 9}));
        assertTrue(has(pushed, Event.CommandPushed.class));
        InboundMessage.Command cmd = assertInstanceOf(InboundMessage.Command.class, lastMessages().get(0));
        assertEquals(ChainFixture.CHARLIE.account(), cmd.sender());

        sudo(new GovernanceCall.RotateMasterKey());
        assertEquals(new InboundMessage.MasterKeyRotation(1, gk.id()), lastMessages().get(0));
        assertFailed("DUPLICATE", sudo(new GovernanceCall.RotateMasterKey()), "pending");
        run(ChainFixture.BOB, new RegistryCall.SubmitWorkerMessage(gk.say(genesis(), seq++,
                new WorkerMessage.MasterKeyPublished(1, contractKey, List.of()))));
        assertEquals(2, Registry.masterKeys(f.chain.state()).epochs().size());
        assertTrue(Registry.masterKeys(f.chain.state()).pendingRotationBy().isEmpty());
    }

    /** Real Intel quotes verify on chain at a block time inside their collateral's windows, and still must bind the worker. */
    @Test
    void realSgxAndTdxQuotesAreVerifiedAtTheBlocksTime() throws Exception {
        Path dir = Path.of("..", "tee", "src", "test", "resources", "attestation");
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<AttestationEvidence> evidence = new java.util.ArrayList<>();
        long inside = 0;
        for (cloister.tee.Platform p : List.of(cloister.tee.Platform.SGX, cloister.tee.Platform.TDX)) {
            byte[] quote = java.nio.file.Files.readAllBytes(dir.resolve(p.word() + "_quote"));
            byte[] collateral = java.nio.file.Files.readAllBytes(dir.resolve(p.word() + "_quote_collateral.json"));
            evidence.add(new AttestationEvidence(p.code(), quote, collateral));
            String tcbInfo = json.readTree(collateral).path("tcb_info").asText();
            inside = Math.max(inside, java.time.Instant.parse(json.readTree(tcbInfo).path("issueDate").asText()).toEpochMilli() + 3_600_000L);
        }
        // Checked, not assumed: both samples verify at that time.
        for (AttestationEvidence e : evidence) {
            assertInstanceOf(cloister.tee.QuoteVerification.Verified.class, new cloister.tee.dcap.DcapQuoteVerifier().verify(
                    new Evidence(cloister.tee.Platform.ofCode(e.platformCode()), e.quote(), e.collateral()), inside));
        }
        f.clock = inside;
        for (AttestationEvidence e : evidence) {
            assertFailed("REPORT_DATA_MISMATCH", run(ChainFixture.BOB, new RegistryCall.RegisterWorker(worker().info(), e)), "bind");
        }
        f.clock = inside + 400L * 24 * 3_600_000L;
        for (AttestationEvidence e : evidence) {
            assertFailed("ATTESTATION_REFUSED", run(ChainFixture.BOB, new RegistryCall.RegisterWorker(worker().info(), e)), "COLLATERAL_EXPIRED");
        }
    }

    @Test
    void uploadedCodeIsCheckedAndStoredByHash() {
        byte[] good = TinyWasm.counterLike();
        List<EventRecord> ok = run(ChainFixture.BOB, new ContractsCall.UploadCode(good));
        assertTrue(has(ok, Event.CodeUploaded.class), ok.toString());
        Hash hash = cloister.crypto.Sha256.hash(good);
        assertArrayEquals(good, cloister.chain.runtime.contracts.WasmContracts.code(f.chain.state(), hash).orElseThrow());
        assertEquals(hash, assertInstanceOf(InboundMessage.CodeUploaded.class, lastMessages().get(0)).codeHash());
        assertFailed("DUPLICATE", run(ChainFixture.BOB, new ContractsCall.UploadCode(good)), "already");
        assertFailed("INVALID_CODE", run(ChainFixture.BOB, new ContractsCall.UploadCode("not wasm at all".getBytes(java.nio.charset.StandardCharsets.US_ASCII))),
                "MALFORMED_WASM");
        assertFailed("INVALID_CODE", run(ChainFixture.BOB, new ContractsCall.UploadCode(java.util.Arrays.copyOf(good, good.length - 3))),
                "MALFORMED_WASM");
        assertFailed("INVALID_CODE", run(ChainFixture.BOB, new ContractsCall.UploadCode(TinyWasm.module(
                List.of(new TinyWasm.Import("env", "evil", new int[0], new int[0])), List.of("call", "query"), true))), "env.evil");
        assertFailed("INVALID_CODE", run(ChainFixture.BOB, new ContractsCall.UploadCode(TinyWasm.module(
                List.of(new TinyWasm.Import("cloister", "input_len", new int[0], new int[0])), List.of("call", "query"), true))), "input_len");
        assertFailed("INVALID_CODE", run(ChainFixture.BOB, new ContractsCall.UploadCode(TinyWasm.module(List.of(), List.of("call"), false))),
                "MISSING_EXPORT");
        assertFailed("INVALID_CODE", run(ChainFixture.BOB, new ContractsCall.UploadCode(TinyWasm.module(List.of(), List.of("main"), true))),
                "MISSING_EXPORT");
        assertFailed("INVALID_CODE", run(ChainFixture.BOB, new ContractsCall.UploadCode(new byte[ContractsCall.MAX_CODE + 1])), "TOO_LARGE");
    }

    @Test
    void wasmContractsInstantiateUpgradeAndSettleTheirGas() {
        Worker gk = worker();
        Worker w1 = worker();
        Worker w2 = worker();
        for (Worker w : List.of(gk, w1, w2)) {
            run(ChainFixture.BOB, registration(w));
        }
        byte[] code = TinyWasm.counterLike();
        run(ChainFixture.BOB, new ContractsCall.UploadCode(code));
        Hash codeHash = cloister.crypto.Sha256.hash(code);
        assertFailed("UNKNOWN_CLUSTER", run(ChainFixture.CHARLIE, new ContractsCall.Instantiate(codeHash, 0, new byte[0], new byte[0], 1000, 2)),
                "no cluster");
        sudo(new GovernanceCall.CreateCluster(List.of(w1.id(), w2.id())));
        assertFailed("INVALID_ARGUMENT", run(ChainFixture.CHARLIE, new ContractsCall.Instantiate(codeHash, 0, new byte[0], new byte[0], 1000, 2)),
                "master key");
        sudo(new GovernanceCall.AddGatekeeper(gk.id()));
        run(ChainFixture.BOB, new RegistryCall.SubmitWorkerMessage(gk.say(genesis(), 0,
                new WorkerMessage.MasterKeyPublished(0, X25519PublicKey.of(new byte[32]), List.of()))));

        assertFailed("UNKNOWN_CODE", run(ChainFixture.CHARLIE, new ContractsCall.Instantiate(Hash.ZERO, 0, new byte[0], new byte[0], 1000, 2)),
                "upload");
        assertFailed("GAS_PRICE_TOO_LOW", run(ChainFixture.CHARLIE, new ContractsCall.Instantiate(codeHash, 0, new byte[0], new byte[0], 1000, 0)),
                "minimum");
        assertFailed("INVALID_ARGUMENT", run(ChainFixture.CHARLIE, new ContractsCall.Instantiate(codeHash, 0, new byte[0], new byte[] {1}, 1000, 2)),
                "public key");
        long before = f.balance(ChainFixture.CHARLIE);
        byte[] salt = {7};
        List<EventRecord> inst = run(ChainFixture.CHARLIE, new ContractsCall.Instantiate(codeHash, 0, salt, new byte[0], 1000, 2));
        assertTrue(has(inst, Event.ContractInstantiated.class), inst.toString());
        ContractId id = ContractId.wasm(ChainFixture.CHARLIE.account(), codeHash, 0, salt);
        ContractRecord rec = Registry.contract(f.chain.state(), id).orElseThrow();
        assertEquals(ChainFixture.CHARLIE.account(), rec.owner());
        assertEquals(codeHash, rec.codeHash());
        assertEquals(before - ChainFixture.FEE - 2000, f.balance(ChainFixture.CHARLIE), "the fee and the gas reservation");
        List<InboundMessage> msgs = lastMessages();
        assertEquals(new InboundMessage.ContractDeployed(id, 0, "wasm", 0), msgs.get(0));
        Hash instantiateTx = assertInstanceOf(InboundMessage.WasmInstantiated.class, msgs.get(1)).txHash();
        assertFailed("DUPLICATE", run(ChainFixture.CHARLIE, new ContractsCall.Instantiate(codeHash, 0, salt, new byte[0], 1000, 2)), "salt");

        // Upgrades: owner only, to uploaded code.
        byte[] code2 = TinyWasm.module(List.of(), List.of("call", "query"), true);
        run(ChainFixture.BOB, new ContractsCall.UploadCode(code2));
        Hash codeHash2 = cloister.crypto.Sha256.hash(code2);
        assertFailed("NOT_OWNER", run(ChainFixture.BOB, new ContractsCall.Upgrade(id, codeHash2)), "owner");
        assertFailed("UNKNOWN_CODE", run(ChainFixture.CHARLIE, new ContractsCall.Upgrade(id, Hash.ZERO)), "upload");
        run(ChainFixture.CHARLIE, new ContractsCall.Upgrade(id, codeHash2));
        assertEquals(codeHash2, Registry.contract(f.chain.state(), id).orElseThrow().codeHash());
        assertEquals(new InboundMessage.ContractUpgraded(id, codeHash2), lastMessages().get(0));

        // A call reserves gas; the first cluster member's report settles it: fee to the treasury, the rest back.
        long beforeCall = f.balance(ChainFixture.CHARLIE);
        run(ChainFixture.CHARLIE, new ContractsCall.CallContract(id, new byte[] {1, 2, 3}, 5000, 3));
        InboundMessage.WasmCall call = assertInstanceOf(InboundMessage.WasmCall.class, lastMessages().get(0));
        assertEquals(beforeCall - ChainFixture.FEE - 15_000, f.balance(ChainFixture.CHARLIE));
        List<EventRecord> outsider = run(ChainFixture.BOB, new RegistryCall.SubmitWorkerMessage(gk.say(genesis(), 1,
                new WorkerMessage.CallSettled(call.txHash(), 100))));
        assertTrue(has(outsider, Event.WorkerMessageRefused.class), "the gatekeeper is not in the contract's cluster");
        List<EventRecord> over = run(ChainFixture.BOB, new RegistryCall.SubmitWorkerMessage(w1.say(genesis(), 0,
                new WorkerMessage.CallSettled(call.txHash(), 5001))));
        assertTrue(has(over, Event.WorkerMessageRefused.class), "more gas than the limit");
        List<EventRecord> settled = run(ChainFixture.BOB, new RegistryCall.SubmitWorkerMessage(w1.say(genesis(), 1,
                new WorkerMessage.CallSettled(call.txHash(), 1200))));
        Event.GasSettled g = settled.stream().map(EventRecord::event).filter(Event.GasSettled.class::isInstance)
                .map(Event.GasSettled.class::cast).findFirst().orElseThrow(() -> new AssertionError(settled.toString()));
        assertEquals(3600, g.fee());
        assertEquals(11_400, g.refund());
        assertEquals(beforeCall - ChainFixture.FEE - 3600, f.balance(ChainFixture.CHARLIE));
        List<EventRecord> mismatch = run(ChainFixture.BOB, new RegistryCall.SubmitWorkerMessage(w2.say(genesis(), 0,
                new WorkerMessage.CallSettled(call.txHash(), 1300))));
        assertTrue(has(mismatch, Event.SettlementMismatch.class), mismatch.toString());
        List<EventRecord> agrees = run(ChainFixture.BOB, new RegistryCall.SubmitWorkerMessage(w2.say(genesis(), 1,
                new WorkerMessage.CallSettled(call.txHash(), 1200))));
        assertFalse(has(agrees, Event.SettlementMismatch.class), "an identical report confirms: " + agrees);
        assertTrue(has(agrees, Event.WorkerMessageAccepted.class), agrees.toString());

        // A report publishes the call's events and pays its transfers from the contract's own account, all or none.
        AccountId dave = cloister.crypto.DevKeys.get("dave").account();
        AccountId contractAccount = cloister.chain.runtime.contracts.WasmContracts.accountOf(id);
        run(ChainFixture.CHARLIE, new cloister.proto.BalancesCall.Transfer(contractAccount, 1_000));
        byte[] sealedEvent = new byte[60];
        java.util.Arrays.fill(sealedEvent, (byte) 0x5a);
        run(ChainFixture.CHARLIE, new ContractsCall.CallContract(id, new byte[] {4}, 5000, 1));
        Hash paying = assertInstanceOf(InboundMessage.WasmCall.class, lastMessages().get(0)).txHash();
        long daveBefore = f.chain.account(dave).balance();
        List<EventRecord> paid = run(ChainFixture.BOB, new RegistryCall.SubmitWorkerMessage(w1.say(genesis(), 2,
                new WorkerMessage.CallSettled(paying, 900, List.of(new WorkerMessage.PublishedEvent(true, "closed".getBytes(StandardCharsets.US_ASCII)),
                        new WorkerMessage.PublishedEvent(false, sealedEvent)),
                        List.of(new WorkerMessage.Payout(dave, 600), new WorkerMessage.Payout(dave, 400))))));
        List<Event.ContractEmitted> emitted = paid.stream().map(EventRecord::event).filter(Event.ContractEmitted.class::isInstance)
                .map(Event.ContractEmitted.class::cast).toList();
        assertEquals(List.of(new Event.ContractEmitted(id, paying, 0, true, "closed".getBytes(StandardCharsets.US_ASCII)),
                new Event.ContractEmitted(id, paying, 1, false, sealedEvent)), emitted);
        assertEquals(daveBefore + 1_000, f.chain.account(dave).balance());
        assertEquals(0, f.chain.account(contractAccount).balance());
        run(ChainFixture.CHARLIE, new ContractsCall.CallContract(id, new byte[] {4}, 5000, 1));
        Hash overdrawn = assertInstanceOf(InboundMessage.WasmCall.class, lastMessages().get(0)).txHash();
        List<EventRecord> refused = run(ChainFixture.BOB, new RegistryCall.SubmitWorkerMessage(w1.say(genesis(), 3,
                new WorkerMessage.CallSettled(overdrawn, 900, List.of(), List.of(new WorkerMessage.Payout(dave, 1))))));
        assertTrue(has(refused, Event.ContractTransfersRefused.class), refused.toString());
        assertTrue(has(refused, Event.GasSettled.class), "the gas is settled all the same: " + refused);
        assertEquals(daveBefore + 1_000, f.chain.account(dave).balance());
        List<EventRecord> differentEvents = run(ChainFixture.BOB, new RegistryCall.SubmitWorkerMessage(w2.say(genesis(), 2,
                new WorkerMessage.CallSettled(paying, 900, List.of(), List.of()))));
        assertTrue(has(differentEvents, Event.SettlementMismatch.class), "same gas, different events: " + differentEvents);
        // The constructor's reservation is still held until a worker reports it.
        assertTrue(cloister.chain.runtime.contracts.WasmContracts.reservation(f.chain.state(), instantiateTx).isPresent());
        assertEquals(0, f.chain.account(cloister.chain.runtime.contracts.WasmContracts.GAS_ESCROW).balance() - 2000);
        assertFailed("UNKNOWN_CONTRACT", run(ChainFixture.CHARLIE, new ContractsCall.CallContract(ContractId.system("secret-notes", 0),
                new byte[1], 10, 1)), "WebAssembly");
    }

    @Test
    void measurementsAreGovernedAndABlockWithAWrongMessagesRootIsRejected() {
        sudo(new GovernanceCall.AllowMeasurement(1, OTHER_BUILD.value()));
        assertEquals(List.of(BUILD, OTHER_BUILD), Registry.allowlist(f.chain.state()));
        assertFailed("DUPLICATE", sudo(new GovernanceCall.AllowMeasurement(1, OTHER_BUILD.value())), "already");
        assertFailed("INVALID_ARGUMENT", sudo(new GovernanceCall.AllowMeasurement(7, OTHER_BUILD.value())), "platform");
        sudo(new GovernanceCall.DisallowMeasurement(1, BUILD.value()));
        assertEquals(List.of(OTHER_BUILD), Registry.allowlist(f.chain.state()));
        assertFailed("MEASUREMENT_NOT_ALLOWED", run(ChainFixture.BOB, registration(worker())), "allowlist");
        assertFailed("BAD_ORIGIN", run(ChainFixture.BOB, new SudoCall.Sudo(new GovernanceCall.AddGatekeeper(worker().id()))), "sudo");

        // A block whose header claims other worker messages than its transactions produce.
        Worker w = worker(ChainFixture.BOB, OTHER_BUILD, root, genesis(), f.clock);
        assertInstanceOf(SubmitResult.Accepted.class, f.submit(f.tx(ChainFixture.BOB, nonces[1]++, registration(w))));
        f.clock += 1000;
        Block honest = f.chain.propose(f.clock, ChainFixture.ALICE);
        BlockHeader h = honest.header();
        BlockHeader lying = new BlockHeader(h.height(), h.parentHash(), h.timestamp(), h.transactionsRoot(), h.stateRoot(),
                InboundMessage.root(List.of()), h.proposer(), h.signature()).sealedBy(ChainFixture.ALICE);
        ImportResult r = f.chain.importBlock(new Block(lying, honest.transactions()));
        assertEquals(BlockRejection.BAD_WORKER_MESSAGES_ROOT, assertInstanceOf(ImportResult.Rejected.class, r).reason());
        assertInstanceOf(ImportResult.Imported.class, f.chain.importBlock(honest));
    }
}
