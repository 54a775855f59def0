package cloister.node.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.chain.ChainConfig;
import cloister.chain.ChainNode;
import cloister.chain.Genesis;
import cloister.chain.runtime.registry.Registry;
import cloister.crypto.DevKeys;
import cloister.crypto.EcdhKey;
import cloister.crypto.SigningKey;
import cloister.node.devnet.DevnetBootstrap;
import cloister.node.tee.WorkerBuild;
import cloister.proto.AttestationEvidence;
import cloister.proto.BlockHeader;
import cloister.proto.CanonicalReader;
import cloister.proto.ContractId;
import cloister.proto.InboundMessage;
import cloister.proto.RegistryCall;
import cloister.proto.SignedWorkerMessage;
import cloister.proto.Transaction;
import cloister.proto.WorkerId;
import cloister.proto.WorkerInfo;
import cloister.proto.WorkerMessage;
import cloister.sdk.CloisterApiException;
import cloister.sdk.CloisterClient;
import cloister.sdk.ContractInfo;
import cloister.sdk.RegisteredWorker;
import cloister.tee.Evidence;
import cloister.tee.Measurement;
import cloister.tee.sim.SimAttestationRoot;
import cloister.tee.sim.SimMachine;
import cloister.tee.sim.SimPlatform;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry endpoints and the worker sync endpoint over a real chain that trusts a sim root; workers are
 * played by this test (their keys and quotes made as an enclave would), so the API is checked on its own.
 */
class RegistryApiIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Measurement BUILD = WorkerBuild.measurement(RegistryApiIT.class, "test");

    @TempDir
    static Path dataDir;
    static ChainNode node;
    static ApiServer api;
    static CloisterClient client;
    static String base;
    static SimAttestationRoot root;
    static final HttpClient http = HttpClient.newHttpClient();

    /** A worker played by the test. */
    record FakeWorker(SigningKey identity, EcdhKey ecdh, WorkerInfo info, AtomicLong seq) {
        WorkerId id() {
            return info.identity();
        }

        SignedWorkerMessage say(WorkerMessage m) {
            return SignedWorkerMessage.sign(identity, info.genesisHash(), seq.getAndIncrement(), m);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        root = SimAttestationRoot.loadOrCreate(dataDir.resolve("sim-root"), "registry api test");
        Genesis.Spec spec = Genesis.dev().withTee(new Genesis.TeeTrust(Optional.of(root.certificate()), List.of(BUILD),
                Registry.AttestationPolicy.DEV));
        node = ChainNode.start(ChainConfig.dev(dataDir.resolve("chain")).withInstantSeal(true), spec);
        api = ApiServer.start(node.view(), node.submitter(), "127.0.0.1", 0);
        base = "http://127.0.0.1:" + api.port();
        client = new CloisterClient(base);
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
        if (node != null) {
            node.close();
        }
    }

    private static FakeWorker register(String operatorName) {
        SigningKey operator = DevKeys.get(operatorName);
        SigningKey identity = SigningKey.generate(RANDOM);
        EcdhKey ecdh = EcdhKey.generate(RANDOM);
        WorkerInfo info = new WorkerInfo(WorkerId.of(identity.account()), ecdh.publicKey(), client.genesisHash(), operator.account(), "test");
        Evidence e = new SimPlatform(SimMachine.ephemeral(RANDOM), root, BUILD, System::currentTimeMillis, RANDOM).quote(info.reportData());
        submit(operator, new RegistryCall.RegisterWorker(info, new AttestationEvidence(e.platform().code(), e.quote(), e.collateral())));
        return new FakeWorker(identity, ecdh, info, new AtomicLong());
    }

    private static void submit(SigningKey from, cloister.proto.Call call) {
        Transaction tx = Transaction.sign(client.genesisHash(), from, client.nextNonce(from.account()), 1_000_000, call);
        assertTrue(client.waitForInclusion(client.submit(tx), Duration.ofSeconds(20)).success(), call.name());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void workersRegistryContractsAndSyncThroughTheApi() throws Exception {
        FakeWorker gk = register("dave");
        FakeWorker w1 = register("eve");
        FakeWorker w2 = register("ferdie");

        RegisteredWorker seen = client.worker(w1.id());
        assertEquals(w1.ecdh().publicKey(), seen.ecdhKey());
        assertEquals("sim", seen.platform());
        assertTrue(seen.simulated());
        assertTrue(seen.measurementAllowed());
        assertEquals(BUILD.hex(), seen.measurement());
        assertEquals(5, seen.confidenceLevel());
        assertEquals(3, client.workers().size());
        JsonNode registry = JSON.readTree(get("/v1/registry").body());
        assertEquals(root.certificate().fingerprint().hex(), registry.path("simRoot").asText());
        assertTrue(registry.path("simWarning").asText().contains("NO hardware protection"));
        assertEquals(BUILD.hex(), registry.path("allowlist").get(0).path("measurement").asText());
        assertTrue(get("/v1/workers/" + w1.id().hex()).body().contains("NO hardware protection"));

        // The devnet's governance bootstrap, with the test playing the gatekeeper's part.
        List<String> steps = new ArrayList<>();
        DevnetBootstrap bootstrap = new DevnetBootstrap(node.view(), node.submitter(), DevKeys.get("alice"), steps::add, Duration.ofSeconds(20));
        Thread gatekeeper = Thread.ofVirtual().start(() -> {
            try {
                while (Registry.gatekeepers(node.view().state()).isEmpty()) {
                    Thread.sleep(10);
                }
                submit(DevKeys.get("dave"), new RegistryCall.SubmitWorkerMessage(gk.say(
                        new WorkerMessage.MasterKeyPublished(0, EcdhKey.generate(RANDOM).publicKey(), List.of()))));
                ContractId notes = ContractId.system(DevnetBootstrap.NOTES_KIND, 0);
                while (Registry.contract(node.view().state(), notes).isEmpty()) {
                    Thread.sleep(10);
                }
                submit(DevKeys.get("dave"), new RegistryCall.SubmitWorkerMessage(gk.say(
                        new WorkerMessage.ContractKeyPublished(notes, EcdhKey.generate(RANDOM).publicKey(), List.of()))));
                submit(DevKeys.get("dave"), new RegistryCall.SubmitWorkerMessage(gk.say(
                        new WorkerMessage.EndpointAnnounced("http://127.0.0.1:1234"))));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        bootstrap.allow(BUILD);
        ContractId notes = bootstrap.run(gk.id(), List.of(w1.id(), w2.id()));
        gatekeeper.join(20_000);
        assertEquals(List.of("adding gatekeeper " + gk.id().hex().substring(0, 16) + "…", "creating cluster 0 with 2 workers",
                "deploying secret-notes to cluster 0"), steps);
        ContractInfo c = client.contract(notes);
        assertEquals("secret-notes", c.kind());
        assertEquals(List.of(w1.id(), w2.id()), c.workers());
        assertTrue(c.publicKey().isPresent());
        assertEquals(1, client.contracts().size());
        // Run again: everything is in place, nothing is submitted.
        long nonce = client.nextNonce(DevKeys.get("alice").account());
        steps.clear();
        assertEquals(notes, bootstrap.run(gk.id(), List.of(w1.id(), w2.id())));
        assertEquals(nonce, client.nextNonce(DevKeys.get("alice").account()));
        assertTrue(steps.isEmpty());
        while (client.worker(gk.id()).endpoint().isEmpty()) {
            Thread.sleep(10);
        }
        assertEquals(Optional.of("http://127.0.0.1:1234"), client.worker(gk.id()).endpoint());

        // Sync: headers and worker messages, every root checkable by a worker.
        long head = client.head().height();
        byte[] sync = client.syncBytes(0, 10_000);
        CanonicalReader r = new CanonicalReader(sync);
        int n = r.u32("n");
        assertEquals(head + 1, n);
        int messages = 0;
        BlockHeader previous = null;
        for (int i = 0; i < n; i++) {
            BlockHeader h = BlockHeader.decode(r.bytes(1024, "header"));
            List<InboundMessage> list = InboundMessage.decodeList(r.bytes(1 << 20, "messages"));
            assertEquals(i, h.height());
            assertEquals(InboundMessage.root(list), h.workerMessagesRoot());
            if (previous != null) {
                assertEquals(previous.hash(), h.parentHash());
                assertTrue(h.verifySeal());
            }
            previous = h;
            messages += list.size();
        }
        r.end("sync");
        assertTrue(messages >= 1 + 3 + 1 + 1 + 1 + 1, "authority set, registrations, gatekeeper, cluster, contract, keys: " + messages);
        assertArrayEquals(java.util.Arrays.copyOfRange(client.syncBytes(0, 1), 4, 8), java.util.Arrays.copyOfRange(sync, 4, 8));
        JsonNode genesisMessages = JSON.readTree(get("/v1/blocks/0/worker-messages").body());
        assertEquals("AuthoritySet", genesisMessages.path("messages").get(0).path("type").asText());
    }

    @Test
    void badIdsAreRefusedWithReasons() throws Exception {
        for (String[] c : new String[][] {{"/v1/workers/xyz", "400", "BAD_REQUEST"}, {"/v1/workers/" + "ab".repeat(32), "404", "NOT_FOUND"},
                {"/v1/contracts/12", "400", "BAD_REQUEST"}, {"/v1/contracts/" + "cd".repeat(32), "404", "NOT_FOUND"},
                {"/v1/clusters/99", "404", "NOT_FOUND"}, {"/v1/sync?from=x", "400", "BAD_REQUEST"},
                {"/v1/sync?from=0&count=0", "400", "BAD_REQUEST"}, {"/v1/sync?from=999999", "404", "NOT_FOUND"},
                {"/v1/blocks/999999/worker-messages", "404", "NOT_FOUND"}}) {
            HttpResponse<String> resp = get(c[0]);
            assertEquals(Integer.parseInt(c[1]), resp.statusCode(), c[0] + " " + resp.body());
            assertEquals(c[2], JSON.readTree(resp.body()).path("code").asText(), c[0]);
            assertFalse(resp.body().contains("Exception"), resp.body());
        }
        CloisterApiException e = assertThrows(CloisterApiException.class, () -> client.worker(WorkerId.of(new byte[32])));
        assertEquals("NOT_FOUND", e.code());
    }
}
