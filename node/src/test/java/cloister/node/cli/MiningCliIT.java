package cloister.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.chain.ChainConfig;
import cloister.common.Tokens;
import cloister.crypto.DevKeys;
import cloister.node.devnet.LocalNetwork;
import cloister.sdk.CloisterClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mining through the real CLI and API on an in-process devnet (250 ms blocks, one gatekeeper operated by dave, one
 * worker operated by eve): eve creates a pool, adds her worker, she and alice delegate, alice withdraws (paid from free stake); the refusals
 * (unknown pool and worker, not the owner, not the operator, withdrawing more than owned, reclaiming a ready worker,
 * starting without a score or below the minimum stake) come back with the chain's code and words; status --json and
 * the API show the values. The second part — start, queued withdrawal, stop, early reclaim refused, reclaim after the
 * cooldown, the worker's history — needs the worker to have answered its benchmark (the worker side of mining); until
 * that answers, it is skipped, not failed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MiningCliIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * eve's commands race chain deadlines counted in blocks (a queued withdrawal's 30-block grace before the pool is
     * forced to stop the worker, a 20-block cooldown to refuse an early reclaim); at 250 ms blocks the first left a loaded
     * machine about 3× its margin, at 500 ms about 6×.
     */
    private static final long BLOCK_MILLIS = 500;
    /** How long the second part waits for the worker's benchmark score. */
    private static final Duration SCORE_WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    static LocalNetwork net;
    static CloisterClient client;
    static Map<String, String> env = new HashMap<>();
    static String worker;
    static String gatekeeper;
    static long pool;

    @BeforeAll
    static void start() throws Exception {
        net = LocalNetwork.start(LocalNetwork.Options.defaults(ChainConfig.dev(dir.resolve("net")).withBlockTime(BLOCK_MILLIS))
                .withApi("127.0.0.1", 0).withWorkers(1, 1).withStorage(0, false, 10));
        env.put("CLOISTER_NODE", net.apiUrl());
        env.put("CLOISTER_HOME", dir.resolve("home").toString());
        client = new CloisterClient(net.apiUrl());
        worker = net.workers().get(0).id().hex();
        gatekeeper = net.gatekeepers().get(0).id().hex();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (client.miners().size() < 2) {
            assertTrue(System.nanoTime() < deadline, "the two workers did not register");
            Thread.sleep(100);
        }
    }

    @AfterAll
    static void stop() {
        if (net != null) {
            net.close();
        }
    }

    private static CliRun ok(String... args) {
        CliRun r = CliRun.of(env, args);
        assertEquals(0, r.exit(), String.join(" ", args) + "\n" + r.out() + r.err());
        assertTrue(r.noStackTrace(), r.err());
        return r;
    }

    private static CliRun refused(int exit, String code, String... args) {
        CliRun r = CliRun.of(env, args);
        assertEquals(exit, r.exit(), String.join(" ", args) + "\n" + r.out() + r.err());
        assertTrue(r.err().startsWith("error: " + code), r.err());
        assertTrue(r.noStackTrace(), r.err());
        return r;
    }

    private static JsonNode json(CliRun r) throws Exception {
        return JSON.readTree(r.out());
    }

    private static HttpResponse<String> http(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(net.apiUrl() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode api(String path) throws Exception {
        HttpResponse<String> r = http(path);
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return JSON.readTree(r.body());
    }

    private static long units(JsonNode n, String field) {
        return Long.parseLong(n.path(field).asText());
    }

    private static String alice() {
        return DevKeys.get("alice").account().address();
    }

    @Test
    @Order(1)
    void poolsDelegationAndTheRefusals() throws Exception {
        String shortId = worker.substring(0, 16);
        // Both registered workers are listed, ready, in no pool; the minimum stake follows P.
        JsonNode all = json(ok("miner", "status", "--json"));
        assertEquals(2, all.path("workers").size());
        JsonNode w = null;
        for (JsonNode x : all.path("workers")) {
            if (x.path("id").asText().equals(worker)) {
                w = x;
            }
        }
        assertTrue(w != null, all.toPrettyString());
        assertEquals("ready", w.path("state").asText());
        assertTrue(w.path("pool").isNull());
        assertEquals(DevKeys.get("eve").account().address(), w.path("operator").asText());
        assertEquals("0", w.path("stake").asText());
        String table = ok("miner", "status").out();
        assertTrue(table.contains("WORKER") && table.contains(shortId) && table.contains("ready"), table);
        assertTrue(ok("miner", "status", shortId).out().contains(worker));

        // Bad arguments: exit 2 before anything is sent; unknown worker and pool: the chain's words.
        refused(2, "WORKER", "miner", "start", "not hex", "--stake", "100", "--as", "eve");
        refused(2, "WORKER", "miner", "status", "0123abc");
        // On a devnet a worker's name (`worker ls`) does too.
        String name = net.workerNames().get(0);
        assertEquals(worker, net.worker(name).orElseThrow().id().hex());
        assertEquals(worker, json(ok("miner", "status", name, "--json")).path("id").asText());
        CliRun unknown = refused(1, "UNKNOWN_WORKER", "miner", "status", "worker-9");
        assertTrue(unknown.err().contains("no worker 'worker-9'; the devnet's workers are " + String.join(", ", net.workerNames())), unknown.err());
        refused(2, "--commission", "pool", "create", "--commission", "101", "--as", "eve");
        refused(2, "--commission", "pool", "create", "--commission", "1.23456", "--as", "eve");
        refused(1, "UNKNOWN_WORKER", "miner", "status", "0123456789abcdef");
        refused(1, "UNKNOWN_POOL", "pool", "status", "99");
        refused(1, "UNKNOWN_POOL", "miner", "start", worker, "--stake", "1000", "--as", "eve"); // in no pool yet

        // Eve creates a pool: its number comes from the PoolCreated event.
        JsonNode created = json(ok("pool", "create", "--commission", "12.5", "--as", "eve", "--json"));
        pool = created.path("pool").asLong();
        assertEquals(1, pool);
        assertEquals(125_000, created.path("commissionPpm").asInt());
        JsonNode ev = json(ok("events", "--block", created.path("block").asText(), "--json"));
        boolean seen = false;
        for (JsonNode e : ev.path("events")) {
            if (e.path("type").asText().equals("PoolCreated")) {
                seen = true;
                assertEquals("1", e.path("fields").path("pool").asText());
                assertEquals("125000", e.path("fields").path("commissionPpm").asText());
            }
        }
        assertTrue(seen, ev.toPrettyString());
        assertTrue(ok("pool", "create", "--commission", "0", "--as", "alice").out().contains("pool"));

        refused(1, "UNKNOWN_POOL", "pool", "add-worker", "99", worker, "--as", "eve");
        refused(1, "NOT_OWNER", "pool", "add-worker", "1", worker, "--as", "alice");
        refused(1, "BAD_ORIGIN", "pool", "add-worker", "1", gatekeeper, "--as", "eve"); // dave operates the gatekeeper
        CliRun added = ok("pool", "add-worker", "1", shortId, "--as", "eve");
        assertTrue(added.out().contains(worker), added.out());
        refused(1, "DUPLICATE", "pool", "add-worker", "1", worker, "--as", "eve");
        refused(1, "NOT_OWNER", "miner", "start", worker, "--stake", "1000", "--as", "alice");

        // Delegation: one share per unit at first; withdrawing more than owned is refused; a withdrawal from free stake is paid.
        JsonNode d = json(ok("pool", "delegate", "1", "5000", "--as", "alice", "--json"));
        assertEquals(Long.toString(Tokens.of(5000)), d.path("shares").asText());
        ok("pool", "delegate", "1", "20000", "--as", "eve");
        refused(1, "UNKNOWN_POOL", "pool", "delegate", "99", "10", "--as", "alice");
        CliRun tooMuch = refused(1, "INSUFFICIENT_SHARES", "pool", "withdraw", "1", "6000", "--as", "alice");
        assertTrue(tooMuch.err().contains("cannot withdraw"), tooMuch.err());
        refused(1, "INSUFFICIENT_SHARES", "pool", "withdraw", "1", "all", "--as", "bob");
        JsonNode paid = json(ok("pool", "withdraw", "1", "1000", "--as", "alice", "--json"));
        assertEquals("paid", paid.path("outcome").asText());
        assertEquals(Long.toString(Tokens.of(1000)), paid.path("paid").asText());
        assertEquals("0", paid.path("queuedShares").asText());
        assertTrue(ok("pool", "withdraw", "1", "500", "--as", "alice").out().contains("paid"));

        // A ready worker cannot be stopped or reclaimed; without a score (or below k·√P) it cannot start.
        refused(1, "WRONG_WORKER_STATE", "miner", "reclaim", worker, "--as", "eve");
        refused(1, "WRONG_WORKER_STATE", "miner", "stop", worker, "--as", "eve");
        CliRun low = CliRun.of(env, "miner", "start", worker, "--stake", "1", "--as", "eve");
        assertEquals(1, low.exit(), low.err());
        assertTrue(low.err().startsWith("error: WRONG_WORKER_STATE: ") && low.err().contains("no benchmark score yet")
                || low.err().startsWith("error: STAKE_TOO_LOW: ") && low.err().contains("minimum"), low.err());
        assertTrue(low.noStackTrace(), low.err());
        ok("miner", "rebench", worker, "--as", "eve");
        refused(1, "BAD_ORIGIN", "miner", "rebench", worker, "--as", "bob");

        // Status: the pool's stake, shares and price, the worker in it, and alice's position.
        JsonNode p = json(ok("pool", "status", "1", "--as", "alice", "--json"));
        assertEquals(Long.toString(Tokens.of(23_500)), p.path("totalStake").asText());
        assertEquals(p.path("totalStake").asText(), p.path("freeStake").asText());
        assertEquals("0", p.path("lockedStake").asText());
        assertEquals("1", p.path("sharePrice").asText());
        assertEquals(worker, p.path("workers").get(0).path("id").asText());
        assertEquals(Long.toString(Tokens.of(3500)), p.path("you").path("shares").asText());
        assertEquals(Long.toString(Tokens.of(3500)), p.path("you").path("value").asText());
        String detail = ok("pool", "status", "1", "--as", "alice").out();
        assertTrue(detail.contains("12.5 %") && detail.contains("3500 shares = 3500 CLO"), detail);
        String list = ok("pool", "status").out();
        assertTrue(list.contains("pool 1") && list.contains("pool 2"), list);
        assertEquals(1, json(ok("miner", "status", worker, "--json")).path("pool").asLong());

        // The API: summary, workers, pools, a delegator, the errors with the chain's words, and the OpenAPI document.
        JsonNode mining = api("/v1/mining");
        assertEquals(20, mining.path("config").path("cooldownBlocks").asLong());
        assertEquals(2, mining.path("workers").asInt());
        assertEquals(2, mining.path("pools").asInt());
        assertTrue(mining.path("totals").has("sumShares") && mining.path("totals").has("issued") && mining.path("totals").has("paid"));
        assertEquals(2, api("/v1/mining/workers").path("workers").size());
        JsonNode one = api("/v1/mining/workers/" + worker);
        assertEquals(1, one.path("pool").asLong());
        assertTrue(one.has("minimumStake") && one.has("vInit") && one.has("instantScore"), one.toPrettyString());
        assertTrue(api("/v1/mining/workers/" + worker + "/history?limit=10&blocks=1000").path("entries").isArray());
        JsonNode pools = api("/v1/pools");
        assertEquals(2, pools.path("pools").size());
        assertEquals(125_000, api("/v1/pools/1").path("commissionPpm").asInt());
        JsonNode del = api("/v1/pools/1/delegators/" + alice());
        assertEquals(Long.toString(Tokens.of(3500)), del.path("shares").asText());
        HttpResponse<String> noPool = http("/v1/pools/99");
        assertEquals(404, noPool.statusCode());
        assertEquals("UNKNOWN_POOL", JSON.readTree(noPool.body()).path("code").asText());
        HttpResponse<String> noWorker = http("/v1/mining/workers/" + "ab".repeat(32));
        assertEquals(404, noWorker.statusCode());
        assertEquals("UNKNOWN_WORKER", JSON.readTree(noWorker.body()).path("code").asText());
        assertEquals(400, http("/v1/mining/workers/xyz").statusCode());
        assertEquals(400, http("/v1/mining/workers/" + worker + "/history?limit=0").statusCode());
        JsonNode paths = api("/openapi.json").path("paths");
        for (String path : Set.of("/v1/mining", "/v1/mining/workers", "/v1/mining/workers/{id}", "/v1/mining/workers/{id}/history",
                "/v1/pools", "/v1/pools/{id}", "/v1/pools/{id}/delegators/{account}")) {
            assertTrue(paths.has(path), path);
        }
    }

    /** The worker's benchmark score first (its enclave answers BenchmarkRequested), then the stake's whole cycle. */
    @Test
    @Order(2)
    void startQueueStopAndReclaimOnceTheWorkerHasAScore() throws Exception {
        Assumptions.assumeTrue(pool == 1, "the first part did not run");
        long deadline = System.nanoTime() + SCORE_WAIT.toNanos();
        JsonNode w = json(ok("miner", "status", worker, "--json"));
        while (w.path("score").asInt() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(250);
            w = json(ok("miner", "status", worker, "--json"));
        }
        assertTrue(w.path("score").asInt() > 0, "the worker has no benchmark score after " + SCORE_WAIT.toSeconds() + " s");
        long min = units(w, "minimumStake");
        assertTrue(min > 0, w.toPrettyString());

        // Below k·√P: refused with the minimum in the chain's words.
        CliRun low = refused(1, "STAKE_TOO_LOW", "miner", "start", worker, "--stake", Tokens.format(min - 1), "--as", "eve");
        assertTrue(low.err().contains(Tokens.display(min)), low.err());

        // Start with all the pool's free stake: the worker computes; a withdrawal now has to wait.
        long free = units(json(ok("pool", "status", "1", "--json")), "freeStake");
        JsonNode started = json(ok("miner", "start", worker, "--stake", Tokens.format(free), "--as", "eve", "--json"));
        assertEquals(Long.toString(free), started.path("stake").asText());
        assertTrue(units(started, "vInit") > 0);
        JsonNode now = json(ok("miner", "status", worker, "--json"));
        assertTrue(Set.of("idle", "unresponsive").contains(now.path("state").asText()), now.toPrettyString());
        assertEquals(Long.toString(free), now.path("stake").asText());
        assertEquals(started.path("vInit").asText(), now.path("vInit").asText());
        // Rewards flow into free stake at every heartbeat, so eve withdraws all her shares: more than free stake can cover.
        JsonNode queued = json(ok("pool", "withdraw", "1", "all", "--as", "eve", "--json"));
        assertTrue(Set.of("queued", "partly paid, rest queued").contains(queued.path("outcome").asText()), queued.toPrettyString());
        assertTrue(units(queued, "queuedShares") > 0, queued.toPrettyString());
        assertEquals(Tokens.of(20_000), units(queued, "paidShares") + units(queued, "queuedShares"));
        assertTrue(queued.path("forcesStopAt").asLong() > 0, queued.toPrettyString());
        JsonNode p = json(ok("pool", "status", "1", "--json"));
        assertEquals(1, p.path("withdrawalQueue").size());
        assertEquals(Long.toString(free), p.path("lockedStake").asText());

        // Stop; reclaim before the cooldown ends is refused; after it, the stake comes back and fills the queue.
        JsonNode stopped = json(ok("miner", "stop", worker, "--as", "eve", "--json"));
        long until = stopped.path("coolingUntil").asLong();
        CliRun early = refused(1, "COOLDOWN_NOT_OVER", "miner", "reclaim", worker, "--as", "eve");
        assertTrue(early.err().contains("block " + until), early.err());
        while (client.head().height() < until) {
            Thread.sleep(250);
        }
        JsonNode back = json(ok("miner", "reclaim", worker, "--as", "eve", "--json"));
        assertEquals("ready", back.path("state").asText());
        assertEquals(free, units(back, "returned") + units(back, "slashed"));
        JsonNode after = json(ok("pool", "status", "1", "--as", "eve", "--json"));
        assertEquals(0, after.path("withdrawalQueue").size(), after.toPrettyString());
        assertEquals("0", after.path("lockedStake").asText());
        assertEquals("0", after.path("you").path("shares").asText());

        // The worker's history: benchmark, start, stop and reclaim, with state and P; rewards total never decreases.
        JsonNode h = api("/v1/mining/workers/" + worker + "/history");
        java.util.List<String> events = new java.util.ArrayList<>();
        long rewards = 0;
        for (JsonNode e : h.path("entries")) {
            events.add(e.path("event").asText());
            assertTrue(units(e, "rewardsTotal") >= rewards);
            rewards = units(e, "rewardsTotal");
        }
        assertTrue(events.contains("WorkerBenchmarked") && events.contains("ComputingStarted") && events.contains("ComputingStopped")
                && events.contains("StakeReclaimed"), events.toString());
        JsonNode last = h.path("entries").get(h.path("entries").size() - 1);
        assertEquals("StakeReclaimed", last.path("event").asText());
        assertEquals("ready", last.path("state").asText());
        assertEquals(json(ok("miner", "status", worker, "--json")).path("score").asInt(), last.path("p").asInt());
        assertFalse(h.path("truncated").asBoolean());
    }
}
