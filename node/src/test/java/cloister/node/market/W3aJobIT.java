package cloister.node.market;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.chain.runtime.datamarket.DataMarket;
import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.crypto.DevKeys;
import cloister.crypto.SigningKey;
import cloister.market.job.ReleasedResult;
import cloister.market.job.ResultSeal;
import cloister.node.CanaryScan;
import cloister.node.devnet.LocalNetwork;
import cloister.proto.DataMarketCall;
import cloister.proto.SignedWorkerMessage;
import cloister.proto.WorkerMessage;
import cloister.sdk.CloisterClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * W3A end to end on an in-process devnet (sim TEE): three owners encrypt survey records into the storage network and
 * escrow each file's key to cluster 0; two consent by standing policy, one by hand; the chain assigns the job to a
 * worker whose enclave fetches the encrypted batches through its host, opens them, runs the guarded analysis and seals
 * the noised result to the buyer, who opens it; every owner is paid. A {@code SELECT *} that reaches the enclave is
 * refused there (and its ε given back); a query grouped by a unique-per-row column releases no group. Deleting a
 * dataset yields a receipt signed by the designated worker. Canary scan: the planted values appear in no file on disk
 * (chain, staging, providers, sealed worker state) and in no API response.
 */
class W3aJobIT {
    private static final String CANARY = "CANARY-4f0c2e-w3a-record-must-stay-in-the-enclave";
    private static final long CLO = W3aDevnet.CLO;
    private static final long PRICE = W3aDevnet.PRICE;

    @TempDir
    static Path dir;
    static W3aDevnet w3a;
    static LocalNetwork net;
    static CloisterClient client;
    static Hash genesis;
    /** Everything the process logs during the test (slf4j-simple writes to the current System.err). */
    static final java.io.ByteArrayOutputStream LOG = new java.io.ByteArrayOutputStream();
    static java.io.PrintStream originalErr;

    @BeforeAll
    static void start() throws Exception {
        originalErr = System.err;
        System.setErr(new java.io.PrintStream(new Tee(originalErr, LOG), true, StandardCharsets.UTF_8));
        w3a = W3aDevnet.start(dir.resolve("net"), 250, 2, false);
        net = w3a.net;
        client = w3a.client;
        genesis = w3a.genesis;
    }

    @AfterAll
    static void stop() {
        if (w3a != null) {
            w3a.close();
        }
        if (originalErr != null) {
            System.setErr(originalErr);
        }
    }

    @Test
    void surveyJobRunsInTheEnclaveAndOnlyNoisedAggregatesLeave() throws Exception {
        // Three owners, one record each (the usual survey: k = 2, one row per owner). Two share an age band.
        long alice = w3a.collect("alice", List.<Object[]>of(new Object[] {"30-39", 52_000.0, CANARY + "-alice"}));
        long bob = w3a.collect("bob", List.<Object[]>of(new Object[] {"30-39", 61_000.0, CANARY + "-bob"}));
        long charlie = w3a.collect("charlie", List.<Object[]>of(new Object[] {"40-49", 75_000.0, CANARY + "-charlie"}));
        for (long d : List.of(alice, bob, charlie)) {
            String owner = d == alice ? "alice" : d == bob ? "bob" : "charlie";
            w3a.list(owner, d);
        }
        w3a.consentByPolicy("alice", alice);
        w3a.consentByPolicy("bob", bob);
        long[] before = {DataMarket.earnings(state(), account("alice")), DataMarket.earnings(state(), account("bob")),
            DataMarket.earnings(state(), account("charlie"))};

        // The survey query; charlie approves by hand.
        SigningKey buyer = DevKeys.get("eve");
        long job = submitJob("SELECT age_band, COUNT(*), AVG(income) FROM survey GROUP BY age_band", List.of(alice, bob, charlie));
        w3a.ok("charlie", new DataMarketCall.Decide(job, charlie, true));
        DataMarket.Job done = awaitEnded(job);
        assertEquals(DataMarket.JobState.DONE, done.state(), done.reason());
        assertEquals(3, done.owners());
        assertEquals(3, done.rows());
        assertEquals(Hash.wrap(cloister.crypto.Sha256.digest(done.sealedResult())), done.resultHash(), "the result hash is the sealed bytes'");
        ReleasedResult result = ReleasedResult.decode(ResultSeal.open(ResultSeal.buyerKey(buyer), genesis, job, done.sealedResult()));
        assertEquals(List.of("age_band", "count", "avg_income"), normalized(result.columns()), result.table());
        assertEquals(1, result.rows().size(), "only the 30-39 band has k = 2 owners: " + result.table());
        assertEquals("30-39", result.rows().get(0).get(0));
        assertEquals(1, result.suppressedGroups(), "the 40-49 band (one owner) is suppressed");
        assertTrue(result.rows().get(0).get(1) instanceof Long, "a noised count");
        assertEquals(3, result.owners());
        long[] after = {DataMarket.earnings(state(), account("alice")), DataMarket.earnings(state(), account("bob")),
            DataMarket.earnings(state(), account("charlie"))};
        for (int i = 0; i < 3; i++) {
            assertEquals(before[i] + PRICE, after[i], "every consenting owner is paid once");
        }
        // Nobody else can open it.
        assertThrowsHpke(() -> ResultSeal.open(ResultSeal.buyerKey(DevKeys.get("bob")), genesis, job, done.sealedResult()));

        // A SELECT * that reaches the enclave (the CLI refuses it before) fails there, before any data is read: ε given back.
        long spent = DataMarket.dataset(state(), alice).orElseThrow().epsilonSpent();
        long star = submitJob("SELECT * FROM survey", List.of(alice, bob));
        DataMarket.Job refused = awaitEnded(star);
        assertEquals(DataMarket.JobState.FAILED, refused.state());
        assertTrue(refused.reason().startsWith("NOT_AGGREGATE"), refused.reason());
        assertEquals(spent, DataMarket.dataset(state(), alice).orElseThrow().epsilonSpent(), "ε given back");

        // Grouping by a column unique to each row releases no group at all.
        long unique = submitJob("SELECT note, COUNT(*) FROM survey GROUP BY note", List.of(alice, bob));
        DataMarket.Job none = awaitEnded(unique);
        assertEquals(DataMarket.JobState.DONE, none.state(), none.reason());
        ReleasedResult empty = ReleasedResult.decode(ResultSeal.open(ResultSeal.buyerKey(buyer), genesis, unique, none.sealedResult()));
        assertEquals(0, empty.rows().size(), empty.table());
        assertEquals(2, empty.suppressedGroups());

        // Deletion: the designated worker signs the receipt.
        w3a.ok("alice", new DataMarketCall.DeleteDataset(alice));
        DataMarket.Dataset deleted = W3aDevnet.await("alice's deletion receipt", Duration.ofSeconds(30), () -> {
            DataMarket.Dataset d = DataMarket.dataset(state(), alice).orElseThrow();
            return d.receipt().length > 0 ? d : null;
        });
        SignedWorkerMessage receipt = SignedWorkerMessage.decode(deleted.receipt());
        assertEquals(deleted.receiptWorker().orElseThrow(), receipt.worker());
        assertEquals(new WorkerMessage.DeletionReceipt(alice, deleted.deletedAt()), receipt.message());

        // Canary scan: files on disk, then every API response about blocks, events and worker messages.
        byte[] canary = CANARY.getBytes(StandardCharsets.US_ASCII);
        List<Path> leaks = CanaryScan.filesContaining(dir.resolve("net"), canary);
        assertEquals(List.of(), leaks, "plaintext records found outside the enclave");
        String logs;
        synchronized (LOG) {
            logs = LOG.toString(StandardCharsets.UTF_8);
        }
        assertTrue(logs.contains("job " + job + " done"), "the log capture works");
        assertTrue(!logs.contains("CANARY-4f0c2e"), "canary in the logs");
        HttpClient http = HttpClient.newHttpClient();
        List<String> market = new ArrayList<>(List.of("/v1/market/datasets", "/v1/market/jobs", "/v1/market/jobs/999", "/v1/market/datasets/999"));
        for (long id = 1; id <= 3; id++) {
            market.add("/v1/market/datasets/" + id);
            market.add("/v1/market/jobs/" + id);
        }
        for (String path : market) {
            String body = http.send(HttpRequest.newBuilder(URI.create(net.apiUrl() + path)).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(!body.contains("CANARY-4f0c2e"), "canary in " + path);
        }
        long head = client.head().height();
        for (long h = 1; h <= head; h++) {
            for (String path : List.of("/v1/blocks/" + h, "/v1/blocks/" + h + "/events", "/v1/blocks/" + h + "/worker-messages")) {
                String body = http.send(HttpRequest.newBuilder(URI.create(net.apiUrl() + path)).build(), HttpResponse.BodyHandlers.ofString()).body();
                assertTrue(!body.contains("CANARY-4f0c2e"), "canary in " + path);
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Writes to the console and to the capture. */
    private static final class Tee extends java.io.OutputStream {
        private final java.io.OutputStream a;
        private final java.io.ByteArrayOutputStream b;

        Tee(java.io.OutputStream a, java.io.ByteArrayOutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int x) throws IOException {
            a.write(x);
            synchronized (b) {
                b.write(x);
            }
        }

        @Override
        public void write(byte[] buf, int off, int len) throws IOException {
            a.write(buf, off, len);
            synchronized (b) {
                b.write(buf, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            a.flush();
        }
    }

    private static long submitJob(String sql, List<Long> datasets) {
        return w3a.submitJob(DevKeys.get("eve"), sql, datasets, 3 * PRICE + CLO);
    }

    private static DataMarket.Job awaitEnded(long job) throws InterruptedException {
        return w3a.awaitEnded(job, Duration.ofSeconds(60));
    }

    private static cloister.chain.store.StateReader state() {
        return w3a.state();
    }

    private static AccountId account(String name) {
        return W3aDevnet.account(name);
    }

    private static List<String> normalized(List<String> columns) {
        List<String> out = new ArrayList<>();
        columns.forEach(c -> out.add(c.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "")
                ));
        return out;
    }

    private interface HpkeCall {
        void run() throws Exception;
    }

    private static void assertThrowsHpke(HpkeCall c) {
        try {
            c.run();
        } catch (cloister.crypto.HpkeException e) {
            return;
        } catch (Exception e) {
            throw new AssertionError("expected an HpkeException, got " + e, e);
        }
        throw new AssertionError("the result opened with another account's key");
    }
}
