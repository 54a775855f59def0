package cloister.acceptance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.common.Hex;
import cloister.crypto.DevKeys;
import cloister.proto.ContractId;
import cloister.proto.envelope.SecretNotesMessages;
import cloister.sdk.CloisterClient;
import cloister.sdk.ConfidentialClient;
import cloister.sdk.RegisteredWorker;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The confidential path through the real launcher: a devnet (chain, API, one gatekeeper and two workers on the sim
 * TEE), the CLI adding, sharing and listing secret notes, and the privacy check: unique canary strings planted in
 * notes appear in no file the devnet wrote (chain RocksDB, the workers' sealed blobs, the sim TEE files), in none of
 * its log output, and in none of the bytes that crossed the node's API or a worker's query endpoint — only in the
 * answers the owner's own client decrypted.
 */
class ConfidentialNotesIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static String canary() {
        byte[] b = new byte[8];
        new SecureRandom().nextBytes(b);
        return "canary-" + Hex.encode(b);
    }

    @Test
    void notesAreSharedAndNeverLeaveTheEnclaves() throws Exception {
        String secretA = canary();
        String secretB = canary();
        Path dataDir = tmp.resolve("devnet");
        Path log = tmp.resolve("devnet.log");
        List<Devnet.Result> cliRuns = new ArrayList<>();
        byte[] apiSent;
        byte[] apiReceived;
        byte[] workerSent;
        byte[] workerReceived;
        List<String> workerIds;
        try (Devnet devnet = Devnet.start(dataDir, Devnet.freePort(), log, "--instant-seal");
             RecordingProxy api = new RecordingProxy(devnet.port)) {
            devnet.awaitBootstrap();
            String node = api.url();

            Devnet.Result addA = cli(cliRuns, "notes", "add", "--as", "alice", secretA, "--node", node);
            assertEquals(0, addA.exit(), addA.err());
            assertTrue(addA.out().contains("note added"), addA.out());
            assertTrue(addA.out().contains("sim: no hardware protection"), addA.out());
            assertEquals(0, cli(cliRuns, "notes", "add", "--as", "alice", secretB, "--node", node).exit());

            Devnet.Result aliceList = cli(cliRuns, "notes", "list", "--as", "alice", "--json", "--node", node);
            assertEquals(0, aliceList.exit(), aliceList.err());
            JsonNode notes = JSON.readTree(aliceList.out());
            assertEquals(2, notes.size(), aliceList.out());
            long idA = -1;
            for (JsonNode n : notes) {
                if (n.path("text").asText().equals(secretA)) {
                    idA = n.path("id").asLong();
                }
            }
            assertTrue(idA > 0, aliceList.out());

            Devnet.Result share = cli(cliRuns, "notes", "share", "--as", "alice", "--with", "bob", Long.toString(idA), "--node", node);
            assertEquals(0, share.exit(), share.err());
            Devnet.Result bobList = cli(cliRuns, "notes", "list", "--as", "bob", "--node", node);
            assertEquals(0, bobList.exit(), bobList.err());
            assertTrue(bobList.out().contains(secretA) && bobList.out().contains("from alice"), bobList.out());
            assertFalse(bobList.out().contains(secretB), "bob sees only the shared note: " + bobList.out());
            Devnet.Result charlieList = cli(cliRuns, "notes", "list", "--as", "charlie", "--node", node);
            assertEquals(0, charlieList.exit(), charlieList.err());
            assertFalse(charlieList.out().contains(secretA) || charlieList.out().contains(secretB), charlieList.out());

            // Bob cannot share alice's note onward: the contract refuses, the CLI says why in one line.
            Devnet.Result reshare = cli(cliRuns, "notes", "share", "--as", "bob", "--with", "charlie", Long.toString(idA), "--node", node);
            assertEquals(1, reshare.exit(), reshare.out() + reshare.err());
            assertTrue(reshare.err().startsWith("error: UNKNOWN_NOTE: "), reshare.err());
            assertFalse(reshare.err().contains("\tat "), reshare.err());

            // Everything the chain shows about those blocks, through the recording proxy.
            HttpClient http = HttpClient.newHttpClient();
            long head = devnet.client().head().height();
            for (long h = 0; h <= head; h++) {
                for (String path : List.of("/v1/blocks/" + h, "/v1/blocks/" + h + "/events", "/v1/blocks/" + h + "/worker-messages")) {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(node + path)).build(), HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, r.statusCode(), path);
                }
            }
            assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(node + "/v1/sync?from=0")).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).statusCode());

            // A query through a recording proxy in front of a worker's endpoint: the owner's client decrypts the canary…
            CloisterClient client = devnet.client();
            ConfidentialClient cc = new ConfidentialClient(client);
            ContractId contract = ContractId.system(SecretNotesMessages.KIND, 0);
            RegisteredWorker w = cc.trustedWorkers(contract).get(0);
            int workerPort = URI.create(w.endpoint().orElseThrow()).getPort();
            try (RecordingProxy workerProxy = new RecordingProxy(workerPort)) {
                RegisteredWorker viaProxy = new RegisteredWorker(w.id(), w.ecdhKey(), w.operator(), w.runtimeVersion(), w.platform(),
                        w.measurement(), w.measurementAllowed(), w.confidenceLevel(), w.tcbStatus(), w.gatekeeper(), w.registeredAt(),
                        Optional.of(workerProxy.url()));
                ConfidentialClient.QueryAnswer answer = cc.query(viaProxy, DevKeys.get("alice"), contract,
                        SecretNotesMessages.encode(new SecretNotesMessages.ListNotes()));
                List<String> texts = SecretNotesMessages.decodeNotes(answer.answer()).stream().map(SecretNotesMessages.Note::text).toList();
                assertTrue(texts.contains(secretA) && texts.contains(secretB), "the client decrypted its notes: " + texts);
                workerSent = workerProxy.sent();
                workerReceived = workerProxy.received();
            }
            assertTrue(workerSent.length > 0 && workerReceived.length > 0);
            apiSent = api.sent();
            apiReceived = api.received();
            workerIds = client.workers().stream().map(x -> x.id().hex()).sorted().toList();
            devnet.kill9();
        }
        // kill -9 of the whole devnet (chain and workers), then a restart on the same data: the workers come back
        // with the same identities (unsealed keys, no new registration) and the same contract state.
        try (Devnet again = Devnet.start(dataDir, Devnet.freePort(), log, "--instant-seal")) {
            again.awaitLog("  ready.", 2);
            assertEquals(workerIds, again.client().workers().stream().map(x -> x.id().hex()).sorted().toList());
            Devnet.Result bobAgain = cli(cliRuns, "notes", "list", "--as", "bob", "--node", again.url());
            assertEquals(0, bobAgain.exit(), bobAgain.err());
            assertTrue(bobAgain.out().contains(secretA), bobAgain.out());
            Devnet.Result aliceAgain = cli(cliRuns, "notes", "list", "--as", "alice", "--json", "--node", again.url());
            assertEquals(2, JSON.readTree(aliceAgain.out()).size(), aliceAgain.out());
        }
        // …and nothing else ever held it in the clear.
        List<String> canaries = List.of(secretA, secretB);
        assertNoCanary("bytes sent to the node API", apiSent, canaries);
        assertNoCanary("bytes the node API sent", apiReceived, canaries);
        assertNoCanary("bytes sent to the worker", workerSent, canaries);
        assertNoCanary("bytes the worker sent", workerReceived, canaries);
        assertNoCanary("devnet log", Files.readAllBytes(log), canaries);
        for (Devnet.Result r : cliRuns) {
            assertNoCanary("CLI error output", r.err().getBytes(StandardCharsets.UTF_8), canaries);
        }
        int files = 0;
        try (Stream<Path> all = Files.walk(dataDir)) {
            for (Path f : all.filter(Files::isRegularFile).toList()) {
                assertNoCanary(f.toString(), Files.readAllBytes(f), canaries);
                files++;
            }
        }
        assertTrue(files > 10, "scanned the chain database, sealed blobs and sim TEE files: " + files);
        assertTrue(Files.exists(dataDir.resolve("chain")) && Files.exists(dataDir.resolve("workers")));
    }

    private static Devnet.Result cli(List<Devnet.Result> runs, String... args) throws Exception {
        Devnet.Result r = Devnet.run(args);
        runs.add(r);
        return r;
    }

    /** The canary as UTF-8 text and as lower-case hex of those bytes (a hex dump of plaintext is still plaintext). */
    private static void assertNoCanary(String where, byte[] data, List<String> canaries) throws IOException {
        String latin = new String(data, StandardCharsets.ISO_8859_1);
        for (String c : canaries) {
            byte[] utf8 = c.getBytes(StandardCharsets.UTF_8);
            assertFalse(latin.contains(new String(utf8, StandardCharsets.ISO_8859_1)), "canary found in " + where);
            assertFalse(latin.contains(Hex.encode(utf8)), "canary (hex) found in " + where);
        }
    }
}
