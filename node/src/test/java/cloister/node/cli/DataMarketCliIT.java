package cloister.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.chain.ChainConfig;
import cloister.chain.runtime.datamarket.DataMarket;
import cloister.common.Hex;
import cloister.crypto.DevKeys;
import cloister.market.data.DatasetPreview;
import cloister.market.data.Schema;
import cloister.node.devnet.LocalNetwork;
import cloister.sdk.CloisterClient;
import cloister.sdk.DataCollector;
import cloister.sdk.DatasetInfo;
import cloister.sdk.JobInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * W3A through the real CLI on an in-process devnet (instant seal, one gatekeeper, one sim-TEE worker in cluster 0):
 * three owners collect survey records, list them, two set a standing policy, a buyer's job waits for the third owner,
 * who finds it with {@code data requests} and approves it; the cluster's worker runs it and the buyer opens the result. {@code SELECT *} is
 * refused on the buyer's machine before anything is sent. The audit log, earnings, grants, deletion, the API's
 * filters and its refusal to show escrowed keys are checked on the way.
 *
 */
class DataMarketCliIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SPEC = "age_band:text,income:real[0,250000],age:int[0,120]";
    private static final String SQL = "SELECT age_band, COUNT(*), AVG(income) FROM survey GROUP BY age_band";
    private static final String[] BANDS = {"18-29", "30-44", "45-64", "65+"};

    @TempDir
    static Path dir;
    static LocalNetwork net;
    static CloisterClient client;
    static Map<String, String> env = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        net = LocalNetwork.start(LocalNetwork.Options.defaults(ChainConfig.dev(dir.resolve("net")).withInstantSeal(true))
                .withApi("127.0.0.1", 0).withWorkers(1, 1).withStorage(0, false, 10));
        net.setUp(s -> { }, Duration.ofSeconds(60));
        env.put("CLOISTER_NODE", net.apiUrl());
        env.put("CLOISTER_HOME", dir.resolve("home").toString());
        client = new CloisterClient(net.apiUrl());
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (client.clusterKey(0).isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "cluster 0's key was not published");
            Thread.sleep(100);
        }
    }

    @AfterAll
    static void stop() {
        if (net != null) {
            net.close();
        }
    }

    private static Path survey(String owner, int rows, long seed) throws Exception {
        Random r = new Random(seed);
        StringBuilder csv = new StringBuilder("age_band,income,age\n");
        for (int i = 0; i < rows; i++) {
            csv.append(BANDS[r.nextInt(BANDS.length)]).append(',').append(10_000 + r.nextInt(190_000)).append(',').append(18 + r.nextInt(70))
                    .append('\n');
        }
        Path p = dir.resolve(owner + ".csv");
        Files.writeString(p, csv);
        return p;
    }

    private static CliRun ok(String... args) {
        CliRun r = CliRun.of(env, args);
        assertEquals(0, r.exit(), String.join(" ", args) + "\n" + r.err());
        assertTrue(r.noStackTrace(), r.err());
        return r;
    }

    private static CliRun refused(int exit, String code, String... args) {
        CliRun r = CliRun.of(env, args);
        assertEquals(exit, r.exit(), String.join(" ", args) + "\n" + r.out() + r.err());
        String last = r.err().lines().filter(l -> l.startsWith("error: ")).reduce((a, b) -> b).orElse(""); // after a progress bar, if any
        assertTrue(last.startsWith("error: " + code), r.err());
        assertTrue(r.noStackTrace(), r.err());
        return r;
    }

    private static JsonNode json(CliRun r) throws Exception {
        return JSON.readTree(r.out());
    }

    private static JsonNode api(String path) throws Exception {
        HttpResponse<String> resp = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(net.apiUrl() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(resp.body());
    }

    @Test
    void collectListConsentSubmitApproveAndTheAuditLog() throws Exception {
        // Three owners collect; Bob appends a second file to the same dataset; a different schema under that name is refused.
        long bob = json(ok("data", "collect", survey("bob", 40, 1).toString(), "--name", "survey", "--schema", SPEC, "--as", "bob", "--json"))
                .path("dataset").asLong();
        long charlie = json(ok("data", "collect", survey("charlie", 35, 2).toString(), "--name", "survey", "--schema", SPEC, "--as", "charlie",
                "--json")).path("dataset").asLong();
        CliRun daveCollect = ok("data", "collect", survey("dave", 30, 3).toString(), "--name", "survey", "--schema", SPEC, "--as", "dave");
        assertTrue(daveCollect.out().contains("(new)") && daveCollect.out().contains("30 collected"), daveCollect.out());
        long dave = Long.parseLong(daveCollect.out().strip().lines().reduce((a, b) -> b).orElseThrow().strip());
        JsonNode appended = json(ok("data", "collect", survey("bob2", 5, 4).toString(), "--name", "survey", "--schema", SPEC, "--as", "bob", "--json"));
        assertEquals(bob, appended.path("dataset").asLong());
        assertFalse(appended.path("created").asBoolean());
        refused(1, "SCHEMA_MISMATCH", "data", "collect", survey("bob3", 3, 5).toString(), "--name", "survey", "--schema",
                "age_band:text,income:real[0,100000],age:int[0,120]", "--as", "bob");
        DatasetInfo bobs = client.dataset(bob).orElseThrow();
        assertEquals(45, bobs.rows());
        assertEquals(2, bobs.batchCount());
        assertEquals(Schema.parse(SPEC).hash(), bobs.schemaHash());

        // An invalid record stops the collection before anything reaches the chain.
        Path broken = dir.resolve("broken.csv");
        Files.writeString(broken, "age_band,income,age\n18-29,abc,20\n");
        CliRun bad = refused(1, "NOT_A_NUMBER", "data", "collect", broken.toString(), "--name", "broken", "--schema", SPEC, "--as", "eve");
        assertTrue(bad.err().contains("line 2") && bad.err().contains("income"), bad.err());
        assertTrue(client.dataset(DevKeys.get("eve").account(), "broken").isEmpty());

        // The SDK directly, with small files: 25 records in 3 files.
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            rows.add(new Object[] {BANDS[i % 4], 50_000.0 + i, (long) (20 + i)});
        }
        DataCollector.Result small = new DataCollector(client, DevKeys.get("ferdie")).collect(rows, "small", Schema.parse(SPEC),
                DataCollector.Options.defaults().withBatchLimits(10, 64 << 10), DataCollector.Progress.NONE);
        assertEquals(25, small.rows());
        assertEquals(List.of(10L, 10L, 5L), small.files().stream().map(DataCollector.File::rows).toList());

        // Listings; a dataset that is not yours is refused with the chain's words before anything is sent.
        for (String[] o : new String[][] {{"bob", "" + bob}, {"charlie", "" + charlie}, {"dave", "" + dave}}) {
            ok("data", "list", o[1], "--as", o[0], "--price", "0.1", "--purposes", "research,public-health", "--k", "3", "--epsilon-total", "1",
                    "--epsilon-cap", "0.5", "--description", "household survey of " + o[0]);
        }
        refused(1, "NOT_OWNER", "data", "list", "" + charlie, "--as", "bob", "--price", "1", "--purposes", "research");

        // Dave publishes a preview: computed from his own records on his machine, a tenth of his ε budget spent on chain.
        CliRun previewed = ok("data", "list", "" + dave, "--as", "dave", "--price", "0.1", "--purposes", "research,public-health", "--k", "3",
                "--epsilon-total", "1", "--epsilon-cap", "0.5", "--description", "household survey of dave", "--preview");
        assertTrue(previewed.out().contains("it spent ε 0.1") && previewed.out().contains("income"), previewed.out());
        DatasetInfo daves = client.dataset(dave).orElseThrow();
        assertEquals(100_000, daves.epsilonSpentMicros());
        DatasetPreview preview = daves.listing().orElseThrow().preview().orElseThrow();
        assertEquals(Schema.parse(SPEC).hash(), preview.schemaHash());
        assertEquals(List.of("income", "age"), preview.columns().stream().map(DatasetPreview.ColumnSummary::column).toList());
        CliRun kept = ok("data", "list", "" + dave, "--as", "dave", "--price", "0.1", "--purposes", "research,public-health", "--k", "3",
                "--epsilon-total", "1", "--epsilon-cap", "0.5", "--description", "household survey of dave");
        assertTrue(kept.out().contains("kept (no ε spent)"), kept.out());
        assertEquals(100_000, client.dataset(dave).orElseThrow().epsilonSpentMicros(), "the same preview again spends nothing");
        assertEquals(Optional.of(preview), client.dataset(dave).orElseThrow().listing().orElseThrow().preview());
        refused(2, "", "data", "list", "" + bob, "--as", "bob", "--price", "1", "--purposes", "astrology");
        ok("data", "policy", "" + bob, "--as", "bob", "--purposes", "research", "--min-price", "0.1");
        ok("data", "policy", "survey", "--as", "charlie", "--purposes", "research", "--min-price", "0.05");

        // The market as a buyer sees it.
        CliRun market = ok("market", "ls", "--schema", SPEC, "--purpose", "research");
        assertTrue(market.out().contains("household survey of dave"), market.out());
        assertEquals(3, json(ok("market", "ls", "--purpose", "research", "--json")).path("datasets").size());
        assertEquals(1, json(ok("market", "ls", "--q", "OF CHARLIE", "--json")).path("datasets").size());
        CliRun show = ok("market", "show", "" + dave);
        assertTrue(show.out().contains("k = 3") && show.out().contains(SPEC) && show.out().contains("key escrowed"), show.out());
        assertTrue(show.out().contains(String.format("about %,d records (noisy summaries the owner published, ε 0.1)", preview.records())),
                show.out());
        // The noise is real (30 records, ε 0.02 per release): a column's noisy count may come out 0, and then it has no mean.
        // Either way the page shows exactly what the chain holds.
        for (DatasetPreview.ColumnSummary c : preview.columns()) {
            String mean = c.mean().isPresent() ? String.format(java.util.Locale.ROOT, "mean ≈ %,.2f", c.mean().getAsDouble()) : "mean unknown";
            assertEquals(c.count() == 0, c.mean().isEmpty(), "a mean exactly when the noisy count is above 0: " + c);
            assertTrue(show.out().contains(String.format("%-16s about %,d values, %s", c.column(), c.count(), mean)), show.out());
        }
        refused(1, "UNKNOWN_DATASET", "market", "show", "99");

        // A grant and its revocation.
        JsonNode grant = json(ok("data", "grant", "" + charlie, "--as", "charlie", "--to", "ferdie", "--purposes", "education",
                "--any-aggregate", "--price", "0.2", "--max-uses", "2", "--json"));
        assertEquals(0, grant.path("grant").asInt());
        ok("data", "revoke", "" + charlie, "0", "--as", "charlie");
        assertTrue(client.dataset(charlie).orElseThrow().grants().get(0).revoked());

        // SELECT * is refused on the buyer's machine, exactly as the enclave would refuse it: nothing is submitted.
        long jobsBefore = client.jobs(cloister.sdk.JobQuery.all()).size();
        refused(1, "NOT_AGGREGATE", "job", "submit", "--as", "eve", "--sql", "SELECT * FROM survey", "--purpose", "research",
                "--datasets", bob + "," + charlie + "," + dave, "--epsilon", "0.1");
        assertEquals(jobsBefore, client.jobs(cloister.sdk.JobQuery.all()).size());

        // The job: Bob's and Charlie's policies consent, Dave's dataset waits for him.
        long eveBefore = client.account(DevKeys.get("eve").account()).balance();
        JsonNode submitted = json(ok("job", "submit", "--as", "eve", "--sql", SQL, "--purpose", "research", "--datasets",
                bob + "," + charlie + "," + dave, "--epsilon", "0.1", "--consent-blocks", "1000", "--json"));
        long job = submitted.path("id").asLong();
        assertEquals(JobInfo.AWAITING_CONSENT, submitted.path("state").asText());
        assertEquals(List.of("consented", "consented", "pending"), states(client.job(job).orElseThrow()));
        long budget = 3 * 100_000_000L + DataMarket.JOB_FEE;
        assertEquals(budget, client.job(job).orElseThrow().budget(), "default budget: the list prices and the worker's fee");
        assertTrue(eveBefore - client.account(DevKeys.get("eve").account()).balance() >= budget, "the budget is escrowed");

        CliRun requests = ok("data", "requests", "--as", "dave");
        assertTrue(requests.out().contains("job " + job) && requests.out().contains(SQL) && requests.out().contains("purpose research")
                && requests.out().contains("offers 0.1 CLO"), requests.out());
        assertTrue(ok("data", "requests", "--as", "bob").out().contains("no job is waiting"));
        refused(1, "NOT_OWNER", "data", "approve", "" + job, "--as", "bob");
        CliRun approved = ok("data", "approve", "" + job, "" + dave, "--as", "dave");
        assertTrue(approved.out().contains("running"), approved.out());

        // Run by the cluster's (sim) worker: the result opens for the buyer only, and every owner is paid once.
        JsonNode result = json(ok("job", "result", "" + job, "--as", "eve", "--wait", "--timeout", "60", "--json"));
        assertEquals(3, result.path("owners").asInt(), result.toString());
        assertEquals(110, result.path("rowsRead").asLong(), "bob 45, charlie 35, dave 30");
        assertEquals("0.1", result.path("epsilon").asText());
        assertTrue(result.toString().contains("age_band"), result.toString());
        CliRun table = ok("job", "result", "" + job, "--as", "eve");
        assertTrue(table.out().contains("age_band"), table.out());
        refused(1, "NOT_BUYER", "job", "result", "" + job, "--as", "bob");
        JsonNode status = json(ok("job", "status", "" + job, "--json"));
        assertEquals(JobInfo.DONE, status.path("state").asText());
        assertEquals(net.workerIds().get(0).hex(), status.path("worker").asText());
        assertEquals("sim", status.path("workerPlatform").asText());
        assertEquals(3, status.path("datasetOwners").asInt());
        assertTrue(ok("job", "status", "" + job).out().contains("no hardware protection"));
        refused(1, "WRONG_JOB_STATE", "job", "cancel", "" + job, "--as", "eve");
        refused(1, "UNKNOWN_JOB", "job", "status", "999");
        JobInfo settled = client.job(job).orElseThrow();
        assertEquals(budget, settled.paid(), "three list prices and the worker's fee");
        assertEquals(0, settled.refund());

        // The audit log.
        CliRun log = ok("job", "ls");
        assertTrue(log.out().contains(SQL) && log.out().contains("done") && log.out().contains("research"), log.out());
        JsonNode eveJobs = json(ok("job", "ls", "--buyer", "eve", "--state", "done", "--json")).path("jobs");
        assertEquals(1, eveJobs.size());
        assertEquals(job, eveJobs.get(0).path("id").asLong());
        assertEquals(0, json(ok("job", "ls", "--buyer", "bob", "--json")).path("jobs").size());

        // Earnings: each consenting owner's price, once.
        for (String owner : List.of("bob", "charlie", "dave")) {
            JsonNode earnings = json(ok("data", "earnings", "--as", owner, "--json"));
            assertEquals("0.1", earnings.path("earned").asText(), owner);
            assertEquals(1, earnings.path("datasets").get(0).path("uses").asLong(), owner);
        }
        assertEquals("0.1", json(ok("data", "show", "survey", "--as", "bob", "--json")).path("epsilonSpent").asText(), "ε spent");

        // A second job waits for Dave, and the buyer withdraws it: refunded.
        long second = json(ok("job", "submit", "--as", "eve", "--sql", SQL, "--purpose", "research", "--schema", SPEC, "--epsilon", "0.1",
                "--consent-blocks", "1000", "--json")).path("id").asLong();
        assertEquals(3, client.job(second).orElseThrow().datasets().size(), "every listed survey dataset accepting research");
        ok("job", "cancel", "" + second, "--as", "eve");
        JobInfo cancelled = client.job(second).orElseThrow();
        assertEquals(JobInfo.CANCELLED, cancelled.state());
        assertEquals(cancelled.budget(), cancelled.refund());

        // Deletion: the receipt is signed by the cluster's worker and stored on chain.
        long scratch = json(ok("data", "collect", survey("scratch", 3, 6).toString(), "--name", "scratch", "--schema", SPEC, "--as", "bob",
                "--json")).path("dataset").asLong();
        CliRun deleted = ok("data", "delete", "scratch", "--as", "bob", "--wait", "20");
        assertTrue(deleted.out().contains("1 of 1 file orders cancelled") && deleted.out().contains("receipt"), deleted.out());
        DatasetInfo gone = client.dataset(scratch).orElseThrow();
        assertTrue(gone.deleted());
        assertTrue(gone.receiptPresent(), deleted.out());
        assertEquals(net.workerIds().get(0), gone.receiptWorker().orElseThrow());
        assertTrue(ok("data", "show", "" + scratch, "--as", "bob").out().contains("deleted"));
        refused(1, "DATASET_DELETED", "data", "list", "" + scratch, "--as", "bob", "--price", "1", "--purposes", "research");
        assertTrue(ok("data", "ls", "--as", "bob").out().contains("DELETED"));
    }

    @Test
    void theApiShowsMetadataNeverEscrowedKeysAndFiltersWithReasons() throws Exception {
        long id = json(ok("data", "collect", survey("alice", 12, 9).toString(), "--name", "api-check", "--schema", SPEC, "--as", "alice",
                "--json")).path("dataset").asLong();
        JsonNode d = api("/v1/market/datasets/" + id);
        assertEquals("api-check", d.path("name").asText());
        assertEquals(SPEC, d.path("schema").asText());
        assertEquals(12, d.path("rows").asLong());
        assertEquals("escrowed", d.path("batches").get(0).path("dataKey").asText());
        byte[] escrowKey = DataMarket.dataset(net.node().view().state(), id).orElseThrow().batches().get(0).escrowKey();
        assertFalse(d.toString().contains(Hex.encode(escrowKey)), "the escrowed key's bytes are never shown");

        assertEquals("UNKNOWN_DATASET", api("/v1/market/datasets/424242").path("code").asText());
        assertEquals("UNKNOWN_JOB", api("/v1/market/jobs/424242").path("code").asText());
        assertEquals("BAD_REQUEST", api("/v1/market/datasets?purpose=astrology").path("code").asText());
        assertEquals("BAD_REQUEST", api("/v1/market/jobs?state=sleeping").path("code").asText());
        assertEquals("BAD_REQUEST", api("/v1/market/datasets?schema=abc").path("code").asText());
        assertTrue(api("/v1/market/datasets?owner=" + DevKeys.get("alice").account().address() + "&name=api-check").path("datasets").size() == 1);
        assertEquals(6, api("/v1/market/purposes").path("purposes").size());
        assertEquals("0", api("/v1/market/earnings/" + DevKeys.get("alice").account().address()).path("earned").asText());
        JsonNode paths = api("/openapi.json").path("paths");
        for (String p : List.of("/v1/market/datasets", "/v1/market/datasets/{id}", "/v1/market/jobs", "/v1/market/jobs/{id}",
                "/v1/market/earnings/{address}", "/v1/market/purposes")) {
            assertTrue(paths.has(p), p + " missing from /openapi.json");
        }
    }

    private static List<String> states(JobInfo j) {
        return j.datasets().stream().map(JobInfo.Entry::state).toList();
    }
}
