package cloister.worker.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.chain.ChainConfig;
import cloister.chain.ChainNode;
import cloister.chain.ChainView;
import cloister.chain.Genesis;
import cloister.chain.SubmitResult;
import cloister.chain.runtime.registry.ContractRecord;
import cloister.chain.runtime.registry.Registry;
import cloister.chain.runtime.registry.WorkerRecord;
import cloister.common.Hash;
import cloister.crypto.DevKeys;
import cloister.crypto.SigningKey;
import cloister.crypto.X25519PublicKey;
import cloister.proto.Call;
import cloister.proto.ContractId;
import cloister.proto.ContractsCall;
import cloister.proto.GovernanceCall;
import cloister.proto.SudoCall;
import cloister.proto.Transaction;
import cloister.proto.WorkerId;
import cloister.proto.Event;
import cloister.proto.EventRecord;
import cloister.proto.envelope.CommandEnvelope;
import cloister.proto.envelope.ConstructorEnvelope;
import cloister.proto.envelope.QueryEnvelope;
import cloister.proto.envelope.SecretNotesMessages;
import cloister.tee.Measurement;
import cloister.tee.Platform;
import cloister.tee.sim.SimAttestationRoot;
import cloister.tee.sim.SimMachine;
import cloister.tee.sim.SimPlatform;
import cloister.worker.CommandOutcome;
import cloister.worker.wasm.ExampleContract;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end on a real chain (RocksDB, dev instant sealing, a dev genesis that trusts a sim root): one gatekeeper
 * and two compute workers in this process, each behind its {@link WorkerHost} with its HTTP endpoint. Governance
 * sets them up; a client sends an encrypted note, reads it back through an encrypted query over HTTP; both workers
 * reach the same state; a worker restarts and continues; the canary never appears outside the enclaves. A
 * WebAssembly counter is uploaded, instantiated with sealed arguments, called, and its gas settled on chain.
 */
class WorkerNetworkIT {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final SigningKey SUDO = DevKeys.get("alice");
    private static final SigningKey CLIENT = DevKeys.get("eve");
    private static final Measurement BUILD = SimPlatform.measure(new byte[] {7, 7, 7}, "0.1.0");
    private static final String CANARY = "canary-41c2d8 plaintext that must never leave the enclave";
    private static final ContractId NOTES = ContractId.system("secret-notes", 0);

    @TempDir
    Path dir;
    private final SimAttestationRoot root = SimAttestationRoot.generate("worker IT", RANDOM);
    private final HttpClient http = HttpClient.newHttpClient();
    private ChainNode node;
    private final List<WorkerHost> hosts = new ArrayList<>(List.of());
    private WorkerHost gatekeeper;
    private WorkerHost w1;
    private WorkerHost w2;

    private ChainView view() {
        return node.view();
    }

    private WorkerHost open(String name, SigningKey operator) {
        Path data = dir.resolve(name);
        SimPlatform platform = new SimPlatform(SimMachine.loadOrCreate(data.resolve("machine")), root, BUILD,
                System::currentTimeMillis, RANDOM);
        WorkerHost h = WorkerHost.openInProcess(WorkerConfig.defaults(data, "0.1.0"), platform,
                new InProcessChainSource(node.view(), node.submitter()), operator);
        h.start();
        hosts.add(h);
        return h;
    }

    @BeforeEach
    void start() throws IOException {
        Genesis.Spec genesis = Genesis.dev().withTee(new Genesis.TeeTrust(Optional.of(root.certificate()), List.of(BUILD),
                Registry.AttestationPolicy.DEV));
        node = ChainNode.start(ChainConfig.dev(dir.resolve("node")).withInstantSeal(true), genesis);
        gatekeeper = open("gatekeeper", DevKeys.get("bob"));
        w1 = open("w1", DevKeys.get("charlie"));
        w2 = open("w2", DevKeys.get("dave"));
        await("registrations", () -> Stream.of(gatekeeper, w1, w2).allMatch(h -> Registry.worker(view().state(), h.id()).isPresent()));
        sudo(new GovernanceCall.AddGatekeeper(gatekeeper.id()));
        await("the master key", () -> Registry.masterKeys(view().state()).currentEpoch() == 0);
        sudo(new GovernanceCall.CreateCluster(List.of(w1.id(), w2.id())));
        await("the cluster key", () -> Registry.cluster(view().state(), 0).flatMap(c -> c.publicKey()).isPresent());
        sudo(new GovernanceCall.DeploySystemContract("secret-notes", 0));
        await("the contract key", () -> Registry.contract(view().state(), NOTES).flatMap(ContractRecord::publicKey).isPresent());
        await("both workers host the contract", () -> w1.status().hosted().size() == 1 && w2.status().hosted().size() == 1);
    }

    @AfterEach
    void stop() {
        hosts.forEach(WorkerHost::close);
        if (node != null) {
            node.close();
        }
    }

    private Hash submit(SigningKey from, Call call) {
        Transaction tx = Transaction.sign(view().info().genesisHash(), from, view().nextNonce(from.account()), view().info().minimumFee(), call);
        SubmitResult r = node.submitter().submit(tx.encode());
        assertInstanceOf(SubmitResult.Accepted.class, r, r.toString());
        return tx.hash();
    }

    private void sudo(GovernanceCall call) {
        submit(SUDO, new SudoCall.Sudo(call));
    }

    /** What a client does: seal the command to the contract key it reads from the chain, push it. */
    private Hash addNote(String text) {
        X25519PublicKey key = Registry.contract(view().state(), NOTES).flatMap(ContractRecord::publicKey).orElseThrow();
        byte[] sealed = CommandEnvelope.seal(key, view().info().genesisHash(), NOTES, CLIENT.account(),
                SecretNotesMessages.encode(new SecretNotesMessages.AddNote(text)));
        return submit(CLIENT, new ContractsCall.PushCommand(NOTES, sealed));
    }

    private String get(WorkerHost h, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + h.httpPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    /** An encrypted query over HTTP, to the worker's registered keys as the chain lists them. */
    private QueryEnvelope.Result query(WorkerHost h, SigningKey caller) throws IOException, InterruptedException {
        WorkerRecord rec = Registry.worker(view().state(), h.id()).orElseThrow();
        QueryEnvelope.Pending p = QueryEnvelope.seal(view().info().genesisHash(), rec.info().identity(), rec.info().ecdhKey(), caller,
                NOTES, SecretNotesMessages.encode(new SecretNotesMessages.ListNotes()), RANDOM);
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + h.httpPort() + "/v1/query"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(p.request())).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        return p.open(r.body());
    }

    private List<String> notes(WorkerHost h) throws IOException, InterruptedException {
        return notes(h, CLIENT);
    }

    private List<String> notes(WorkerHost h, SigningKey caller) throws IOException, InterruptedException {
        QueryEnvelope.Result r = query(h, caller);
        return SecretNotesMessages.decodeNotes(assertInstanceOf(QueryEnvelope.Result.Answer.class, r, r.toString()).answer())
                .stream().map(SecretNotesMessages.Note::text).toList();
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting for " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void aNoteTravelsEncryptedThroughTheChainAndComesBackThroughAnEncryptedQuery() throws Exception {
        Hash tx = addNote(CANARY);
        await("both outcomes", () -> w1.outcome(tx).isPresent() && w2.outcome(tx).isPresent());
        assertTrue(w1.outcome(tx).orElseThrow().ok());
        String outcome = get(w2, "/v1/commands/" + tx.hex());
        assertTrue(outcome.startsWith("200 ") && outcome.contains("\"ok\":true") && outcome.contains("\"code\":\"OK\""), outcome);
        assertTrue(get(w1, "/v1/commands/" + Hash.ZERO.hex()).startsWith("404 "));
        assertTrue(get(w1, "/v1/commands/xyz").startsWith("400 "));

        assertEquals(List.of(CANARY), notes(w1));
        assertEquals(List.of(CANARY), notes(w2));
        assertEquals(List.of(), notes(w1, DevKeys.get("ferdie")), "another account sees none of them");
        assertEquals("NOT_HOSTED", assertInstanceOf(QueryEnvelope.Result.Refused.class, query(gatekeeper, CLIENT)).code());

        String status = get(w1, "/v1/status");
        assertTrue(status.startsWith("200 "), status);
        assertTrue(status.contains("\"platform\":\"sim\""), status);
        assertTrue(status.contains(Platform.SIM_WARNING), status);
        assertTrue(status.contains("\"registered\":true") && status.contains("\"roles\":[\"compute\"]"), status);
        assertTrue(get(gatekeeper, "/v1/status").contains("\"roles\":[\"gatekeeper\"]"));
        assertEquals(w1.status().hosted(), w2.status().hosted(), "same commands, same state");
        assertTrue(get(w1, "/v1/nothing").startsWith("404 "));
        await("w1's endpoint on chain", () -> Registry.endpoint(view().state(), w1.id())
                .equals(Optional.of("http://127.0.0.1:" + w1.httpPort())));
    }

    /** The chain's {@code GasSettled} event for {@code tx}, if any block has it. */
    private Optional<Event.GasSettled> gasSettled(Hash tx) {
        for (long h = 1; h <= view().head().height(); h++) {
            for (EventRecord r : view().events(h).orElse(List.of())) {
                if (r.event() instanceof Event.GasSettled g && g.txHash().equals(tx)) {
                    return Optional.of(g);
                }
            }
        }
        return Optional.empty();
    }

    private static byte[] i64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    @Test
    void aWebAssemblyContractIsUploadedInstantiatedCalledAndItsGasSettledOnChain() throws Exception {
        byte[] code = ExampleContract.COUNTER.wasm();
        submit(CLIENT, new ContractsCall.UploadCode(code));
        Hash codeHash = cloister.crypto.Sha256.hash(code);
        byte[] salt = {42};
        ContractId id = ContractId.wasm(CLIENT.account(), codeHash, 0, salt);
        X25519PublicKey clusterKey = Registry.cluster(view().state(), 0).flatMap(c -> c.publicKey()).orElseThrow();
        byte[] args = ConstructorEnvelope.seal(clusterKey, view().info().genesisHash(), id, CLIENT.account(), i64(40));
        long gasLimit = 1_000_000;
        Hash init = submit(CLIENT, new ContractsCall.Instantiate(codeHash, 0, salt, args, gasLimit, 1));
        await("the contract key", () -> Registry.contract(view().state(), id).flatMap(ContractRecord::publicKey).isPresent());
        X25519PublicKey key = Registry.contract(view().state(), id).flatMap(ContractRecord::publicKey).orElseThrow();
        Hash call = submit(CLIENT, new ContractsCall.CallContract(id,
                CommandEnvelope.seal(key, view().info().genesisHash(), id, CLIENT.account(), i64(2)), gasLimit, 1));
        await("both workers ran the call", () -> w1.outcome(call).isPresent() && w2.outcome(call).isPresent());
        CommandOutcome o1 = w1.outcome(call).orElseThrow();
        assertTrue(o1.ok(), o1.toString());
        assertEquals(o1, w2.outcome(call).orElseThrow(), "same outcome and gas on both workers");
        assertTrue(w1.outcome(init).orElseThrow().ok());

        await("gas settled on chain", () -> gasSettled(call).isPresent() && gasSettled(init).isPresent());
        Event.GasSettled settled = gasSettled(call).orElseThrow();
        assertEquals(o1.gasUsed(), settled.gasUsed());
        assertEquals(o1.gasUsed(), settled.fee(), "gas price 1");
        assertEquals(gasLimit - o1.gasUsed(), settled.refund());
        assertEquals(w1.outcome(init).orElseThrow().gasUsed(), gasSettled(init).orElseThrow().gasUsed());
        String outcome = get(w2, "/v1/commands/" + call.hex());
        assertTrue(outcome.contains("\"gasUsed\":" + o1.gasUsed()), outcome);

        WorkerRecord rec = Registry.worker(view().state(), w2.id()).orElseThrow();
        QueryEnvelope.Pending p = QueryEnvelope.seal(view().info().genesisHash(), rec.info().identity(), rec.info().ecdhKey(), CLIENT,
                id, new byte[0], RANDOM);
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + w2.httpPort() + "/v1/query"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(p.request())).build(), HttpResponse.BodyHandlers.ofByteArray());
        QueryEnvelope.Result answer = p.open(r.body());
        assertEquals(42, ByteBuffer.wrap(assertInstanceOf(QueryEnvelope.Result.Answer.class, answer, answer.toString()).answer())
                .order(ByteOrder.LITTLE_ENDIAN).getLong());
        assertEquals(w1.status().hosted(), w2.status().hosted());
    }

    @Test
    void aRestartedWorkerKeepsItsIdentityAndStateAndKeepsUp() throws Exception {
        Hash first = addNote(CANARY);
        await("w1's outcome", () -> w1.outcome(first).isPresent() && w2.outcome(first).isPresent());
        WorkerId id = w1.id();
        w1.close();
        hosts.remove(w1);
        Hash second = addNote("written while w1 was down");
        await("w2's outcome", () -> w2.outcome(second).isPresent());
        w1 = open("w1", DevKeys.get("charlie"));
        assertEquals(id, w1.id());
        await("w1 catches up", () -> w1.outcome(second).isPresent());
        assertEquals(List.of(CANARY, "written while w1 was down"), notes(w1));
        assertEquals(w1.status().hosted(), w2.status().hosted());
        assertNotEquals(0, w1.status().hosted().get(0).commands());
        assertEquals(1, Registry.workers(view().state()).stream().filter(id::equals).count(), "registered once");
    }

    @Test
    void theCanaryNeverLeavesTheEnclaves() throws Exception {
        Hash tx = addNote(CANARY);
        await("outcomes", () -> w1.outcome(tx).isPresent() && w2.outcome(tx).isPresent());
        assertEquals(List.of(CANARY), notes(w1));
        hosts.forEach(WorkerHost::close);
        hosts.clear();
        node.close();
        node = null;
        byte[] canary = CANARY.getBytes(StandardCharsets.UTF_8);
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        assertFalse(files.isEmpty());
        for (Path f : files) {
            byte[] content = Files.readAllBytes(f);
            assertFalse(indexOf(content, canary) >= 0, "the canary is in " + dir.relativize(f));
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
