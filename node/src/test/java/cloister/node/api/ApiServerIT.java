package cloister.node.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.chain.ChainConfig;
import cloister.chain.ChainNode;
import cloister.common.Hash;
import cloister.common.Hex;
import cloister.common.Tokens;
import cloister.crypto.AccountId;
import cloister.crypto.DevKeys;
import cloister.crypto.SigningKey;
import cloister.proto.BalancesCall;
import cloister.proto.Signature;
import cloister.proto.Transaction;
import cloister.sdk.AccountInfo;
import cloister.sdk.BlockInfo;
import cloister.sdk.ChainSummary;
import cloister.sdk.CloisterApiException;
import cloister.sdk.CloisterClient;
import cloister.sdk.EventInfo;
import cloister.sdk.HeadInfo;
import cloister.sdk.SubmitOutcome;
import cloister.sdk.TxStatusInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API over a real chain node (RocksDB in a temp dir, instant sealing), driven through the SDK and raw HTTP. */
class ApiServerIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path dataDir;

    static ChainNode node;
    static ApiServer api;
    static CloisterClient client;
    static String base;
    static long fee;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        node = ChainNode.start(ChainConfig.dev(dataDir).withInstantSeal(true));
        api = ApiServer.start(node.view(), node.submitter(), "127.0.0.1", 0);
        base = "http://127.0.0.1:" + api.port();
        client = new CloisterClient(base);
        fee = client.chainInfo().minimumFee();
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

    private static HttpResponse<String> raw(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        b = body == null ? b.GET() : b.method(method, HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertError(HttpResponse<String> r, int status, String code) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode n = JSON.readTree(r.body());
        assertEquals(code, n.path("code").asText(), r.body());
        assertFalse(n.path("message").asText().isBlank());
        assertFalse(r.body().contains("\tat ") || r.body().contains("Exception"), r.body());
    }

    @Test
    void chainInfoDescribesTheDevNetwork() {
        ChainSummary info = client.chainInfo();
        assertEquals("dev", info.sealing());
        assertEquals(DevKeys.get("alice").account(), info.sudo());
        assertEquals(List.of(info.sudo()), info.authorities().subList(0, 1).stream().map(a -> info.sudo()).toList());
        assertEquals(1_000_000L, info.minimumFee());
        assertEquals(0, client.block(0).height());
    }

    /**
     * One account signing from several places at once (a worker relaying for its operator while the operator uses the
     * CLI): the SDK's signed calls read the next nonce, so they clash, and a clash is signed again with a fresh nonce —
     * every call is included once.
     */
    @Test
    void callsSignedConcurrentlyByOneAccountAreAllIncludedOnce() throws Exception {
        SigningKey sender = SigningKey.generate();
        AccountId to = SigningKey.generate().account();
        client.sendAndWait(DevKeys.get("alice"), new BalancesCall.Transfer(sender.account(), Tokens.of(100)), WAIT);
        long firstNonce = client.nextNonce(sender.account());
        int threads = 4;
        int each = 10;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        List<java.util.concurrent.Future<List<Hash>>> sent = new java.util.ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long amount = t + 1;
            sent.add(pool.submit(() -> {
                List<Hash> hashes = new java.util.ArrayList<>();
                for (int i = 0; i < each; i++) {
                    cloister.sdk.IncludedTx r = client.sendAndWait(sender, new BalancesCall.Transfer(to, amount), WAIT);
                    assertTrue(r.ok(), r.failure());
                    hashes.add(r.hash());
                }
                return hashes;
            }));
        }
        java.util.Set<Hash> all = new java.util.HashSet<>();
        for (var f : sent) {
            all.addAll(f.get(60, TimeUnit.SECONDS));
        }
        pool.shutdown();
        assertEquals(threads * each, all.size(), "every call included, each once");
        assertEquals((long) each * (1 + 2 + 3 + 4), client.account(to).balance());
        assertEquals(firstNonce + threads * each, client.nextNonce(sender.account()));
    }

    @Test
    void transferMovesBalancesAndRecordsTransferAndFeeEvents() {
        SigningKey alice = DevKeys.get("alice");
        AccountId dave = DevKeys.get("dave").account();
        AccountInfo daveBefore = client.account(dave);
        AccountInfo aliceBefore = client.account(alice.account());

        Hash tx = client.transfer(alice, dave, Tokens.of(10), fee);
        TxStatusInfo s = client.waitForInclusion(tx, WAIT);
        assertTrue(s.included() && s.success(), s.toString());

        assertEquals(daveBefore.balance() + Tokens.of(10), client.account(dave).balance());
        AccountInfo aliceAfter = client.account(alice.account());
        assertTrue(aliceAfter.balance() <= aliceBefore.balance() - Tokens.of(10) - fee);
        assertTrue(aliceAfter.nonce() > aliceBefore.nonce());

        List<EventInfo> events = client.events(s.height());
        assertTrue(events.stream().anyMatch(e -> e.type().equals("Transfer") && e.txIndex() == s.index()
                && e.fields().get("from").equals(alice.account().address()) && e.fields().get("to").equals(dave.address())
                && e.fields().get("amount").equals(Long.toString(Tokens.of(10))) && e.fields().get("amountCLO").equals("10")),
                events.toString());
        assertTrue(events.stream().anyMatch(e -> e.type().equals("FeePaid") && e.txIndex() == s.index()
                && e.fields().get("amount").equals(Long.toString(fee))), events.toString());

        BlockInfo block = client.block(s.blockHash());
        assertEquals(s.height(), block.height());
        assertEquals(tx, block.transactions().get(s.index()).hash());
        assertEquals("balances.transfer", block.transactions().get(s.index()).call());
        assertEquals(dave.address(), block.transactions().get(s.index()).args().get("to"));
    }

    @Test
    void everySubmissionRefusalReachesTheClientWithItsWord() throws Exception {
        SigningKey charlie = DevKeys.get("charlie");
        AccountId bob = DevKeys.get("bob").account();
        Hash genesis = client.genesisHash();
        long nonce = client.nextNonce(charlie.account());

        Transaction good = Transaction.sign(genesis, charlie, nonce, fee, new BalancesCall.Transfer(bob, 1));
        CloisterApiException badSig = assertThrows(CloisterApiException.class,
                () -> client.submit(good.withSignature(Signature.of(new byte[64]))));
        assertEquals("BAD_SIGNATURE", badSig.code());
        assertEquals(400, badSig.httpStatus());

        assertEquals("WRONG_GENESIS", assertThrows(CloisterApiException.class, () -> client.submit(
                Transaction.sign(Hash.ZERO, charlie, nonce, fee, new BalancesCall.Transfer(bob, 1)))).code());

        assertEquals("INSUFFICIENT_BALANCE", assertThrows(CloisterApiException.class, () -> client.submit(
                Transaction.sign(genesis, SigningKey.generate(), 0, fee, new BalancesCall.Transfer(bob, 1)))).code());

        client.waitForInclusion(client.submit(good), WAIT);
        assertEquals("STALE_NONCE", assertThrows(CloisterApiException.class, () -> client.submit(
                Transaction.sign(genesis, charlie, nonce, fee, new BalancesCall.Transfer(bob, 2)))).code());

        assertError(raw("POST", "/v1/transactions", "{\"tx\":\"zz\"}"), 400, "MALFORMED");
        assertError(raw("POST", "/v1/transactions", "{\"tx\":\"0102\"}"), 400, "MALFORMED");
        String oversized = "{\"tx\":\"" + Hex.encode(new byte[Transaction.MAX_BYTES + 1]) + "\"}";
        assertError(raw("POST", "/v1/transactions", oversized), 400, "OVERSIZED");
        assertError(raw("POST", "/v1/transactions", "not json"), 400, "BAD_REQUEST");
        assertError(raw("POST", "/v1/transactions", "{\"tx\":42}"), 400, "BAD_REQUEST");
        assertError(raw("POST", "/v1/transactions", "{\"tx\":\"" + "00".repeat(5 * 1024 * 1024) + "\"}"), 413, "TOO_LARGE");
    }

    @Test
    void batchGivesOneResultPerTransaction() {
        SigningKey eve = DevKeys.get("eve");
        AccountId bob = DevKeys.get("bob").account();
        long n = client.nextNonce(eve.account());
        Hash g = client.genesisHash();
        List<Transaction> txs = List.of(
                Transaction.sign(g, eve, n, fee, new BalancesCall.Transfer(bob, 5)),
                Transaction.sign(g, eve, n + 1, fee, new BalancesCall.Transfer(bob, 6)),
                Transaction.sign(Hash.ZERO, eve, n + 2, fee, new BalancesCall.Transfer(bob, 7)));
        List<SubmitOutcome> out = client.submitAll(txs);
        assertEquals(3, out.size());
        assertTrue(out.get(0).accepted() && out.get(1).accepted(), out.toString());
        assertEquals("WRONG_GENESIS", out.get(2).code());
        assertEquals(txs.get(1).hash(), out.get(1).hash());
        assertTrue(client.waitForInclusion(out.get(1).hash(), WAIT).success());
    }

    @Test
    void notFoundAndBadRequestsAreJsonErrors() throws Exception {
        assertError(raw("GET", "/v1/blocks/99999999", null), 404, "NOT_FOUND");
        assertError(raw("GET", "/v1/blocks/" + "ab".repeat(32), null), 404, "NOT_FOUND");
        assertError(raw("GET", "/v1/blocks/xyz", null), 400, "BAD_REQUEST");
        assertError(raw("GET", "/v1/blocks/99999999/events", null), 404, "NOT_FOUND");
        assertError(raw("GET", "/no/such/route", null), 404, "NOT_FOUND");
        assertError(raw("GET", "/v1/accounts/clo1notanaddress", null), 400, "BAD_REQUEST");
        assertError(raw("GET", "/v1/transactions/1234", null), 400, "BAD_REQUEST");
        CloisterApiException e = assertThrows(CloisterApiException.class, () -> client.block(99_999_999L));
        assertEquals("NOT_FOUND", e.code());
        assertEquals("unknown", client.txStatus(Hash.ZERO).status());
        HttpResponse<String> health = raw("GET", "/health", null);
        assertEquals("ok", JSON.readTree(health.body()).path("status").asText());
    }

    @Test
    void openApiListsEveryRegisteredRoute() throws Exception {
        JsonNode doc = JSON.readTree(raw("GET", "/openapi.json", null).body());
        assertEquals("3.1.0", doc.path("openapi").asText());
        List<String> registered = api.registeredEndpoints();
        assertTrue(registered.size() >= 12, registered.toString());
        for (String endpoint : registered) {
            String[] mp = endpoint.split(" ", 2);
            assertTrue(doc.path("paths").path(mp[1]).has(mp[0].toLowerCase(Locale.ROOT)), endpoint + " missing from openapi.json");
        }
        int documented = 0;
        for (JsonNode path : doc.path("paths")) {
            documented += path.size();
        }
        assertEquals(registered.size(), documented);
    }

    @Test
    void headsArriveOverServerSentEvents() throws Exception {
        LinkedBlockingQueue<HeadInfo> heads = new LinkedBlockingQueue<>();
        long before = client.head().height();
        AutoCloseable sub = client.subscribeHeads(heads::add);
        try {
            Hash tx = client.transfer(DevKeys.get("ferdie"), DevKeys.get("bob").account(), Tokens.of(1), fee);
            TxStatusInfo s = client.waitForInclusion(tx, WAIT);
            HeadInfo h;
            do {
                h = heads.poll(10, TimeUnit.SECONDS);
                assertTrue(h != null, "no head event within 10 s");
            } while (h.height() < s.height());
            assertEquals(s.height(), h.height());
            assertTrue(h.height() > before);
            assertEquals(s.blockHash(), h.hash());
            assertTrue(h.txCount() >= 1);
        } finally {
            sub.close();
        }
    }

    @Test
    void dashboardIsSelfContained() throws Exception {
        HttpResponse<String> r = raw("GET", "/", null);
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(r.body().contains("dev sealing: one authority"));
        assertTrue(r.body().contains("EventSource(\"/v1/heads\")"));
        assertFalse(r.body().contains("http://") || r.body().contains("https://") || r.body().contains("src="));
    }

    @Test
    void unreachableNodeNamesTheUrl() {
        CloisterApiException e = assertThrows(CloisterApiException.class, () -> new CloisterClient("http://127.0.0.1:1").head());
        assertEquals("NODE_UNREACHABLE", e.code());
        assertTrue(e.getMessage().contains("http://127.0.0.1:1") && e.getMessage().contains("./cloister devnet"));
    }
}
