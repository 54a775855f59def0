package cloister.node.market;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.chain.runtime.datamarket.DataMarket;
import cloister.crypto.AccountId;
import cloister.crypto.SigningKey;
import cloister.market.job.ReleasedResult;
import cloister.market.job.ResultSeal;
import cloister.node.devnet.LocalNetwork;
import cloister.proto.BalancesCall;
import cloister.proto.Event;
import cloister.proto.EventRecord;
import cloister.proto.RegistryCall;
import cloister.proto.Transaction;
import cloister.proto.WorkerMessage;
import cloister.worker.EnclaveReply;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6: "A worker killed mid-job: the job is rerun or refunded, never paid twice." On an in-process devnet (sim
 * TEE, 200 ms blocks) a W3A job over three owners' datasets is assigned to a compute worker, which is killed (as if its
 * machine died) while it holds the job. Restarted from its sealed state, it finishes the job: the buyer opens the
 * result, every owner and the worker's operator are paid once. Left down past the job's time limit, the chain fails
 * the job and refunds the buyer in full, nobody is paid, and restarting the worker late releases nothing.
 *
 * <p>How the kill lands mid-job every time: the job reads a batch of charlie's whose encrypted blocks are on no gateway
 * yet. Every owner consents by standing policy, so the chain starts the job (and picks its worker) in the block of the
 * submission; the worker's enclave takes the job, its host fetches and hands in every other batch, then keeps retrying
 * the missing one (it gives up only after a minute). The test waits for exactly that state — the worker's one remaining
 * need is the held-back file — kills the worker, and only then uploads the file (or not).
 */
class WorkerKilledMidJobIT {
    /**
     * The job's time limit is 120 blocks of chain time while the restarted worker runs on wall time: on an idle machine
     * the restart case ends its job 26–28 blocks after the start at 100 ms blocks, 4.5× short of the limit, and it once
     * ran out on a loaded machine. At 200 ms the margin is about 9×; the class takes 43 s instead of 21 s.
     */
    private static final long BLOCK_MILLIS = 200;
    private static final String SQL = "SELECT age_band, COUNT(*) FROM survey GROUP BY age_band";
    private static final long BUDGET = 3 * W3aDevnet.PRICE + W3aDevnet.CLO;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static W3aDevnet w3a;
    static LocalNetwork net;
    static SigningKey buyer;
    static long alice;
    static long bob;

    @BeforeAll
    static void start() throws Exception {
        // The compute workers are storage providers too: a killed worker's provider service goes down with it.
        w3a = W3aDevnet.start(dir.resolve("net"), BLOCK_MILLIS, 0, true);
        net = w3a.net;
        buyer = SigningKey.generate(); // an account nothing else touches, so its balance adds up exactly
        w3a.ok("alice", new BalancesCall.Transfer(buyer.account(), 10 * W3aDevnet.CLO));
        alice = listed("alice", new Object[] {"30-39", 52_000.0, "alice"});
        bob = listed("bob", new Object[] {"30-39", 61_000.0, "bob"});
    }

    @AfterAll
    static void stop() {
        if (w3a != null) {
            w3a.close();
        }
    }

    @Test
    void aWorkerRestartedMidJobFinishesItAndEveryoneIsPaidOnce() throws Exception {
        Stuck s = stuckJob("restart");
        String name = s.worker.name();
        assertEquals(name + " stopped\n", cli(0, "worker", "kill", name));
        assertEquals(false, devnetWorker(name).path("running").asBoolean());
        assertTrue(cli(0, "worker", "ls").contains(name + " "), "listed while stopped");
        w3a.upload(s.heldBack);
        // Down, it answers nothing, and nobody else does: the job stays running.
        long downAt = head();
        W3aDevnet.await("5 blocks with the worker down", Duration.ofSeconds(10), () -> head() >= downAt + 5 ? true : null);
        assertEquals(DataMarket.JobState.RUNNING, job(s.job).state());

        assertEquals(name + " started\n", cli(0, "worker", "revive", name));
        assertEquals(name + " was already running\n", cli(0, "worker", "revive", name));
        JsonNode listed = devnetWorker(name);
        assertTrue(listed.path("running").asBoolean(), listed.toString());
        assertEquals(s.worker.id().hex(), listed.path("id").asText(), "the same identity, unsealed from disk");

        DataMarket.Job done = w3a.awaitEnded(s.job, Duration.ofSeconds(30));
        assertEquals(DataMarket.JobState.DONE, done.state(), done.reason());
        assertEquals(s.worker.id(), done.worker().orElseThrow());
        ReleasedResult result = ReleasedResult.decode(ResultSeal.open(ResultSeal.buyerKey(buyer), w3a.genesis, s.job, done.sealedResult()));
        assertEquals(3, result.owners());
        assertEquals(1, result.rows().size(), "only the 30-39 band has k = 2 owners: " + result.table());
        assertEquals("30-39", result.rows().get(0).get(0));

        long paid = 3 * W3aDevnet.PRICE + DataMarket.JOB_FEE;
        assertEquals(paid, done.paid());
        assertEquals(BUDGET - paid, done.refund());
        settle(s);
        // Its result was seen accepted: nothing about the job waits in its outbox. (Other messages may: a storage proof
        // or a benchmark report signed in the last block or two.)
        List<String> pending = net.worker(name).orElseThrow().host().pendingEgress().stream().map(m -> m.message())
                .map(m -> m.getClass().getSimpleName() + (m instanceof WorkerMessage.JobResult r ? " " + r.job()
                        : m instanceof WorkerMessage.JobFailed f ? " " + f.job() : "")).toList();
        assertTrue(pending.stream().noneMatch(m -> m.equals("JobResult " + s.job) || m.equals("JobFailed " + s.job)), pending.toString());
        assertEquals(done.endedAt(), job(s.job).endedAt());
        assertEquals(s.afterSubmit + BUDGET - paid, balance(buyer.account()), "the buyer paid the prices and the fee once");
        for (String owner : List.of("alice", "bob", "charlie")) {
            AccountId a = W3aDevnet.account(owner);
            assertEquals(s.balances.get(a) + W3aDevnet.PRICE, balance(a), owner + " is paid once");
            assertEquals(s.earnings.get(a) + W3aDevnet.PRICE, DataMarket.earnings(w3a.state(), a), owner + "'s earnings");
        }
        AccountId operator = s.worker.host().operator();
        assertEquals(List.of(
                "Transfer " + W3aDevnet.account("alice") + " " + W3aDevnet.PRICE,
                "Transfer " + W3aDevnet.account("bob") + " " + W3aDevnet.PRICE,
                "Transfer " + W3aDevnet.account("charlie") + " " + W3aDevnet.PRICE,
                "Transfer " + operator + " " + DataMarket.JOB_FEE,
                "Transfer " + buyer.account() + " " + (BUDGET - paid)).stream().sorted().toList(),
                escrowPayouts(s.submittedAt).stream().sorted().toList(), "every owner and the worker's operator paid exactly once");
        assertEquals(1, jobEnded(s.submittedAt, s.job), "one JobEnded");
        assertEquals(List.of("JobResult"), answers(s.submittedAt, s.job), "the worker answered once");
    }

    @Test
    void aWorkerDownPastTheTimeLimitFailsTheJobTheBuyerIsRefundedAndALateRestartReleasesNothing() throws Exception {
        Stuck s = stuckJob("timeout");
        String name = s.worker.name();
        assertTrue(net.stopWorker(name));
        assertTrue(!net.stopWorker(name), "already stopped");

        DataMarket.Job failed = w3a.awaitEnded(s.job, Duration.ofMillis(3 * DataMarket.JOB_TIME_LIMIT_BLOCKS * BLOCK_MILLIS + 30_000));
        assertEquals(DataMarket.JobState.FAILED, failed.state());
        assertTrue(failed.reason().contains("did not answer within " + DataMarket.JOB_TIME_LIMIT_BLOCKS + " blocks"), failed.reason());
        assertEquals(failed.startedAt() + DataMarket.JOB_TIME_LIMIT_BLOCKS, failed.endedAt());
        assertEquals(0, failed.paid());
        assertEquals(BUDGET, failed.refund());
        assertEquals(0, failed.sealedResult().length);

        // The late restart: the file it was waiting for is there now, so a worker that still held the job would finish
        // it and sign a result (refused by the chain, but published in a block — the buyer could open it for free).
        w3a.upload(s.heldBack);
        assertTrue(net.startWorker(name));
        assertTrue(!net.startWorker(name), "already running");
        LocalNetwork.ComputeWorker w = net.worker(name).orElseThrow();
        assertEquals(s.worker.id(), w.id());
        assertTrue(w.host().jobNeeds().stream().noneMatch(n -> n.job() == s.job), "the restarted worker dropped the timed-out job");
        settle(s);

        DataMarket.Job after = job(s.job);
        assertEquals(DataMarket.JobState.FAILED, after.state());
        assertEquals(0, after.sealedResult().length);
        assertEquals(List.of(), answers(s.submittedAt, s.job), "no result or failure was signed for the timed-out job");
        assertEquals(1, jobEnded(s.submittedAt, s.job), "one JobEnded");
        assertEquals(List.of("Transfer " + buyer.account() + " " + BUDGET), escrowPayouts(s.submittedAt), "the refund only");
        assertEquals(s.afterSubmit + BUDGET, balance(buyer.account()), "the buyer is refunded the whole budget");
        for (String owner : List.of("alice", "bob", "charlie")) {
            AccountId a = W3aDevnet.account(owner);
            assertEquals(s.balances.get(a), balance(a), owner + " is not paid");
            assertEquals(s.earnings.get(a), DataMarket.earnings(w3a.state(), a), owner + "'s earnings");
        }
    }

    @Test
    void devnetWorkerRoutesNameTheWorkersAndRefuseAnUnknownOne() throws Exception {
        JsonNode all = get("/v1/devnet/workers", 200).path("workers");
        assertEquals(net.workerNames(), List.of(all.get(0).path("name").asText(), all.get(1).path("name").asText()));
        assertEquals(net.workerIds().get(0).hex(), all.get(0).path("id").asText());
        for (String action : List.of("stop", "start")) {
            JsonNode e = post("/v1/devnet/workers/worker-9/" + action, 404);
            assertEquals("NOT_FOUND", e.path("code").asText());
            assertEquals("no worker 'worker-9'; the devnet's workers are worker-0, worker-1", e.path("message").asText());
        }
        // The CLI says the same, in the same words.
        for (String command : List.of("kill", "revive")) {
            assertEquals("error: NOT_FOUND: no worker 'worker-9'; the devnet's workers are worker-0, worker-1\n", cli(1, "worker", command, "worker-9"));
        }
        String ls = cli(0, "worker", "ls");
        for (String name : net.workerNames()) {
            assertTrue(ls.contains(name + " "), ls);
        }
    }

    // ---------------------------------------------------------------- the stuck job

    /** One owner's dataset "survey" with one record (uploaded), listed, consented to by standing policy. */
    private static long listed(String owner, Object[] row) throws Exception {
        W3aDevnet.Batch b = W3aDevnet.encrypt(List.<Object[]>of(row));
        w3a.upload(b);
        long id = w3a.register(owner, "survey");
        w3a.addBatch(owner, id, b);
        w3a.list(owner, id);
        w3a.consentByPolicy(owner, id);
        return id;
    }

    /** A running job whose worker holds it with every file but charlie's held-back batch; balances at submission. */
    private record Stuck(long job, LocalNetwork.ComputeWorker worker, W3aDevnet.Batch heldBack, long submittedAt, long afterSubmit,
                         Map<AccountId, Long> balances, Map<AccountId, Long> earnings) {}

    private static Stuck stuckJob(String tag) throws Exception {
        W3aDevnet.Batch held = W3aDevnet.encrypt(List.<Object[]>of(new Object[] {"40-49", 75_000.0, "charlie " + tag}));
        long charlie = w3a.register("charlie", "survey-" + tag);
        w3a.addBatch("charlie", charlie, held); // no storage order and no upload: no gateway has its blocks yet
        w3a.list("charlie", charlie);
        w3a.consentByPolicy("charlie", charlie);
        Map<AccountId, Long> balances = new HashMap<>();
        Map<AccountId, Long> earnings = new HashMap<>();
        for (String owner : List.of("alice", "bob", "charlie")) {
            AccountId a = W3aDevnet.account(owner);
            balances.put(a, balance(a));
            earnings.put(a, DataMarket.earnings(w3a.state(), a));
        }
        long before = balance(buyer.account());
        long fee = w3a.client.chainInfo().minimumFee();
        long job = w3a.submitJob(buyer, SQL, List.of(alice, bob, charlie), BUDGET);
        long afterSubmit = balance(buyer.account());
        assertEquals(before - fee - BUDGET, afterSubmit, "the submission escrows the budget (and pays its fee)");

        DataMarket.Job running = job(job);
        assertEquals(DataMarket.JobState.RUNNING, running.state(), "every owner consented by policy: the job starts at once");
        LocalNetwork.ComputeWorker worker = net.computeWorkers().stream().filter(w -> w.id().equals(running.worker().orElseThrow()))
                .findFirst().orElseThrow();
        assertEquals(List.of("JobStarted " + worker.id().hex()), events(running.startedAt()).stream()
                .filter(e -> e.event() instanceof Event.JobStarted j && j.job() == job)
                .map(e -> "JobStarted " + ((Event.JobStarted) e.event()).worker().hex()).toList());
        W3aDevnet.await(worker.name() + " holding job " + job + " with only the held-back file missing", Duration.ofSeconds(30), () -> {
            List<EnclaveReply.JobFileNeed> needs = worker.host().jobNeeds();
            return needs.size() == 1 && needs.get(0).job() == job && needs.get(0).file().equals(held.file()) ? true : null;
        });
        assertEquals(DataMarket.JobState.RUNNING, job(job).state());
        return new Stuck(job, worker, held, running.startedAt(), afterSubmit, balances, earnings);
    }

    /**
     * Waits until the (restarted) worker has followed the chain 20 blocks past now with nothing of job {@code s.job}
     * left to fetch: whatever it was going to relay about the job is on chain by then.
     */
    private static void settle(Stuck s) throws InterruptedException {
        long target = head() + 20;
        LocalNetwork.ComputeWorker w = net.worker(s.worker.name()).orElseThrow();
        W3aDevnet.await(w.name() + " synced past block " + target + " with nothing left of job " + s.job, Duration.ofSeconds(30), () ->
                w.host().syncedHeight() >= target && w.host().jobNeeds().stream().noneMatch(n -> n.job() == s.job) ? true : null);
    }

    // ---------------------------------------------------------------- chain reads

    private static long head() {
        return net.node().view().head().height();
    }

    private static DataMarket.Job job(long id) {
        return DataMarket.job(w3a.state(), id).orElseThrow();
    }

    private static long balance(AccountId a) {
        return net.node().view().account(a).balance();
    }

    private static List<EventRecord> events(long height) {
        return net.node().view().events(height).orElseThrow();
    }

    /** Every transfer out of the market's escrow since block {@code from}, as "Transfer TO AMOUNT". */
    private static List<String> escrowPayouts(long from) {
        List<String> out = new ArrayList<>();
        for (long h = from; h <= head(); h++) {
            for (EventRecord e : events(h)) {
                if (e.event() instanceof Event.Transfer t && t.from().equals(DataMarket.ESCROW)) {
                    out.add("Transfer " + t.to() + " " + t.amount());
                }
            }
        }
        return out;
    }

    private static int jobEnded(long from, long job) {
        int n = 0;
        for (long h = from; h <= head(); h++) {
            n += (int) events(h).stream().filter(e -> e.event() instanceof Event.JobEnded j && j.job() == job).count();
        }
        return n;
    }

    /** The kinds of worker message about {@code job} relayed in blocks since {@code from} (accepted or refused). */
    private static List<String> answers(long from, long job) {
        List<String> out = new ArrayList<>();
        for (long h = from; h <= head(); h++) {
            for (Transaction tx : net.node().view().blockAt(h).orElseThrow().transactions()) {
                if (tx.call() instanceof RegistryCall.SubmitWorkerMessage m) {
                    switch (m.message().message()) {
                        case WorkerMessage.JobResult r when r.job() == job -> out.add("JobResult");
                        case WorkerMessage.JobFailed f when f.job() == job -> out.add("JobFailed " + f.code());
                        default -> { }
                    }
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- the devnet control API and CLI

    /** Runs {@code cloister ARGS --node API} in-process; returns its output (stdout, or stderr when it fails). */
    private static String cli(int exit, String... args) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--node", net.apiUrl()));
        int code = cloister.node.cli.Main.run(all.toArray(String[]::new), new java.io.PrintStream(out, true, StandardCharsets.UTF_8),
                new java.io.PrintStream(err, true, StandardCharsets.UTF_8), Map.of("CLOISTER_HOME", dir.resolve("home").toString()), null);
        String text = (code == 0 ? out : err).toString(StandardCharsets.UTF_8);
        assertEquals(exit, code, String.join(" ", args) + ": " + out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8));
        return text;
    }

    private static JsonNode devnetWorker(String name) throws Exception {
        for (JsonNode w : get("/v1/devnet/workers", 200).path("workers")) {
            if (w.path("name").asText().equals(name)) {
                return w;
            }
        }
        throw new AssertionError("no " + name + " in /v1/devnet/workers");
    }

    private static JsonNode get(String path, int status) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(net.apiUrl() + path)).GET().build(), status);
    }

    private static JsonNode post(String path, int status) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(net.apiUrl() + path)).POST(HttpRequest.BodyPublishers.noBody()).build(), status);
    }

    private static JsonNode send(HttpRequest r, int status) throws Exception {
        HttpResponse<String> res = HttpClient.newHttpClient().send(r, HttpResponse.BodyHandlers.ofString());
        assertEquals(status, res.statusCode(), r.method() + " " + r.uri() + ": " + res.body());
        return JSON.readTree(res.body());
    }
}
